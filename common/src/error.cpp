// printable()/shorten() (ecg/error.h): hand-written, a few lines of UTF-8 checking that no
// Debian C++ library offers on its own (ICU would be a large dependency for this).
#include "ecg/error.h"

#include <fmt/format.h>

namespace ecg {
namespace {

// Length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlongs, no surrogates,
// at most U+10FFFF), or 0 if the bytes there are not one.
std::size_t utf8_length(const std::string& s, std::size_t i, unsigned& cp) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned c = b(0);
  std::size_t n = 0;
  unsigned min = 0;
  if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; min = 0x80; }
  else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; min = 0x800; }
  else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; min = 0x10000; }
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

std::string printable(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c == '\t') { out += '\t'; ++i; continue; }
    if (c == '\n') { out += "\\n"; ++i; continue; }
    if (c == '\r') { out += "\\r"; ++i; continue; }
    unsigned cp = 0;
    const std::size_t n = c >= 0x80 ? utf8_length(s, i, cp) : 0;
    if (n > 0 && cp >= 0xA0) {  // valid and not a C1 control
      out.append(s, i, n);
      i += n;
      continue;
    }
    out += fmt::format("\\x{:02x}", c);
    ++i;
  }
  return out;
}

std::string shorten(const std::string& s, std::size_t max_chars) {
  std::string p = printable(s);
  if (p.size() <= max_chars) return p;
  std::size_t cut = max_chars;
  while (cut > 0 && (static_cast<unsigned char>(p[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
  return fmt::format("{}... ({} bytes in all)", p.substr(0, cut), s.size());
}

}  // namespace ecg
