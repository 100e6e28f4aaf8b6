// Hostile and odd input (issue 13): every case is an InputError naming the file, or a
// correct read of valid WFDB; nothing crashes, hangs, exhausts memory or misreads silently.
// All files are written in a TempDir; the data folder is only read.
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <functional>
#include <numeric>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ecg/beats.h"
#include "ecg/data.h"
#include "ecg/error.h"
#include "ecg/wfdb.h"
#include "test_support.h"

namespace ecg {
namespace {

using test::data_dir;
using test::TempDir;

// The InputError's message, which must be one line containing every needle.
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    for (char c : m) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 && c != '\t') << "control byte in: " << m;
    return m;
  }
  ADD_FAILURE() << "no InputError";
  return "";
}

void expect_error(const std::function<void()>& f, std::initializer_list<const char*> needles) {
  const std::string m = error_of(f);
  for (const char* n : needles) EXPECT_NE(m.find(n), std::string::npos) << "'" << n << "' not in: " << m;
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto p = s.find(from);
  EXPECT_NE(p, std::string::npos) << from;
  if (p != std::string::npos) s.replace(p, from.size(), to);
  return s;
}

// A copy of record 100 whose header is edited by `edit`.
struct Copy100 {
  TempDir t;
  explicit Copy100(const std::function<std::string(std::string)>& edit = nullptr) {
    t.copy_record("100");
    if (edit) test::write_file(t.file("100.hea"), edit(test::read_file(t.file("100.hea"))));
  }
  std::string dir() const { return t.path().string(); }
  Record read() const { return read_record(dir(), "100"); }
};

std::vector<std::uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

// ---- 1. non-UTF-8 text must reach JSON as valid UTF-8 ----------------------------------------

TEST(WfdbHostile, NonUtf8HeaderAndAuxTextIsValidUtf8ForJson) {
  MemoryFiles m;
  m.files["r.hea"] = bytes_of("r 1 360 4\nr.dat 16 200/m\xff\xfeV 16 0 0 0 0 ML\xc0II \xe2\x82\xac\n# caf\xe9 \x1b[31mred\n");
  m.files["r.dat"] = std::vector<std::uint8_t>(8, 0);
  std::vector<std::uint8_t> atr = {2, 4};  // N at sample 2
  atr.push_back(3);                        // AUX, 3 bytes: "\xff\x1b!" + pad
  atr.push_back(kAux << 2);
  for (int c : {0xFF, 0x1B, 0x21, 0}) atr.push_back(static_cast<std::uint8_t>(c));
  atr.push_back(0);
  atr.push_back(0);
  m.files["r.atr"] = atr;
  const Record r = read_record("", "r", "atr", m);
  EXPECT_EQ(r.header.signals[0].units, "m\\xff\\xfeV");
  EXPECT_EQ(r.header.signals[0].description, "ML\\xc0II \xe2\x82\xac");  // valid UTF-8 (the euro sign) is kept
  EXPECT_EQ(r.header.comments[0], " caf\\xe9 \\x1b[31mred");
  EXPECT_EQ(r.annotations.at(0).aux, "\\xff\\x1b!");
  nlohmann::json j = {{"units", r.header.signals[0].units}, {"desc", r.header.signals[0].description},
                      {"comments", r.header.comments}, {"aux", r.annotations[0].aux}};
  EXPECT_NO_THROW((void)j.dump());  // the strict encoder throws on invalid UTF-8
}

TEST(WfdbHostile, PrintableEscapesControlAndInvalidBytes) {
  EXPECT_EQ(printable("ok \xc3\xa9\t"), "ok \xc3\xa9\t");
  EXPECT_EQ(printable("a\nb\rc\x1b\x7f"), "a\\nb\\rc\\x1b\\x7f");
  EXPECT_EQ(printable("\xc2\x9b"), "\\xc2\\x9b");        // C1 control (CSI)
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // UTF-16 surrogate
  EXPECT_EQ(printable("\xe2\x82"), "\\xe2\\x82");        // cut sequence
  EXPECT_EQ(printable(std::string("a\0b", 3)), "a\\x00b");
  const std::string s = shorten(std::string(5000, 'x'), 80);
  EXPECT_LT(s.size(), 120u);
  EXPECT_NE(s.find("5000 bytes"), std::string::npos);
  EXPECT_EQ(InputError("x\ny").what(), std::string("x\\ny"));
}

// ---- 2. sizes a header implies are checked against the file before allocating ----------------

TEST(WfdbHostile, HugeSampleCountsAreCheckedAgainstTheFileSize) {
  Copy100 a([](std::string h) { return replace(h, "650000", "2147483648"); });
  expect_error([&] { a.read(); }, {"100.dat: truncated", "2147483648 frames"});
  Copy100 b([](std::string h) { return replace(h, "650000", "9223372036854775807"); });
  expect_error([&] { b.read(); }, {"100.dat: truncated"});
  Copy100 c([](std::string h) { return replace(h, "100.dat 212", "100.dat 212x65536"); });
  expect_error([&] { c.read(); }, {"100.dat: truncated"});
  Copy100 d([](std::string h) { return replace(h, "100.dat 212", "100.dat 212x99999999"); });
  expect_error([&] { d.read(); }, {"100.hea:2: samples per frame 99999999 is out of range (1..65536)"});
}

TEST(WfdbHostile, SparseHugeFileWithoutCountIsRefusedBeforeReading) {
  TempDir t;
  test::write_file(t.file("s.hea"), "s 1 360\ns.dat 16\n");
  test::write_file(t.file("s.atr"), std::string(2, '\0'));
  test::write_file(t.file("s.dat"), "");
  std::filesystem::resize_file(t.file("s.dat"), 2ull << 30);  // 2 GiB, sparse: no disk used
  expect_error([&] { read_record(t.path().string(), "s"); }, {"s.hea:", "more than this reader takes"});
  // A small count with a huge skew would read a huge part of the file: refused as well.
  test::write_file(t.file("s.hea"), "s 1 360 10\ns.dat 16:1000000000\n");
  expect_error([&] { read_record(t.path().string(), "s"); }, {"s.hea: the signals' skew reaches"});
}

TEST(WfdbHostile, OversizedHeaderAndAnnotationFilesAreRefused) {
  MemoryFiles m;
  m.files["h.hea"] = std::vector<std::uint8_t>(kMaxHeaderBytes + 1, '#');
  expect_error([&] { read_header("h.hea", m); }, {"h.hea: ", "too large for a header"});
  m.files["a.atr"] = std::vector<std::uint8_t>(kMaxAnnotationBytes + 2, 0);
  expect_error([&] { read_annotations("a.atr", m); }, {"a.atr: ", "too large for an annotation file"});
}

// ---- 3. files that are not regular files -------------------------------------------------------

TEST(WfdbHostile, DirectoriesFifosDevicesAndLinksAreRefusedByName) {
  Copy100 c;
  const auto dat = c.t.file("100.dat"), atr = c.t.file("100.atr"), hea = c.t.file("100.hea");
  std::filesystem::remove(dat);
  std::filesystem::create_directory(dat);
  expect_error([&] { c.read(); }, {"100.dat: is a directory, not a regular file"});
  std::filesystem::remove(dat);
  ASSERT_EQ(::mkfifo(dat.c_str(), 0600), 0);  // nobody writes: an open without O_NONBLOCK would hang
  expect_error([&] { c.read(); }, {"100.dat: is a FIFO"});
  std::filesystem::remove(dat);
  std::filesystem::create_symlink("/dev/zero", dat);  // endless: read to the end, it exhausts memory
  expect_error([&] { c.read(); }, {"100.dat: is a link to a character device"});
  std::filesystem::remove(dat);
  std::filesystem::copy_file(std::filesystem::path(data_dir()) / "100.dat", dat);
  std::filesystem::remove(atr);
  ASSERT_EQ(::mkfifo(atr.c_str(), 0600), 0);
  expect_error([&] { c.read(); }, {"100.atr: is a FIFO"});
  std::filesystem::remove(hea);
  std::filesystem::create_directory(hea);
  expect_error([&] { c.read(); }, {"100.hea: is a directory"});
  expect_error([&] { resolve_records("100", c.dir()); }, {"100.hea: is a directory"});
}

// ---- 4. signal files stay beside their header --------------------------------------------------

TEST(WfdbHostile, SignalFileNamesCannotLeaveTheRecordFolder) {
  for (const char* name : {"../x/100.dat", "../../etc/passwd", "/etc/passwd", "..", "sub/100.dat"}) {
    Copy100 c([&](std::string h) {
      for (int i = 0; i < 2; ++i) h = replace(h, "100.dat ", std::string(name) + "\x01 ");
      for (int i = 0; i < 2; ++i) h = replace(h, std::string(name) + "\x01 ", std::string(name) + " ");
      return h;
    });
    expect_error([&] { c.read(); }, {"100.hea:2: signal file '", "is not a plain file name"});
  }
  expect_error([] { parse_header("r 1\nr\x1b.dat 16\n", "r.hea"); }, {"r.hea:2: signal file name 'r\\x1b.dat'"});
}

// ---- 5. silent misreads --------------------------------------------------------------------------

TEST(BeatsHostile, ChecksumMismatchIsAnErrorUnlessAllowed) {
  Copy100 c;
  auto dat = test::read_file(c.t.file("100.dat"));
  dat[30000] = static_cast<char>(dat[30000] ^ 0x5A);  // a flipped byte in MLII and V5
  test::write_file(c.t.file("100.dat"), dat);
  const Record r = c.read();  // reading alone is fine: inspect reports the mismatch
  EXPECT_FALSE(r.signals.checksum_ok[0]);
  expect_error([&] { record_beats(r, InputSpec{}); }, {"100.dat: checksum mismatch in signal 0 (MLII)",
                                                       "--allow-checksum-mismatch"});
  expect_error([&] { load_beats(c.dir(), {"100"}, InputSpec{}, 1); }, {"100.dat: checksum mismatch"});
  std::vector<ChecksumMismatch> found;
  const auto beats = load_beats(c.dir(), {"100"}, InputSpec{}, 1, LoadOptions{true}, &found);
  EXPECT_GT(beats.size(), 2000u);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].record, "100");
  EXPECT_EQ(found[0].signal, 0);
  EXPECT_EQ(found[0].description, "MLII");
  EXPECT_NE(found[0].header_checksum, found[0].data_checksum);
  EXPECT_EQ(found[0].header_checksum, (-22131) & 0xFFFF);  // 100.hea's MLII checksum
}

TEST(BeatsHostile, WrongFormatInHeaderIsCaughtByTheChecksum) {
  // The header says 212 while the file holds the same samples as format 16.
  const Record orig = read_record(data_dir(), "100");
  Copy100 c;
  std::string f16;
  for (long t = 0; t < 650000; ++t)
    for (int s = 0; s < 2; ++s) {
      const int v = orig.signals.samples[static_cast<std::size_t>(s)][static_cast<std::size_t>(t)];
      f16 += static_cast<char>(v & 0xFF);
      f16 += static_cast<char>((v >> 8) & 0xFF);
    }
  test::write_file(c.t.file("100.dat"), f16);
  expect_error([&] { load_beats(c.dir(), {"100"}, InputSpec{}, 1); }, {"100.dat: checksum mismatch in signal 0"});
  // With format 16 in the header the same file reads as the original.
  test::write_file(c.t.file("100.hea"), [&] {
    std::string h = test::read_file(std::string(data_dir()) + "/100.hea");
    for (int i = 0; i < 2; ++i) h = replace(h, "100.dat 212", "100.dat 16");
    return h;
  }());
  const Record r = c.read();
  EXPECT_TRUE(r.signals.checksum_ok[0] && r.signals.checksum_ok[1]);
  EXPECT_EQ(r.signals.samples, orig.signals.samples);
}

TEST(WfdbHostile, InvalidGainAndSamplingFrequencyAreRefused) {
  for (const char* g : {"nan", "inf", "-inf", "0", "-200", "1e-300", "1e300"}) {
    const std::string h = std::string("r 1 360 4\nr.dat 16 ") + g + " 16 0 0\n";
    expect_error([&] { parse_header(h, "r.hea"); }, {"r.hea:2: ADC gain"});
  }
  for (const char* fs : {"inf", "nan", "0", "-1", "1e-300", "1e-5", "1e9"}) {
    const std::string h = std::string("r 1 ") + fs + " 4\nr.dat 16\n";
    expect_error([&] { parse_header(h, "r.hea"); }, {"r.hea:1: sampling frequency"});
  }
  EXPECT_DOUBLE_EQ(parse_header("r 1 0.5 4\nr.dat 16 1e-3/uV\n", "r.hea").signals[0].adc_gain, 1e-3);
}

TEST(BeatsHostile, OnlyRecords102And104MayLackMlii) {
  Copy100 c([](std::string h) { return replace(h, " MLII", " II"); });
  const Record r = c.read();
  expect_error([&] { lead_signal(r, "MLII"); }, {"100.hea: record 100 has no signal 'MLII' (it has: II, V5)"});
  expect_error([&] { load_beats(c.dir(), {"100"}, InputSpec{}, 1); }, {"100.hea: record 100 has no signal 'MLII'"});
  for (const char* name : {"102", "104"}) {
    const Record p = read_record(data_dir(), name);
    EXPECT_EQ(lead_signal(p, "MLII"), 0) << name;  // V5, as docs/beats.md says
    EXPECT_EQ(p.header.signals[0].description, "V5");
  }
  expect_error([&] { lead_signal(read_record(data_dir(), "102"), "V1"); }, {"102.hea: record 102 has no signal 'V1'"});
}

TEST(WfdbHostile, HeaderRecordNameMustMatchItsFileName) {
  TempDir t;
  for (const char* ext : {".hea", ".dat", ".atr"})
    std::filesystem::copy_file(std::filesystem::path(data_dir()) / (std::string("100") + ext), t.path() / (std::string("101") + ext));
  expect_error([&] { read_record(t.path().string(), "101"); }, {"101.hea: the header is for record '100', not '101'"});
}

// ---- 6. valid WFDB read as WFDB reads it ---------------------------------------------------------

std::string le16(const std::vector<int>& v) {
  std::string s;
  for (int x : v) {
    s += static_cast<char>(x & 0xFF);
    s += static_cast<char>((x >> 8) & 0xFF);
  }
  return s;
}

TEST(WfdbHostile, SkewShiftsASignalByWholeFrames) {
  // Two interleaved format-16 signals, 8 frames in the file; signal 1 has skew 3: its sample
  // i is in frame i + 3. The last 3 samples of signal 1 are past its data and repeat its last.
  std::vector<int> inter;
  for (int t = 0; t < 8; ++t) {
    inter.push_back(100 + t);
    inter.push_back(200 + t);
  }
  MemoryFiles m;
  m.files["k.dat"] = bytes_of(le16(inter));
  m.files["k.atr"] = {0, 0};
  const int sum0 = 100 * 8 + 28, sum1 = 200 * 8 + 28;
  m.files["k.hea"] = bytes_of("k 2 360 8\nk.dat 16 200 16 0 100 " + std::to_string(sum0) + " 0 a\nk.dat 16:3 200 16 0 200 " +
                              std::to_string(sum1) + " 0 b\n");
  const Record r = read_record("", "k", "atr", m);
  EXPECT_EQ(r.header.n_samples, 8);
  EXPECT_EQ(r.signals.samples[0], (std::vector<int>{100, 101, 102, 103, 104, 105, 106, 107}));
  EXPECT_EQ(r.signals.samples[1], (std::vector<int>{203, 204, 205, 206, 207, 207, 207, 207}));
  EXPECT_TRUE(r.signals.checksum_ok[0] && r.signals.checksum_ok[1]);  // WFDB sums the file's frames
}

TEST(WfdbHostile, Skew212AsInPhysioNetMultiSignalRecords) {
  // 100.dat with "212:3" on V5: V5 sample i is the original sample i + 3.
  Copy100 c([](std::string h) {
    const auto second = h.find("100.dat 212", h.find("100.dat 212") + 1);
    h.replace(second, 11, "100.dat 212:3");
    return h;
  });
  const Record orig = read_record(data_dir(), "100");
  const Record r = c.read();
  EXPECT_EQ(r.signals.samples[0], orig.signals.samples[0]);
  for (std::size_t i = 0; i + 3 < 650000; i += 997) ASSERT_EQ(r.signals.samples[1][i], orig.signals.samples[1][i + 3]) << i;
  EXPECT_EQ(r.signals.samples[1][649999], orig.signals.samples[1][649999]);  // padded with the last sample
  EXPECT_TRUE(r.signals.checksum_ok[1]);
}

// Format 310/311 files of n samples, packed as WFDB's w310/w311 write them (signal.c).
std::string pack31x(int format, const std::vector<int>& v) {
  std::string out;
  auto w16 = [&](unsigned w) {
    out += static_cast<char>(w & 0xFF);
    out += static_cast<char>((w >> 8) & 0xFF);
  };
  for (std::size_t i = 0; i < v.size(); i += 3) {
    const unsigned a = static_cast<unsigned>(v[i]) & 0x3FF;
    const unsigned b = i + 1 < v.size() ? static_cast<unsigned>(v[i + 1]) & 0x3FF : 0;
    const unsigned c = i + 2 < v.size() ? static_cast<unsigned>(v[i + 2]) & 0x3FF : 0;
    const std::size_t left = v.size() - i;
    if (format == 310) {
      w16((a << 1) | ((c & 0x1F) << 11));
      if (left >= 2) w16((b << 1) | ((c >> 5) << 11));
    } else {
      w16(a | ((b & 0x3F) << 10));
      if (left >= 2) w16((b >> 6) | (c << 4));
    }
  }
  return out;
}

TEST(WfdbHostile, Formats310And311WithPartialLastGroup) {
  for (int format : {310, 311}) {
    std::vector<int> v(499);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int>((i * 37) % 1024) - 512;
    const std::string dat = pack31x(format, v);
    ASSERT_EQ(dat.size(), 666u);  // the 499-sample, 666-byte file
    const int sum = std::accumulate(v.begin(), v.end(), 0);
    for (const char* count : {" 499", ""}) {
      MemoryFiles m;
      m.files["f.dat"] = bytes_of(dat);
      m.files["f.atr"] = {0, 0};
      m.files["f.hea"] = bytes_of("f 1 360" + std::string(count) + "\nf.dat " + std::to_string(format) + " 200 10 0 " +
                                  std::to_string(v[0]) + " " + std::to_string(sum) + " 0 x\n");
      const Record r = read_record("", "f", "atr", m);
      EXPECT_EQ(r.signals.samples[0], v) << format << count;
      EXPECT_EQ(r.header.n_samples, 499) << format << count;  // decoded when the header has no count
      EXPECT_TRUE(r.signals.checksum_ok[0]);
    }
  }
}

TEST(WfdbHostile, HeaderWithoutSampleCountReportsTheDecodedCount) {
  Copy100 c([](std::string h) { return replace(h, " 650000", ""); });
  const Record r = c.read();
  EXPECT_EQ(r.header.n_samples, 650000);
  EXPECT_EQ(r.signals.samples[1].size(), 650000u);
  EXPECT_TRUE(r.signals.checksum_ok[0] && r.signals.checksum_ok[1]);
}

// ---- 7. clear messages ---------------------------------------------------------------------------

TEST(WfdbHostile, MessagesAreClearForAbsurdValues) {
  expect_error([] { parse_header("r 99999999999 360\n", "r.hea"); }, {"r.hea:1: number of signals 99999999999 is out of range (0..4096)"});
  expect_error([] { parse_header("r 1 360 4\nr.dat 212x4294967297\n", "r.hea"); },
               {"r.hea:2: samples per frame 4294967297 is out of range"});
  expect_error([] { parse_header("r 1 360 4\nr.dat 212:-3\n", "r.hea"); }, {"r.hea:2: skew -3 is out of range"});
  const std::string long_name(5000, 'a');
  const std::string m = error_of([&] { resolve_records(long_name, data_dir()); });
  EXPECT_NE(m.find("--records: record name 'aaa"), std::string::npos) << m;
  EXPECT_LT(m.size(), 300u);
  MemoryFiles mf;
  mf.files["r.hea"] = bytes_of(long_name + " 0\n");
  mf.files["r.atr"] = {0, 0};
  const std::string m2 = error_of([&] { read_record("", "r", "atr", mf); });
  EXPECT_NE(m2.find("r.hea: the header is for record 'aaa"), std::string::npos) << m2;
  EXPECT_LT(m2.size(), 300u);
  expect_error([&] { resolve_records("../x", data_dir(), "--record"); }, {"--record: '../x' is neither"});
  // Control bytes from a header are escaped in messages, never echoed raw.
  expect_error([] { parse_header("r \x1b[2J 360\n", "r.hea"); }, {"bad number of signals '\\x1b[2J'"});
}

TEST(WfdbHostile, MemoryFilesDriveTheWholeRecordPath) {
  // The fuzzer's path: header, signals and annotations from memory, then beats.
  const Record disk = read_record(data_dir(), "100");
  MemoryFiles m;
  for (const char* ext : {".hea", ".dat", ".atr"}) m.files[std::string("100") + ext] = bytes_of(test::read_file(data_dir() + "/100" + ext));
  const Record mem = read_record("", "100", "atr", m);
  EXPECT_EQ(mem.signals.samples, disk.signals.samples);
  EXPECT_EQ(mem.annotations.size(), disk.annotations.size());
  EXPECT_EQ(record_beats(mem, InputSpec{}).size(), extract_beats(disk, InputSpec{}).size());
  expect_error([&] { read_record("", "101", "atr", m); }, {"101.hea: cannot open file"});
}

}  // namespace
}  // namespace ecg
