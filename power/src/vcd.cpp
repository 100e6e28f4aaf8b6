#include "ecg/power/vcd.h"

#include <cstring>
#include <fstream>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ecg/error.h"

namespace ecg::power {
namespace {
// Identifier keys below this get a flat table (Verilator's codes are dense from '!': a
// model with up to ~830 k traced words has codes of 3 characters, keys < 95^3).
constexpr std::uint64_t kFlatKeys = std::uint64_t{1} << 22;
constexpr std::uint64_t kNoKey = ~std::uint64_t{0};

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }
bool is01(char c) { return (c & 0xFE) == 0x30; }  // '0' = 0x30, '1' = 0x31
}  // namespace

std::uint64_t VcdToggles::total_toggles() const {
  std::uint64_t n = 0;
  for (const auto& s : signals) n += s.toggles;
  return n;
}

VcdToggleCounter::VcdToggleCounter(std::string origin) { m_r.origin = std::move(origin); }

void VcdToggleCounter::fail(const std::string& msg) const {
  throw InputError(fmt::format("{}:{}: {}", m_r.origin, m_tok_line, msg));
}

void VcdToggleCounter::feed(const char* data, std::size_t n) {
  const char* p = data;
  const char* const end = data + n;
  if (!m_tok.empty()) {  // a token cut by the previous chunk
    const char* q = p;
    while (q < end && !is_space(*q)) ++q;
    m_tok.append(p, static_cast<std::size_t>(q - p));
    p = q;
    if (p == end) return;
    std::string tok;
    tok.swap(m_tok);
    token(tok.data(), tok.size());
    keep_pending();  // it may point into `tok`
  }
  while (p < end) {
    if (is_space(*p)) {
      if (*p == '\n') ++m_line;
      ++p;
      continue;
    }
    const char* q = p + 1;
    while (q < end && !is_space(*q)) ++q;
    m_tok_line = m_line;
    if (q == end) {  // may continue in the next chunk
      m_tok.assign(p, static_cast<std::size_t>(q - p));
      break;
    }
    token(p, static_cast<std::size_t>(q - p));
    p = q;
  }
  keep_pending();  // the chunk goes away
}

// A vector value whose identifier has not come yet points into the caller's buffer: copy it.
void VcdToggleCounter::keep_pending() {
  if (m_pending_p == nullptr || m_pending_p == m_pending_value.data()) return;
  m_pending_value.assign(m_pending_p, m_pending_n);
  m_pending_p = m_pending_value.data();
}

const VcdToggles& VcdToggleCounter::finish() {
  if (m_finished) return m_r;
  if (!m_tok.empty()) {
    std::string tok;
    tok.swap(m_tok);
    token(tok.data(), tok.size());
    keep_pending();
  }
  if (!m_section.empty()) fail(fmt::format("unterminated {} (no $end)", m_section));
  if (!m_defs_done) fail("no $enddefinitions");
  if (m_pending_p != nullptr) fail(fmt::format("value \"{}\" without identifier", std::string(m_pending_p, m_pending_n)));
  m_finished = true;
  return m_r;
}

std::uint64_t VcdToggleCounter::id_key(const char* id, std::size_t n) {
  // Identifier codes are printable ASCII (33..126); up to 9 of them fit a base-95 number.
  if (n == 0 || n > 9) return kNoKey;
  std::uint64_t k = 0;
  for (std::size_t i = 0; i < n; ++i) k = k * 95 + static_cast<std::uint64_t>(static_cast<unsigned char>(id[i]) - 32);
  return k;
}

std::size_t VcdToggleCounter::lookup(const char* id, std::size_t n) const {
  const std::uint64_t key = id_key(id, n);
  if (key < m_flat.size() && m_flat[key] != 0) return m_flat[key] - 1;
  if (m_flat.empty() && key != kNoKey) {
    auto it = m_index.find(key);
    if (it != m_index.end()) return it->second;
  }
  fail(fmt::format("value change for undeclared identifier \"{}\"", std::string(id, n)));
}

void VcdToggleCounter::header_section(const std::string& kw, const std::vector<std::string>& v) {
  if (kw == "$scope") {
    if (v.size() < 2) fail("$scope needs a type and a name");
    m_scope.push_back(v[1]);
  } else if (kw == "$upscope") {
    if (m_scope.empty()) fail("$upscope without $scope");
    m_scope.pop_back();
  } else if (kw == "$var") {
    if (v.size() < 4) fail("$var needs type, size, identifier and name");
    int width = 0;
    try {
      width = std::stoi(v[1]);
    } catch (const std::exception&) {
      fail(fmt::format("$var size \"{}\" is not a number", v[1]));
    }
    if (width <= 0) fail(fmt::format("$var size {} must be > 0", width));
    std::string path;
    for (const auto& s : m_scope) path += s + ".";
    path += v[3];
    for (std::size_t i = 4; i < v.size(); ++i) path += v[i];  // bit range, e.g. [7:0]
    const std::uint64_t key = id_key(v[2].data(), v[2].size());
    if (key == kNoKey) fail(fmt::format("identifier code \"{}\" longer than 9 characters", v[2]));
    auto [it, fresh] = m_index.emplace(key, m_r.signals.size());
    if (fresh) {
      VcdSignal s;
      s.path = path;
      s.width = v[0] == "real" ? 1 : width;
      m_offset.push_back(static_cast<std::uint32_t>(m_bits.size()));
      const std::size_t words = (static_cast<std::size_t>(s.width) + 63) / 64;
      m_bits.resize(m_bits.size() + words, 0);
      m_known.resize(m_known.size() + words, 0);
      m_has.push_back(0);
      m_r.signals.push_back(std::move(s));
    } else {
      m_r.signals[it->second].aliases.push_back(path);
    }
  } else if (kw == "$timescale") {
    for (const auto& s : v) m_r.timescale += s;
  } else if (kw == "$enddefinitions") {
    m_defs_done = true;
    std::uint64_t max_key = 0;
    for (const auto& [key, i] : m_index) max_key = std::max(max_key, key);
    if (!m_index.empty() && max_key < kFlatKeys) {  // flat lookup on the value changes
      m_flat.assign(max_key + 1, 0);
      for (const auto& [key, i] : m_index) m_flat[key] = static_cast<std::uint32_t>(i + 1);
    }
  }
  // $date, $version, $comment: ignored.
}

// One value of signal i: `n` characters, MSB first (0 1 x z, either case). A value shorter
// than the width is extended (0/1 -> 0, x -> x, z -> z). The state is kept as bit words and a
// known-bit mask (x and z are both "unknown": a transition from or to either is not counted),
// so a change costs a popcount per 64 bits; 8 characters of 0/1 are packed at once.
void VcdToggleCounter::apply(std::size_t i, const char* bits, std::size_t n) {
  VcdSignal& sig = m_r.signals[i];
  const std::size_t w = static_cast<std::size_t>(sig.width);
  if (n > w) fail(fmt::format("value of {} has {} bits, declared {}", sig.path, n, w));
  if (n == 0) fail(fmt::format("empty value for {}", sig.path));
  const std::size_t words = (w + 63) / 64;
  std::uint64_t nb[8], nk[8];  // the new value (up to 512 bits on the stack)
  std::vector<std::uint64_t> heap;
  std::uint64_t* vb = nb;
  std::uint64_t* vk = nk;
  if (words > 8) {
    heap.assign(2 * words, 0);
    vb = heap.data();
    vk = heap.data() + words;
  }
  const char first = static_cast<char>(bits[0] | 0x20);
  const bool fill_known = !(first == 'x' || first == 'z');  // else x/z fill (not counted)
  for (std::size_t k = 0; k < words; ++k) {
    vb[k] = 0;
    vk[k] = fill_known ? ~std::uint64_t{0} : 0;
  }
  // Bit b (from the LSB) is character n-1-b. Whole groups of 8 from the end first.
  std::size_t b = 0;
  for (; b + 8 <= n; b += 8) {
    std::uint64_t v;
    std::memcpy(&v, bits + (n - b - 8), 8);  // byte 0 = the group's most significant bit
    const std::size_t word = b / 64, shift = b % 64;
    std::uint64_t byte_bits, byte_known = 0xFF;
    if ((v & 0xFEFEFEFEFEFEFEFEull) == 0x3030303030303030ull) {
      byte_bits = ((v & 0x0101010101010101ull) * 0x8040201008040201ull) >> 56;  // byte j -> bit 7-j
    } else {
      byte_bits = 0;
      byte_known = 0;
      for (std::size_t j = 0; j < 8; ++j) {
        const char c = bits[n - b - 1 - j];
        if (is01(c)) {
          byte_bits |= static_cast<std::uint64_t>(c & 1) << j;
          byte_known |= std::uint64_t{1} << j;
        } else if (const char l = static_cast<char>(c | 0x20); l != 'x' && l != 'z') {
          fail(fmt::format("bad bit '{}' in a value of {}", l, sig.path));
        }
      }
    }
    vb[word] = (vb[word] & ~(0xFFull << shift)) | (byte_bits << shift);
    vk[word] = (vk[word] & ~(0xFFull << shift)) | (byte_known << shift);
  }
  for (; b < n; ++b) {
    const char c = bits[n - 1 - b];
    const std::uint64_t m = std::uint64_t{1} << (b % 64);
    std::uint64_t& wb = vb[b / 64];
    std::uint64_t& wk = vk[b / 64];
    if (is01(c)) {
      wb = (wb & ~m) | (static_cast<std::uint64_t>(c & 1) << (b % 64));
      wk |= m;
    } else if (const char l = static_cast<char>(c | 0x20); l == 'x' || l == 'z') {
      wb &= ~m;
      wk &= ~m;
    } else {
      fail(fmt::format("bad bit '{}' in a value of {}", l, sig.path));
    }
  }
  // Bits above the width stay 0 and unknown.
  if (w % 64 != 0) {
    const std::uint64_t top = (std::uint64_t{1} << (w % 64)) - 1;
    vb[words - 1] &= top;
    vk[words - 1] &= top;
  }
  std::uint64_t* ob = m_bits.data() + m_offset[i];
  std::uint64_t* ok = m_known.data() + m_offset[i];
  std::uint64_t t = 0;
  for (std::size_t k = 0; k < words; ++k) {
    t += static_cast<std::uint64_t>(__builtin_popcountll((ob[k] ^ vb[k]) & ok[k] & vk[k]));
    ob[k] = vb[k];
    ok[k] = vk[k];
  }
  if (m_has[i] && m_counting) sig.toggles += t;
  m_has[i] = 1;
  ++m_r.value_changes;
}

void VcdToggleCounter::token(const char* tok, std::size_t n) {
  if (m_finished) fail("data after finish()");
  if (!m_section.empty() || !m_defs_done) {
    header_token(std::string(tok, n));
    return;
  }
  if (m_pending_p != nullptr) {  // identifier of a vector or real value
    const std::size_t i = lookup(tok, n);
    const char* v = m_pending_p;
    const std::size_t vn = m_pending_n;
    m_pending_p = nullptr;
    if (v[0] == 'r' || v[0] == 'R') ++m_r.value_changes;  // no bits
    else apply(i, v + 1, vn - 1);
    return;
  }
  const char c = tok[0];
  if (c == '#') {
    std::uint64_t t = 0;
    bool ok = n > 1;
    for (std::size_t k = 1; k < n && ok; ++k) {
      const unsigned d = static_cast<unsigned char>(tok[k]) - '0';
      if (d > 9 || t > (~std::uint64_t{0} - d) / 10) ok = false;
      else t = t * 10 + d;
    }
    if (!ok) fail(fmt::format("bad timestamp \"{}\"", std::string(tok, n)));
    if (!m_have_time) m_r.first_time = t;
    if (m_have_time && t < m_r.last_time) fail(fmt::format("time goes backwards at {}", std::string(tok, n)));
    m_r.last_time = t;
    m_have_time = true;
  } else if (c == '0' || c == '1' || c == 'x' || c == 'X' || c == 'z' || c == 'Z') {
    if (n < 2) fail(fmt::format("scalar change \"{}\" without identifier", std::string(tok, n)));
    apply(lookup(tok + 1, n - 1), tok, 1);
  } else if (c == 'b' || c == 'B' || c == 'r' || c == 'R') {
    m_pending_p = tok;  // feed() copies it if the chunk ends before its identifier
    m_pending_n = n;
  } else {
    const std::string s(tok, n);
    if (s == "$dumpvars" || s == "$dumpall") {
      m_counting = false;  // initial values: set the state, count nothing
    } else if (s == "$end") {
      m_counting = true;
    } else if (s == "$dumpon" || s == "$dumpoff") {
      // $dumpoff sets everything to x and $dumpon restores: x transitions are not counted.
    } else if (s == "$comment") {
      m_section = s;
    } else {
      fail(fmt::format("unexpected \"{}\" in the value changes", s));
    }
  }
}

// Header tokens, and the tokens of a $keyword ... $end section (a $comment among the values).
void VcdToggleCounter::header_token(std::string tok) {
  if (!m_section.empty()) {  // inside a $keyword ... $end
    if (tok == "$end") {
      std::string kw;
      kw.swap(m_section);
      header_section(kw, m_args);
      m_args.clear();
    } else {
      m_args.push_back(std::move(tok));
    }
    return;
  }
  if (tok.size() > 1 && tok[0] == '$') {
    if (tok == "$end") fail("$end without a section");
    m_section = tok;
    return;
  }
  fail(fmt::format("unexpected \"{}\" in the header", tok));
}

VcdToggles count_vcd_toggles(std::istream& in, const std::string& origin) {
  VcdToggleCounter counter(origin);
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    counter.feed(buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  return counter.finish();
}

VcdToggles count_vcd_toggles_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open VCD", path));
  return count_vcd_toggles(in, path);
}

std::vector<BlockRule> parse_block_rules(const nlohmann::json& j, const std::string& origin) {
  if (!j.is_object() || !j.contains("rules") || !j["rules"].is_array())
    throw InputError(fmt::format("{}: block rules need a \"rules\" array", origin));
  std::vector<BlockRule> rules;
  for (const auto& r : j["rules"]) {
    if (!r.is_object() || !r.contains("block") || !r["block"].is_string() || !r.contains("match") ||
        !r["match"].is_string())
      throw InputError(fmt::format("{}: each rule needs string \"block\" and \"match\"", origin));
    BlockRule b;
    b.block = r["block"].get<std::string>();
    b.pattern = r["match"].get<std::string>();
    try {
      b.re = std::regex(b.pattern, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      throw InputError(fmt::format("{}: rule \"{}\": bad regex ({})", origin, b.pattern, e.what()));
    }
    rules.push_back(std::move(b));
  }
  return rules;
}

std::vector<BlockRule> load_block_rules(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: cannot open block rules", path));
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: not valid JSON ({})", path, e.what()));
  }
  return parse_block_rules(j, path);
}

std::map<std::string, double> toggles_by_block(const VcdToggles& v, const std::vector<BlockRule>& rules) {
  std::map<std::string, double> out;
  for (const auto& s : v.signals) {
    const BlockRule* hit = nullptr;
    for (const auto& r : rules) {
      if (std::regex_search(s.path, r.re)) {
        hit = &r;
        break;
      }
      for (const auto& a : s.aliases)
        if (std::regex_search(a, r.re)) {
          hit = &r;
          break;
        }
      if (hit) break;
    }
    out[hit ? hit->block : "unassigned"] += static_cast<double>(s.toggles);
  }
  return out;
}

}  // namespace ecg::power
