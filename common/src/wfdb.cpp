// WFDB header / signal / MIT-annotation reader. See common/include/ecg/wfdb.h for why it is
// hand-written (no WFDB library in Debian). Formats follow the WFDB Programmer's Guide and
// the header(5), signal(5) and annot(5) man pages of the WFDB software package.
#include "ecg/wfdb.h"

#include <array>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>

#include "ecg/error.h"

namespace ecg {
namespace {

std::vector<std::string> split_ws(const std::string& line) {
  std::istringstream in(line);
  return {std::istream_iterator<std::string>(in), std::istream_iterator<std::string>()};
}

long parse_long(const std::string& s, const std::string& origin, const std::string& what) {
  errno = 0;
  char* end = nullptr;
  long v = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno != 0)
    throw InputError(fmt::format("{}: bad {} '{}'", origin, what, s));
  return v;
}

double parse_double(const std::string& s, const std::string& origin, const std::string& what) {
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || errno != 0)
    throw InputError(fmt::format("{}: bad {} '{}'", origin, what, s));
  return v;
}

std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open file", path));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string dir_join(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

bool supported_format(int f) { return f == 16 || f == 80 || f == 212 || f == 310 || f == 311; }

int sign_extend(unsigned v, int bits) {
  const unsigned m = 1u << (bits - 1);
  return static_cast<int>(v ^ m) - static_cast<int>(m);
}

// Decodes up to `count` consecutive samples of one signal file's interleaved stream and
// returns how many complete samples the data held.
std::size_t decode_stream(int format, const std::uint8_t* p, std::size_t nbytes, std::vector<int>& out,
                          std::size_t count) {
  out.resize(count);
  std::size_t n = 0;
  switch (format) {
    case 16:
      for (; n < count && 2 * n + 1 < nbytes; ++n)
        out[n] = static_cast<std::int16_t>(p[2 * n] | (p[2 * n + 1] << 8));
      break;
    case 80:
      for (; n < count && n < nbytes; ++n) out[n] = static_cast<int>(p[n]) - 128;
      break;
    case 212:  // two 12-bit samples in three bytes
      for (; n < count; ++n) {
        const std::size_t b = (n / 2) * 3;
        if (n % 2 == 0) {
          if (b + 1 >= nbytes) break;
          out[n] = sign_extend(p[b] | ((p[b + 1] & 0x0Fu) << 8), 12);
        } else {
          if (b + 2 >= nbytes) break;
          out[n] = sign_extend(p[b + 2] | ((p[b + 1] & 0xF0u) << 4), 12);
        }
      }
      break;
    case 310:  // three 10-bit samples in two little-endian 16-bit words
      for (; n < count; ++n) {
        const std::size_t b = (n / 3) * 4;
        if (b + 3 >= nbytes) break;
        const unsigned w0 = p[b] | (p[b + 1] << 8), w1 = p[b + 2] | (p[b + 3] << 8);
        unsigned v = 0;
        switch (n % 3) {
          case 0: v = (w0 >> 1) & 0x3FFu; break;
          case 1: v = (w1 >> 1) & 0x3FFu; break;
          default: v = ((w0 >> 11) & 0x1Fu) | ((w1 >> 6) & 0x3E0u); break;
        }
        out[n] = sign_extend(v, 10);
      }
      break;
    case 311:  // three 10-bit samples in one little-endian 32-bit word
      for (; n < count; ++n) {
        const std::size_t b = (n / 3) * 4;
        if (b + 3 >= nbytes) break;
        const std::uint32_t w = p[b] | (p[b + 1] << 8) | (p[b + 2] << 16) | (static_cast<std::uint32_t>(p[b + 3]) << 24);
        out[n] = sign_extend(static_cast<unsigned>((w >> (10 * (n % 3))) & 0x3FFu), 10);
      }
      break;
    default:
      break;
  }
  return n;
}

// Bytes needed for `count` samples of a format (for error messages).
std::size_t bytes_for(int format, std::size_t count) {
  switch (format) {
    case 16: return 2 * count;
    case 80: return count;
    case 212: return (count * 3 + 1) / 2;
    default: return (count + 2) / 3 * 4;
  }
}

struct CodeInfo {
  const char* mnemonic;
  bool beat;
};

// WFDB ecgcodes.h mnemonics, with ecgmap.h isqrs() as the beat flag; codes 0..49.
const std::array<CodeInfo, 50> kCodes = {{
    {"", false},  {"N", true},  {"L", true},  {"R", true},   {"a", true},  {"V", true},  {"F", true},
    {"J", true},  {"A", true},  {"S", true},  {"E", true},   {"j", true},  {"/", true},  {"Q", true},
    {"~", false}, {"", false},  {"|", false}, {"", false},   {"s", false}, {"T", false}, {"*", false},
    {"D", false}, {"\"", false}, {"=", false}, {"p", false}, {"B", true},  {"^", false}, {"t", false},
    {"+", false}, {"u", false}, {"?", false}, {"!", true},  {"[", false}, {"]", false}, {"e", true},
    {"n", true},  {"@", false}, {"x", false}, {"f", true},   {"(", false}, {")", false}, {"r", true},
    {"", false},  {"", false},  {"", false},  {"", false},   {"", false},  {"", false},  {"", false},
    {"", false},
}};

}  // namespace

RecordHeader parse_header(const std::string& text, const std::string& origin) {
  RecordHeader h;
  std::istringstream in(text);
  std::string line;
  bool have_record = false;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    if (line[first] == '#') {
      h.comments.push_back(line.substr(first + 1));
      continue;
    }
    const std::string where = fmt::format("{}:{}", origin, line_no);
    auto f = split_ws(line);
    if (f.empty()) continue;  // whitespace other than blanks and tabs only
    if (!have_record) {
      have_record = true;
      if (f[0].find('/') != std::string::npos)
        throw InputError(fmt::format("{}: multi-segment records are not supported", where));
      h.name = f[0];
      if (f.size() > 1) h.n_signals = static_cast<int>(parse_long(f[1], where, "number of signals"));
      if (f.size() > 2) {
        const std::string fs = f[2].substr(0, f[2].find_first_of("/("));
        h.fs = parse_double(fs, where, "sampling frequency");
        if (!(h.fs > 0)) throw InputError(fmt::format("{}: sampling frequency must be > 0", where));
      }
      if (f.size() > 3) h.n_samples = parse_long(f[3], where, "number of samples");
      if (h.n_signals < 0 || h.n_samples < 0)
        throw InputError(fmt::format("{}: negative signal or sample count", where));
      continue;
    }
    if (static_cast<int>(h.signals.size()) >= h.n_signals)
      throw InputError(fmt::format("{}: more signal lines than the {} declared", where, h.n_signals));
    if (f.size() < 2) throw InputError(fmt::format("{}: signal line needs a file name and a format", where));
    SignalSpec s;
    s.file_name = f[0];
    std::string fmtf = f[1];  // format[xsamples][:skew][+offset]
    if (auto plus = fmtf.find('+'); plus != std::string::npos) {
      s.byte_offset = parse_long(fmtf.substr(plus + 1), where, "byte offset");
      fmtf.resize(plus);
    }
    if (auto colon = fmtf.find(':'); colon != std::string::npos) {
      s.skew = static_cast<int>(parse_long(fmtf.substr(colon + 1), where, "skew"));
      fmtf.resize(colon);
    }
    if (auto x = fmtf.find('x'); x != std::string::npos) {
      s.samples_per_frame = static_cast<int>(parse_long(fmtf.substr(x + 1), where, "samples per frame"));
      fmtf.resize(x);
    }
    s.format = static_cast<int>(parse_long(fmtf, where, "signal format"));
    if (!supported_format(s.format))
      throw InputError(fmt::format("{}: unsupported signal format {} (supported: 16, 80, 212, 310, 311)", where,
                                   s.format));
    if (s.samples_per_frame < 1) throw InputError(fmt::format("{}: samples per frame must be >= 1", where));
    if (s.byte_offset < 0) throw InputError(fmt::format("{}: negative byte offset", where));
    bool baseline_given = false;
    if (f.size() > 2) {  // gain[(baseline)][/units]
      std::string g = f[2];
      if (auto slash = g.find('/'); slash != std::string::npos) {
        s.units = g.substr(slash + 1);
        g.resize(slash);
      }
      if (auto paren = g.find('('); paren != std::string::npos) {
        const auto close = g.find(')', paren);
        if (close == std::string::npos) throw InputError(fmt::format("{}: unbalanced '(' in ADC gain", where));
        s.baseline = static_cast<int>(parse_long(g.substr(paren + 1, close - paren - 1), where, "baseline"));
        baseline_given = true;
        g.resize(paren);
      }
      s.adc_gain = parse_double(g, where, "ADC gain");
      if (s.adc_gain == 0) s.adc_gain = 200.0;  // WFDB: 0 means the default gain
    }
    if (f.size() > 3) s.adc_resolution = static_cast<int>(parse_long(f[3], where, "ADC resolution"));
    if (f.size() > 4) s.adc_zero = static_cast<int>(parse_long(f[4], where, "ADC zero"));
    if (!baseline_given) s.baseline = s.adc_zero;
    if (f.size() > 5) s.initial_value = static_cast<int>(parse_long(f[5], where, "initial value"));
    if (f.size() > 6) {
      s.checksum = static_cast<int>(parse_long(f[6], where, "checksum"));
      s.has_checksum = true;
    }
    if (f.size() > 7) s.block_size = static_cast<int>(parse_long(f[7], where, "block size"));
    for (std::size_t i = 8; i < f.size(); ++i) s.description += (i > 8 ? " " : "") + f[i];
    h.signals.push_back(s);
  }
  if (!have_record) throw InputError(fmt::format("{}: no record line", origin));
  if (static_cast<int>(h.signals.size()) != h.n_signals)
    throw InputError(fmt::format("{}: header declares {} signals but has {} signal lines", origin, h.n_signals,
                                 h.signals.size()));
  return h;
}

RecordHeader read_header(const std::string& path) {
  auto bytes = read_bytes(path);
  return parse_header(std::string(bytes.begin(), bytes.end()), path);
}

Signals read_signals(const RecordHeader& header, const std::string& dir) {
  Signals out;
  out.samples.resize(header.signals.size());
  out.checksum_ok.assign(header.signals.size(), true);
  // Consecutive signals sharing a file are interleaved frame by frame (WFDB signal(5)).
  std::size_t i = 0;
  while (i < header.signals.size()) {
    std::size_t j = i;
    while (j < header.signals.size() && header.signals[j].file_name == header.signals[i].file_name) ++j;
    const SignalSpec& s0 = header.signals[i];
    const std::string path = dir_join(dir, s0.file_name);
    for (std::size_t k = i; k < j; ++k)
      if (header.signals[k].format != s0.format)
        throw InputError(fmt::format("{}: signals stored in {} have different formats",
                                     dir_join(dir, header.name + ".hea"), s0.file_name));
    const auto bytes = read_bytes(path);
    if (static_cast<std::size_t>(s0.byte_offset) > bytes.size())
      throw InputError(fmt::format("{}: byte offset {} lies beyond the end of the file", path, s0.byte_offset));
    std::size_t frame = 0;
    for (std::size_t k = i; k < j; ++k) frame += static_cast<std::size_t>(header.signals[k].samples_per_frame);
    const std::uint8_t* data = bytes.data() + s0.byte_offset;
    const std::size_t nbytes = bytes.size() - static_cast<std::size_t>(s0.byte_offset);
    std::vector<int> stream;
    std::size_t n_frames = static_cast<std::size_t>(header.n_samples);
    if (n_frames == 0) n_frames = decode_stream(s0.format, data, nbytes, stream, nbytes * 2 + 4) / frame;
    const std::size_t got = decode_stream(s0.format, data, nbytes, stream, n_frames * frame);
    if (got < n_frames * frame)
      throw InputError(fmt::format("{}: truncated: the header says {} frames ({} bytes) but the file has {} bytes",
                                   path, n_frames, bytes_for(s0.format, n_frames * frame) + s0.byte_offset,
                                   bytes.size()));
    std::size_t col = 0;
    for (std::size_t k = i; k < j; ++k) {
      const auto spf = static_cast<std::size_t>(header.signals[k].samples_per_frame);
      auto& dst = out.samples[k];
      dst.resize(n_frames * spf);
      for (std::size_t t = 0; t < n_frames; ++t)
        for (std::size_t q = 0; q < spf; ++q) dst[t * spf + q] = stream[t * frame + col + q];
      col += spf;
      if (header.signals[k].has_checksum) {  // 16-bit sum of all samples
        std::int64_t sum = 0;
        for (int v : dst) sum += v;
        out.checksum_ok[k] = ((sum - header.signals[k].checksum) & 0xFFFF) == 0;
      }
    }
    i = j;
  }
  return out;
}

std::string ann_mnemonic(int code) {
  if (code < 0 || code >= static_cast<int>(kCodes.size())) return "";
  return kCodes[static_cast<std::size_t>(code)].mnemonic;
}

std::string Annotation::mnemonic() const { return ann_mnemonic(code); }

char Annotation::symbol() const {
  const auto m = mnemonic();
  return m.empty() ? '?' : m[0];
}

bool Annotation::is_beat() const {
  return code >= 0 && code < static_cast<int>(kCodes.size()) && kCodes[static_cast<std::size_t>(code)].beat;
}

std::vector<Annotation> parse_annotations(const std::vector<std::uint8_t>& b, const std::string& origin) {
  std::vector<Annotation> out;
  long time = 0;
  int chan = 0, num = 0;
  std::size_t p = 0;
  auto word_at = [&](std::size_t q) { return static_cast<std::uint32_t>(b[q] | (b[q + 1] << 8)); };
  auto need = [&](std::size_t n, const char* what) {
    if (p + n > b.size())
      throw InputError(fmt::format("{}: truncated annotation file: {} cut off at byte {}", origin, what, p));
  };
  auto last = [&](const char* what) -> Annotation& {
    if (out.empty()) throw InputError(fmt::format("{}: {} before any annotation at byte {}", origin, what, p - 2));
    return out.back();
  };
  while (true) {
    if (p == b.size())
      throw InputError(fmt::format("{}: truncated annotation file: no end-of-file marker after {} annotations",
                                   origin, out.size()));
    need(2, "annotation word");
    const std::uint32_t w = word_at(p);
    p += 2;
    const int code = static_cast<int>(w >> 10);
    const int arg = static_cast<int>(w & 0x3FF);
    if (code == 0 && arg == 0) break;  // end-of-file marker
    switch (code) {
      case kSkip: {
        need(4, "SKIP interval");
        const std::uint32_t v = (word_at(p) << 16) | word_at(p + 2);  // PDP-11 order: high word first
        p += 4;
        time += static_cast<std::int32_t>(v);
        break;
      }
      case kNum:  // NUM, CHN: modify the last annotation and carry over to the next ones
        num = sign_extend(static_cast<unsigned>(arg), 10);
        last("NUM").num = num;
        break;
      case kChn:
        chan = arg;
        last("CHN").chan = chan;
        break;
      case kSub:
        last("SUB").subtype = arg;
        break;
      case kAux: {
        const auto len = static_cast<std::size_t>(arg);
        need(len + (len & 1), "AUX string");
        auto& a = last("AUX");
        a.aux.assign(reinterpret_cast<const char*>(b.data() + p), len);
        while (!a.aux.empty() && a.aux.back() == '\0') a.aux.pop_back();
        p += len + (len & 1);  // padded to an even length
        break;
      }
      default: {
        if (code > 49) throw InputError(fmt::format("{}: invalid annotation code {} at byte {}", origin, code, p - 2));
        time += arg;
        if (time < 0) throw InputError(fmt::format("{}: negative annotation time at byte {}", origin, p - 2));
        Annotation a;
        a.sample = time;
        a.code = code;
        a.chan = chan;
        a.num = num;
        out.push_back(std::move(a));
      }
    }
  }
  return out;
}

std::vector<Annotation> read_annotations(const std::string& path) { return parse_annotations(read_bytes(path), path); }

int Record::lead_index(const std::string& lead) const {
  std::string have;
  for (std::size_t i = 0; i < header.signals.size(); ++i) {
    if (header.signals[i].description == lead) return static_cast<int>(i);
    have += (have.empty() ? "" : ", ") + header.signals[i].description;
  }
  throw InputError(fmt::format("record {}: no signal '{}' (it has: {})", header.name, lead, have));
}

double Record::physical(int s, long i) const {
  const auto& sp = header.signals[static_cast<std::size_t>(s)];
  return (signals.samples[static_cast<std::size_t>(s)][static_cast<std::size_t>(i)] - sp.baseline) / sp.adc_gain;
}

Record read_record(const std::string& dir, const std::string& name, const std::string& annotator) {
  Record r;
  r.header = read_header(dir_join(dir, name + ".hea"));
  r.signals = read_signals(r.header, dir);
  const std::string ann_path = dir_join(dir, name + "." + annotator);
  r.annotations = read_annotations(ann_path);
  const long n = r.signals.samples.empty() ? 0 : static_cast<long>(r.signals.samples[0].size());
  for (const auto& a : r.annotations)
    if (a.sample > n)
      throw InputError(fmt::format("{}: annotation at sample {} lies beyond the record's {} samples", ann_path,
                                   a.sample, n));
  return r;
}

}  // namespace ecg
