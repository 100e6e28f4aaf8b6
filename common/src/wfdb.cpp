// WFDB header / signal / MIT-annotation reader. See common/include/ecg/wfdb.h for why it is
// hand-written (no WFDB library in Debian). Formats follow the WFDB Programmer's Guide and
// the header(5), signal(5) and annot(5) man pages of the WFDB software package.
#include "ecg/wfdb.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
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
    throw InputError(fmt::format("{}: bad {} '{}'", origin, what, shorten(s)));
  return v;
}

// An integer field with its allowed range; the message gives the range.
int parse_int(const std::string& s, const std::string& origin, const std::string& what, long lo, long hi) {
  const long v = parse_long(s, origin, what);
  if (v < lo || v > hi)
    throw InputError(fmt::format("{}: {} {} is out of range ({}..{})", origin, what, shorten(s), lo, hi));
  return static_cast<int>(v);
}

double parse_double(const std::string& s, const std::string& origin, const std::string& what) {
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || errno != 0)
    throw InputError(fmt::format("{}: bad {} '{}'", origin, what, shorten(s)));
  return v;
}

std::string dir_join(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

const char* file_kind(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISFIFO(m)) return "a FIFO (named pipe)";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

// The file system through POSIX calls: opened without blocking (a FIFO cannot hang the
// open) and checked with fstat before a single byte is read.
class DiskFiles final : public FileSource {
 public:
  std::uint64_t size(const std::string& path) const override {
    const int fd = open_regular(path);
    struct stat st {};
    ::fstat(fd, &st);
    ::close(fd);
    return static_cast<std::uint64_t>(st.st_size);
  }
  std::vector<std::uint8_t> read(const std::string& path, std::uint64_t offset, std::size_t count) const override {
    const int fd = open_regular(path);
    std::vector<std::uint8_t> out(count);
    std::size_t got = 0;
    while (got < count) {
      const ssize_t n = ::pread(fd, out.data() + got, count - got, static_cast<off_t>(offset + got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int err = n < 0 ? errno : 0;
        ::close(fd);
        throw InputError(fmt::format("{}: read failed at byte {} ({})", path, offset + got,
                                     err ? std::strerror(err) : "the file shrank while it was read"));
      }
      got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return out;
  }

 private:
  static int open_regular(const std::string& path) {
    if (path.find('\0') != std::string::npos) throw InputError(fmt::format("{}: file name contains a NUL byte", path));
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) throw InputError(fmt::format("{}: cannot open file ({})", path, std::strerror(errno)));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      throw InputError(fmt::format("{}: cannot open file ({})", path, std::strerror(err)));
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd);
      struct stat lst {};
      const bool link = ::lstat(path.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode);
      throw InputError(fmt::format("{}: is {}{}, not a regular file", path, link ? "a link to " : "", file_kind(st.st_mode)));
    }
    return fd;
  }
};

// Reads a whole file of at most `max_bytes` (what = what the file is, for the message).
std::vector<std::uint8_t> read_whole(const FileSource& files, const std::string& path, std::uint64_t max_bytes,
                                     const char* what) {
  const std::uint64_t n = files.size(path);
  if (n > max_bytes)
    throw InputError(fmt::format("{}: {} bytes is too large for {} (at most {} bytes)", path, n, what, max_bytes));
  return files.read(path, 0, static_cast<std::size_t>(n));
}

bool supported_format(int f) { return f == 16 || f == 80 || f == 212 || f == 310 || f == 311; }

int sign_extend(unsigned v, int bits) {
  const unsigned m = 1u << (bits - 1);
  return static_cast<int>(v ^ m) - static_cast<int>(m);
}

// Complete samples that `nbytes` of a format hold. As WFDB's readers (signal.c r212,
// r310, r311) do, the first sample of a 212 pair and of a 310/311 triple needs only the
// group's first two bytes, the second one three (212) or four (310/311) bytes.
std::uint64_t samples_in(int format, std::uint64_t nbytes) {
  switch (format) {
    case 16: return nbytes / 2;
    case 80: return nbytes;
    case 212: return nbytes / 3 * 2 + (nbytes % 3 >= 2 ? 1 : 0);
    default: return nbytes / 4 * 3 + (nbytes % 4 >= 2 ? 1 : 0);  // 310, 311
  }
}

// Bytes needed for `count` samples of a format (the inverse of samples_in), saturating.
std::uint64_t bytes_for(int format, std::uint64_t count) {
  if (count > (std::uint64_t{1} << 60)) return UINT64_MAX;
  switch (format) {
    case 16: return 2 * count;
    case 80: return count;
    case 212: return count / 2 * 3 + (count % 2 ? 2 : 0);
    default: return count / 3 * 4 + (count % 3 == 1 ? 2 : count % 3 == 2 ? 4 : 0);  // 310, 311
  }
}

// Sample n of a stream (the caller made sure the bytes are there: n < samples_in()).
int sample_at(int format, const std::uint8_t* p, std::size_t n) {
  switch (format) {
    case 16:
      return static_cast<std::int16_t>(static_cast<std::uint16_t>(p[2 * n] | (p[2 * n + 1] << 8)));
    case 80:
      return static_cast<int>(p[n]) - 128;
    case 212: {  // two 12-bit samples in three bytes
      const std::size_t b = (n / 2) * 3;
      if (n % 2 == 0) return sign_extend(p[b] | ((p[b + 1] & 0x0Fu) << 8), 12);
      return sign_extend(p[b + 2] | ((p[b + 1] & 0xF0u) << 4), 12);
    }
    case 310: {  // three 10-bit samples in two little-endian 16-bit words
      const std::size_t b = (n / 3) * 4;
      const unsigned w0 = p[b] | (p[b + 1] << 8);
      if (n % 3 == 0) return sign_extend((w0 >> 1) & 0x3FFu, 10);
      const unsigned w1 = p[b + 2] | (p[b + 3] << 8);
      if (n % 3 == 1) return sign_extend((w1 >> 1) & 0x3FFu, 10);
      return sign_extend(((w0 >> 11) & 0x1Fu) | ((w1 >> 6) & 0x3E0u), 10);
    }
    default: {  // 311: three 10-bit samples in one little-endian 32-bit word
      const std::size_t b = (n / 3) * 4;
      const std::uint32_t w0 = p[b] | (p[b + 1] << 8);
      if (n % 3 == 0) return sign_extend(w0 & 0x3FFu, 10);
      const std::uint32_t w = w0 | (static_cast<std::uint32_t>(p[b + 2]) << 16) | (static_cast<std::uint32_t>(p[b + 3]) << 24);
      return sign_extend(static_cast<unsigned>((w >> (10 * (n % 3))) & 0x3FFu), 10);
    }
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

// Wrapper of the header-file interfaces (MemoryFiles) kept beside the disk one.
std::uint64_t MemoryFiles::size(const std::string& path) const {
  const auto it = files.find(path);
  if (it == files.end()) throw InputError(fmt::format("{}: cannot open file (No such file or directory)", path));
  return it->second.size();
}

std::vector<std::uint8_t> MemoryFiles::read(const std::string& path, std::uint64_t offset, std::size_t count) const {
  const auto& f = files.at(path);
  if (offset > f.size() || count > f.size() - offset)
    throw InputError(fmt::format("{}: read failed at byte {} (the file shrank while it was read)", path, offset));
  const auto from = f.begin() + static_cast<std::ptrdiff_t>(offset);
  return {from, from + static_cast<std::ptrdiff_t>(count)};
}

const FileSource& disk_files() {
  static const DiskFiles disk;
  return disk;
}

RecordHeader parse_header(const std::string& text, const std::string& origin) {
  RecordHeader h;
  h.origin = origin;
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
      h.comments.push_back(printable(line.substr(first + 1)));
      continue;
    }
    const std::string where = fmt::format("{}:{}", origin, line_no);
    auto f = split_ws(line);
    if (f.empty()) continue;  // whitespace other than blanks and tabs only
    if (!have_record) {
      have_record = true;
      if (f[0].find('/') != std::string::npos)
        throw InputError(fmt::format("{}: multi-segment records are not supported", where));
      h.name = printable(f[0]);
      if (f.size() > 1) h.n_signals = parse_int(f[1], where, "number of signals", 0, kMaxSignals);
      if (f.size() > 2) {
        const std::string fs = f[2].substr(0, f[2].find_first_of("/("));
        h.fs = parse_double(fs, where, "sampling frequency");
        if (!(h.fs > 0)) throw InputError(fmt::format("{}: sampling frequency must be > 0 (it is '{}')", where, shorten(fs)));
        // A finite rate a recording can have: 1e-300 or inf would turn sample counts and
        // filter windows into nonsense silently.
        if (!std::isfinite(h.fs) || h.fs < 1e-3 || h.fs > 1e6)
          throw InputError(fmt::format("{}: sampling frequency '{}' is out of range (0.001 to 1000000 Hz)", where, shorten(fs)));
      }
      if (f.size() > 3) {
        h.n_samples = parse_long(f[3], where, "number of samples");
        if (h.n_samples < 0) throw InputError(fmt::format("{}: negative number of samples {}", where, h.n_samples));
      }
      continue;
    }
    if (static_cast<int>(h.signals.size()) >= h.n_signals)
      throw InputError(fmt::format("{}: more signal lines than the {} declared", where, h.n_signals));
    if (f.size() < 2) throw InputError(fmt::format("{}: signal line needs a file name and a format", where));
    SignalSpec s;
    s.file_name = f[0];
    // A WFDB signal file lives beside its header: a plain name, never a path.
    if (s.file_name.find('/') != std::string::npos || s.file_name == "." || s.file_name == "..")
      throw InputError(fmt::format("{}: signal file '{}' is not a plain file name (a signal file must lie beside its header)",
                                   where, shorten(s.file_name)));
    if (printable(s.file_name) != s.file_name || s.file_name.size() > 255)
      throw InputError(fmt::format("{}: signal file name '{}' has control or non-UTF-8 bytes or is too long", where,
                                   shorten(s.file_name)));
    std::string fmtf = f[1];  // format[xsamples][:skew][+offset]
    if (auto plus = fmtf.find('+'); plus != std::string::npos) {
      s.byte_offset = parse_long(fmtf.substr(plus + 1), where, "byte offset");
      fmtf.resize(plus);
    }
    if (auto colon = fmtf.find(':'); colon != std::string::npos) {
      s.skew = parse_int(fmtf.substr(colon + 1), where, "skew", 0, 1L << 30);
      fmtf.resize(colon);
    }
    if (auto x = fmtf.find('x'); x != std::string::npos) {
      s.samples_per_frame = parse_int(fmtf.substr(x + 1), where, "samples per frame", 1, kMaxSamplesPerFrame);
      fmtf.resize(x);
    }
    s.format = static_cast<int>(parse_long(fmtf, where, "signal format"));
    if (!supported_format(s.format))
      throw InputError(fmt::format("{}: unsupported signal format {} (supported: 16, 80, 212, 310, 311)", where,
                                   shorten(fmtf)));
    if (s.byte_offset < 0) throw InputError(fmt::format("{}: negative byte offset", where));
    bool baseline_given = false;
    if (f.size() > 2) {  // gain[(baseline)][/units]
      std::string g = f[2];
      if (auto slash = g.find('/'); slash != std::string::npos) {
        s.units = printable(g.substr(slash + 1));
        g.resize(slash);
      }
      if (auto paren = g.find('('); paren != std::string::npos) {
        const auto close = g.find(')', paren);
        if (close == std::string::npos) throw InputError(fmt::format("{}: unbalanced '(' in ADC gain", where));
        s.baseline = parse_int(g.substr(paren + 1, close - paren - 1), where, "baseline", INT32_MIN, INT32_MAX);
        baseline_given = true;
        g.resize(paren);
      }
      s.adc_gain = parse_double(g, where, "ADC gain");
      // WFDB reads gain 0 as "uncalibrated": no conversion to mV would be right, so such a
      // signal (and nan, inf or a negative gain) is refused rather than silently misread.
      if (s.adc_gain == 0)
        throw InputError(fmt::format("{}: ADC gain 0 marks an uncalibrated signal; its values cannot be converted to {}",
                                     where, s.units));
      if (!std::isfinite(s.adc_gain) || s.adc_gain < 1e-9 || s.adc_gain > 1e12)
        throw InputError(fmt::format("{}: ADC gain '{}' must be a finite number from 1e-9 to 1e12 (ADC units per {})",
                                     where, shorten(g), s.units));
    }
    if (f.size() > 3) s.adc_resolution = parse_int(f[3], where, "ADC resolution", 0, 64);
    if (f.size() > 4) s.adc_zero = parse_int(f[4], where, "ADC zero", INT32_MIN, INT32_MAX);
    if (!baseline_given) s.baseline = s.adc_zero;
    if (f.size() > 5) s.initial_value = parse_int(f[5], where, "initial value", INT32_MIN, INT32_MAX);
    if (f.size() > 6) {
      s.checksum = parse_int(f[6], where, "checksum", INT32_MIN, INT32_MAX);
      s.has_checksum = true;
    }
    if (f.size() > 7) s.block_size = parse_int(f[7], where, "block size", 0, INT32_MAX);
    for (std::size_t i = 8; i < f.size(); ++i) s.description += (i > 8 ? " " : "") + f[i];
    s.description = printable(s.description);
    h.signals.push_back(s);
  }
  if (!have_record) throw InputError(fmt::format("{}: no record line", origin));
  if (static_cast<int>(h.signals.size()) != h.n_signals)
    throw InputError(fmt::format("{}: header declares {} signals but has {} signal lines", origin, h.n_signals,
                                 h.signals.size()));
  return h;
}

RecordHeader read_header(const std::string& path, const FileSource& files) {
  auto bytes = read_whole(files, path, kMaxHeaderBytes, "a header");
  return parse_header(std::string(bytes.begin(), bytes.end()), path);
}

Signals read_signals(const RecordHeader& header, const std::string& dir, const FileSource& files) {
  const std::string hea = header.origin.empty() ? dir_join(dir, header.name + ".hea") : header.origin;
  // Consecutive signals sharing a file are interleaved frame by frame (WFDB signal(5)): a group.
  struct Group {
    std::size_t first, end;  // signals [first, end)
    std::string path;
    std::uint64_t file_size = 0;
    std::uint64_t frame = 0;      // samples per frame of the group
    std::uint64_t frames = 0;     // complete frames in the file after the byte offset
    std::uint64_t max_skew = 0;
  };
  std::vector<Group> groups;
  for (std::size_t i = 0; i < header.signals.size();) {
    Group g;
    g.first = i;
    g.end = i;
    while (g.end < header.signals.size() && header.signals[g.end].file_name == header.signals[i].file_name) ++g.end;
    const SignalSpec& s0 = header.signals[i];
    g.path = dir_join(dir, s0.file_name);
    for (std::size_t k = g.first; k < g.end; ++k) {
      if (header.signals[k].format != s0.format)
        throw InputError(fmt::format("{}: signals stored in {} have different formats", hea, s0.file_name));
      if (header.signals[k].byte_offset != s0.byte_offset)
        throw InputError(fmt::format("{}: signals stored in {} have different byte offsets", hea, s0.file_name));
      g.frame += static_cast<std::uint64_t>(header.signals[k].samples_per_frame);
      g.max_skew = std::max(g.max_skew, static_cast<std::uint64_t>(header.signals[k].skew));
    }
    g.file_size = files.size(g.path);
    if (static_cast<std::uint64_t>(s0.byte_offset) > g.file_size)
      throw InputError(fmt::format("{}: byte offset {} lies beyond the end of the file ({} bytes)", g.path, s0.byte_offset,
                                   g.file_size));
    g.frames = samples_in(s0.format, g.file_size - static_cast<std::uint64_t>(s0.byte_offset)) / g.frame;
    groups.push_back(g);
    i = g.end;
  }
  // Frames of the record: the header's count, else what every file holds (less the skew,
  // as WFDB reads a skewed signal ahead of the others).
  std::uint64_t n_frames = static_cast<std::uint64_t>(header.n_samples);
  if (header.n_samples == 0 && !groups.empty()) {
    n_frames = UINT64_MAX;
    for (const auto& g : groups) n_frames = std::min(n_frames, g.frames > g.max_skew ? g.frames - g.max_skew : 0);
  }
  std::uint64_t total_per_frame = 0;
  for (const auto& g : groups) {
    const SignalSpec& s0 = header.signals[g.first];
    const std::uint64_t need = n_frames > UINT64_MAX / g.frame ? UINT64_MAX : n_frames * g.frame;
    const std::uint64_t need_bytes = bytes_for(s0.format, need);
    if (g.frames < n_frames)
      throw InputError(fmt::format("{}: truncated: the header says {} frames ({} bytes) but the file has {} bytes", g.path,
                                   n_frames, need_bytes == UINT64_MAX ? std::string("too many")
                                                                      : std::to_string(need_bytes + static_cast<std::uint64_t>(s0.byte_offset)),
                                   g.file_size));
    total_per_frame += g.frame;
  }
  if (n_frames > 0 && total_per_frame > 0 && n_frames > kMaxRecordSamples / total_per_frame)
    throw InputError(fmt::format("{}: {} frames of {} samples is more than this reader takes ({} samples per record)", hea,
                                 n_frames, total_per_frame, kMaxRecordSamples));
  std::uint64_t to_read = 0;  // samples read, with the frames a skew reaches into
  for (const auto& g : groups) to_read += std::min(g.frames, n_frames + g.max_skew) * g.frame;
  if (to_read > 2 * kMaxRecordSamples)
    throw InputError(fmt::format("{}: the signals' skew reaches {} samples into the files, more than this reader takes", hea,
                                 to_read));

  Signals out;
  out.samples.resize(header.signals.size());
  out.checksum_ok.assign(header.signals.size(), true);
  out.checksum_data.assign(header.signals.size(), 0);
  out.n_frames = static_cast<long>(n_frames);
  for (const auto& g : groups) {
    const SignalSpec& s0 = header.signals[g.first];
    // Read the record's frames and, where the file has them, the frames a skew reaches into.
    const std::uint64_t frames = std::min(g.frames, n_frames + g.max_skew);
    const auto bytes = files.read(g.path, static_cast<std::uint64_t>(s0.byte_offset),
                                  static_cast<std::size_t>(bytes_for(s0.format, frames * g.frame)));
    const std::uint8_t* data = bytes.data();
    std::size_t col = 0;
    for (std::size_t k = g.first; k < g.end; ++k) {
      const SignalSpec& sk = header.signals[k];
      const auto spf = static_cast<std::size_t>(sk.samples_per_frame);
      const auto skew = static_cast<std::uint64_t>(sk.skew);
      auto& dst = out.samples[k];
      dst.resize(static_cast<std::size_t>(n_frames) * spf);
      std::int64_t sum = 0;  // WFDB checksum: the signal's samples in file frames 0..n-1
      for (std::uint64_t t = 0; t < n_frames; ++t)
        for (std::size_t q = 0; q < spf; ++q) {
          sum += sample_at(s0.format, data, static_cast<std::size_t>(t * g.frame) + col + q);
          const std::uint64_t ft = t + skew;  // the skewed sample's frame
          const std::size_t i = static_cast<std::size_t>(t) * spf + q;
          dst[i] = ft < frames ? sample_at(s0.format, data, static_cast<std::size_t>(ft * g.frame) + col + q)
                               : (i >= spf ? dst[i - spf] : 0);
        }
      col += spf;
      out.checksum_data[k] = static_cast<int>(static_cast<std::uint16_t>(sum & 0xFFFF));
      if (sk.has_checksum) out.checksum_ok[k] = ((sum - sk.checksum) & 0xFFFF) == 0;
    }
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
        a.aux = printable(a.aux);  // safe for the terminal and for JSON
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

std::vector<Annotation> read_annotations(const std::string& path, const FileSource& files) {
  return parse_annotations(read_whole(files, path, kMaxAnnotationBytes, "an annotation file"), path);
}

int Record::lead_index(const std::string& lead) const {
  std::string have;
  for (std::size_t i = 0; i < header.signals.size(); ++i) {
    if (header.signals[i].description == lead) return static_cast<int>(i);
    have += (have.empty() ? "" : ", ") + header.signals[i].description;
  }
  throw InputError(fmt::format("{}: record {} has no signal '{}' (it has: {})", header.origin, header.name, shorten(lead),
                               have.empty() ? "none" : have));
}

std::string Record::signal_path(int s) const {
  return dir_join(dir, header.signals.at(static_cast<std::size_t>(s)).file_name);
}

double Record::physical(int s, long i) const {
  const auto& sp = header.signals[static_cast<std::size_t>(s)];
  return (signals.samples[static_cast<std::size_t>(s)][static_cast<std::size_t>(i)] - sp.baseline) / sp.adc_gain;
}

Record read_record(const std::string& dir, const std::string& name, const std::string& annotator, const FileSource& files) {
  Record r;
  r.dir = dir;
  const std::string hea = dir_join(dir, name + ".hea");
  r.header = read_header(hea, files);
  if (r.header.name != name)
    throw InputError(fmt::format("{}: the header is for record '{}', not '{}' (its file name)", hea, shorten(r.header.name),
                                 shorten(name)));
  r.signals = read_signals(r.header, dir, files);
  if (r.header.n_samples == 0) r.header.n_samples = r.signals.n_frames;  // decoded from the file
  r.annotation_path = dir_join(dir, name + "." + annotator);
  r.annotations = read_annotations(r.annotation_path, files);
  const long n = r.header.n_samples;
  for (const auto& a : r.annotations)
    if (a.sample > n)
      throw InputError(fmt::format("{}: annotation at sample {} lies beyond the record's {} samples", r.annotation_path,
                                   a.sample, n));
  return r;
}

}  // namespace ecg
