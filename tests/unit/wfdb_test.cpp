#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "ecg/data.h"
#include "ecg/error.h"
#include "ecg/wfdb.h"
#include "test_support.h"

namespace ecg {
namespace {

using test::data_dir;
using test::TempDir;

TEST(Wfdb, Record100MatchesPhysioNetFacts) {
  const Record r = read_record(data_dir(), "100");
  EXPECT_EQ(r.header.n_samples, 650000);
  EXPECT_DOUBLE_EQ(r.header.fs, 360.0);
  ASSERT_EQ(r.header.signals.size(), 2u);
  EXPECT_EQ(r.header.signals[0].description, "MLII");
  EXPECT_EQ(r.header.signals[1].description, "V5");
  EXPECT_EQ(r.header.signals[0].format, 212);
  EXPECT_DOUBLE_EQ(r.header.signals[0].adc_gain, 200.0);
  EXPECT_EQ(r.header.signals[0].baseline, 1024);
  ASSERT_EQ(r.signals.samples[0].size(), 650000u);
  EXPECT_EQ(r.signals.samples[0][0], 995);
  EXPECT_EQ(r.signals.samples[1][0], 1011);
  EXPECT_TRUE(r.signals.checksum_ok[0]);
  EXPECT_TRUE(r.signals.checksum_ok[1]);
  std::map<char, int> beats;
  for (const auto& a : r.annotations)
    if (a.is_beat()) beats[a.symbol()]++;
  EXPECT_EQ(beats['N'], 2239);
  EXPECT_EQ(beats['A'], 33);
  EXPECT_EQ(beats['V'], 1);
  EXPECT_EQ(beats.size(), 3u);
  ASSERT_FALSE(r.annotations.empty());
  EXPECT_EQ(r.annotations[0].aux, "(N");  // rhythm annotation at the start
}

TEST(Wfdb, AllRecordChecksumsVerify) {
  for (const auto& name : record_set("all")) {
    const Record r = read_record(data_dir(), name);
    for (std::size_t s = 0; s < r.signals.checksum_ok.size(); ++s)
      EXPECT_TRUE(r.signals.checksum_ok[s]) << "record " << name << " signal " << s;
    EXPECT_EQ(r.signals.samples[0].size(), 650000u) << name;
  }
}

// The per-record beat counts published by PhysioNet (MIT-BIH Arrhythmia Database
// Directory, "Table of beat types") must equal what our reader counts.
TEST(Wfdb, BeatCountsMatchPublishedTable) {
  std::ifstream in(ECG_TEST_TABLE);
  ASSERT_TRUE(in) << ECG_TEST_TABLE;
  std::string line;
  std::vector<std::string> cols;
  int rows = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, ',');) f.push_back(c);
    if (cols.empty()) {
      cols = f;
      continue;
    }
    ++rows;
    const Record r = read_record(data_dir(), f[0]);
    std::map<std::string, int> counted;
    for (const auto& a : r.annotations)
      if (a.is_beat()) counted[a.mnemonic()]++;
    int published_total = 0;
    for (std::size_t c = 1; c < cols.size(); ++c) {
      const int published = std::stoi(f[c]);
      published_total += published;
      EXPECT_EQ(counted[cols[c]], published) << "record " << f[0] << " symbol " << cols[c];
    }
    int total = 0;
    for (auto& [k, v] : counted) total += v;
    EXPECT_EQ(total, published_total) << "record " << f[0];
  }
  EXPECT_EQ(rows, 48);
}

TEST(WfdbHeader, ParsesCrlfCommentsAndFields) {
  const auto h = parse_header(
      "# leading comment\r\nrec 2 250/1(0) 1000\r\nrec.dat 16x2:1+24 100(5)/uV 12 3 7 -4 0 lead I\r\n"
      "rec.dat 16\r\n",
      "rec.hea");
  EXPECT_EQ(h.name, "rec");
  EXPECT_DOUBLE_EQ(h.fs, 250.0);
  EXPECT_EQ(h.n_samples, 1000);
  ASSERT_EQ(h.signals.size(), 2u);
  const auto& s = h.signals[0];
  EXPECT_EQ(s.format, 16);
  EXPECT_EQ(s.samples_per_frame, 2);
  EXPECT_EQ(s.skew, 1);
  EXPECT_EQ(s.byte_offset, 24);
  EXPECT_DOUBLE_EQ(s.adc_gain, 100.0);
  EXPECT_EQ(s.baseline, 5);
  EXPECT_EQ(s.units, "uV");
  EXPECT_EQ(s.adc_zero, 3);
  EXPECT_EQ(s.initial_value, 7);
  EXPECT_EQ(s.checksum, -4);
  EXPECT_EQ(s.description, "lead I");
  EXPECT_DOUBLE_EQ(h.signals[1].adc_gain, 200.0);  // no gain field: the default gain
  EXPECT_EQ(h.signals[1].baseline, 0);             // baseline defaults to ADC zero
  ASSERT_EQ(h.comments.size(), 1u);
}

// Round trip of every supported format through a synthetic record.
void write_bytes(const std::string& path, const std::vector<std::uint8_t>& b) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

TEST(WfdbSignals, DecodesFormats16_80_212_310_311) {
  TempDir t;
  const std::vector<int> v = {-512, 511, 0, -1, 100, -100};
  // format 16: little-endian int16
  std::vector<std::uint8_t> f16;
  for (int x : v) {
    f16.push_back(static_cast<std::uint8_t>(x & 0xFF));
    f16.push_back(static_cast<std::uint8_t>((x >> 8) & 0xFF));
  }
  write_bytes(t.file("a.dat"), f16);
  // format 80: offset binary bytes
  std::vector<std::uint8_t> f80;
  for (int x : {-128, 127, 0, -1, 100, -100}) f80.push_back(static_cast<std::uint8_t>(x + 128));
  write_bytes(t.file("b.dat"), f80);
  // format 212: pairs of 12-bit samples in 3 bytes
  std::vector<std::uint8_t> f212;
  for (std::size_t i = 0; i < v.size(); i += 2) {
    const unsigned a = static_cast<unsigned>(v[i]) & 0xFFF, b = static_cast<unsigned>(v[i + 1]) & 0xFFF;
    f212.push_back(static_cast<std::uint8_t>(a & 0xFF));
    f212.push_back(static_cast<std::uint8_t>(((a >> 8) & 0x0F) | ((b >> 4) & 0xF0)));
    f212.push_back(static_cast<std::uint8_t>(b & 0xFF));
  }
  write_bytes(t.file("c.dat"), f212);
  // format 311: three 10-bit samples per 32-bit word
  std::vector<std::uint8_t> f311, f310;
  for (std::size_t i = 0; i < v.size(); i += 3) {
    const std::uint32_t w = (static_cast<unsigned>(v[i]) & 0x3FF) | ((static_cast<unsigned>(v[i + 1]) & 0x3FF) << 10) |
                            ((static_cast<unsigned>(v[i + 2]) & 0x3FF) << 20);
    for (int k = 0; k < 4; ++k) f311.push_back(static_cast<std::uint8_t>((w >> (8 * k)) & 0xFF));
    // format 310: s0 in bits 1-10 of word 0, s1 in bits 1-10 of word 1, s2 split 5+5 in bits 11-15.
    const unsigned a = static_cast<unsigned>(v[i]) & 0x3FF, b = static_cast<unsigned>(v[i + 1]) & 0x3FF,
                   c = static_cast<unsigned>(v[i + 2]) & 0x3FF;
    const unsigned w0 = (a << 1) | ((c & 0x1F) << 11), w1 = (b << 1) | ((c >> 5) << 11);
    for (unsigned w16 : {w0, w1}) {
      f310.push_back(static_cast<std::uint8_t>(w16 & 0xFF));
      f310.push_back(static_cast<std::uint8_t>((w16 >> 8) & 0xFF));
    }
  }
  write_bytes(t.file("d.dat"), f311);
  write_bytes(t.file("e.dat"), f310);
  const std::string hea =
      "syn 5 360 6\na.dat 16 200 16 0 0\nb.dat 80 200 8 0 0\nc.dat 212 200 12 0 0\nd.dat 311 200 10 0 0\n"
      "e.dat 310 200 10 0 0\n";
  const auto h = parse_header(hea, "syn.hea");
  const auto s = read_signals(h, t.path().string());
  EXPECT_EQ(s.samples[0], v);
  EXPECT_EQ(s.samples[1], (std::vector<int>{-128, 127, 0, -1, 100, -100}));
  EXPECT_EQ(s.samples[2], v);
  EXPECT_EQ(s.samples[3], v);
  EXPECT_EQ(s.samples[4], v);
}

// Annotation stream builder for the MIT format.
struct AnnWriter {
  std::vector<std::uint8_t> b;
  void word(int code, int arg) {
    const unsigned w = (static_cast<unsigned>(code) << 10) | (static_cast<unsigned>(arg) & 0x3FF);
    b.push_back(static_cast<std::uint8_t>(w & 0xFF));
    b.push_back(static_cast<std::uint8_t>(w >> 8));
  }
  void skip(std::int32_t n) {
    word(kSkip, 0);
    const auto u = static_cast<std::uint32_t>(n);
    for (unsigned half : {u >> 16, u & 0xFFFF}) {
      b.push_back(static_cast<std::uint8_t>(half & 0xFF));
      b.push_back(static_cast<std::uint8_t>(half >> 8));
    }
  }
  void aux(const std::string& s) {
    word(kAux, static_cast<int>(s.size()));
    b.insert(b.end(), s.begin(), s.end());
    if (s.size() % 2) b.push_back(0);
  }
};

TEST(WfdbAnnotations, DecodesSkipNumSubChnAux) {
  AnnWriter w;
  w.word(28, 18);  // '+' rhythm at 18
  w.aux("(AFIB");  // odd length: padded
  w.word(1, 100);  // N at 118
  w.word(kSub, 3);
  w.word(kChn, 1);
  w.word(kNum, 5);
  w.skip(5000);  // long gap
  w.word(5, 2);  // V at 118 + 5000 + 2
  w.aux("ab");   // even length
  w.word(0, 0);
  const auto a = parse_annotations(w.b, "t.atr");
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].sample, 18);
  EXPECT_EQ(a[0].symbol(), '+');
  EXPECT_EQ(a[0].aux, "(AFIB");
  EXPECT_FALSE(a[0].is_beat());
  EXPECT_EQ(a[1].sample, 118);
  EXPECT_EQ(a[1].subtype, 3);
  EXPECT_EQ(a[1].chan, 1);
  EXPECT_EQ(a[1].num, 5);
  EXPECT_TRUE(a[1].is_beat());
  EXPECT_EQ(a[2].sample, 5120);
  EXPECT_EQ(a[2].symbol(), 'V');
  EXPECT_EQ(a[2].chan, 1);  // CHN and NUM carry over
  EXPECT_EQ(a[2].num, 5);
  EXPECT_EQ(a[2].subtype, 0);
  EXPECT_EQ(a[2].aux, "ab");
}

// ---- bad input: each case is a clear InputError naming the file ------------------------------

void expect_input_error(const std::function<void()>& f, const std::string& needle) {
  try {
    f();
    FAIL() << "no error; expected one mentioning '" << needle << "'";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "message must be one line";
  }
}

TEST(WfdbBadInput, MissingFiles) {
  TempDir t;
  t.copy_record("100");
  std::filesystem::remove(t.file("100.dat"));
  expect_input_error([&] { read_record(t.path().string(), "100"); }, "100.dat: cannot open");
  expect_input_error([&] { read_record(t.path().string(), "999"); }, "999.hea: cannot open");
  t.copy_record("100");
  std::filesystem::remove(t.file("100.atr"));
  expect_input_error([&] { read_record(t.path().string(), "100"); }, "100.atr: cannot open");
}

TEST(WfdbBadInput, TruncatedDat) {
  TempDir t;
  t.copy_record("100");
  std::filesystem::resize_file(t.file("100.dat"), 1000000);
  expect_input_error([&] { read_record(t.path().string(), "100"); }, "100.dat: truncated");
}

TEST(WfdbBadInput, HeaderLiesAboutSampleCount) {
  TempDir t;
  t.copy_record("100");
  auto h = test::read_file(t.file("100.hea"));
  h.replace(h.find("650000"), 6, "900000");
  test::write_file(t.file("100.hea"), h);
  expect_input_error([&] { read_record(t.path().string(), "100"); }, "header says 900000 frames");
}

TEST(WfdbBadInput, UnknownFormatCode) {
  TempDir t;
  t.copy_record("100");
  auto h = test::read_file(t.file("100.hea"));
  h.replace(h.find("212"), 3, "999");
  test::write_file(t.file("100.hea"), h);
  expect_input_error([&] { read_record(t.path().string(), "100"); }, "unsupported signal format 999");
}

TEST(WfdbBadInput, MalformedHeaders) {
  expect_input_error([] { parse_header("", "x.hea"); }, "x.hea: no record line");
  expect_input_error([] { parse_header("x 2 360 10\nx.dat 212\n", "x.hea"); }, "declares 2 signals but has 1");
  expect_input_error([] { parse_header("x one 360\n", "x.hea"); }, "x.hea:1: bad number of signals 'one'");
  expect_input_error([] { parse_header("x 1 -5 10\nx.dat 16\n", "x.hea"); }, "sampling frequency must be > 0");
  expect_input_error([] { parse_header("x 1 360 10\nx.dat 16 2a0\n", "x.hea"); }, "x.hea:2: bad ADC gain");
  expect_input_error([] { parse_header("x 1 360 10\nx.dat\n", "x.hea"); }, "needs a file name and a format");
}

TEST(WfdbBadInput, TruncatedAnnotations) {
  TempDir t;
  t.copy_record("100");
  const auto full = test::read_file(t.file("100.atr"));
  test::write_file(t.file("100.atr"), full.substr(0, full.size() / 2));  // even cut: no EOF marker
  expect_input_error([&] { read_record(t.path().string(), "100"); }, "100.atr: truncated annotation file");
  test::write_file(t.file("100.atr"), full.substr(0, 1001));  // odd cut: half a word
  expect_input_error([&] { read_record(t.path().string(), "100"); }, "100.atr: truncated annotation file");
  AnnWriter w;
  w.word(1, 10);
  w.word(kAux, 20);  // AUX claims 20 bytes that are not there
  expect_input_error([&] { parse_annotations(w.b, "a.atr"); }, "AUX string cut off");
  AnnWriter s;
  s.word(kSkip, 0);
  s.b.push_back(0);
  expect_input_error([&] { parse_annotations(s.b, "s.atr"); }, "SKIP interval cut off");
}

TEST(WfdbBadInput, CorruptAnnotations) {
  AnnWriter w;
  w.word(1, 10);
  w.word(55, 3);  // codes 50..58 do not exist
  w.word(0, 0);
  expect_input_error([&] { parse_annotations(w.b, "c.atr"); }, "c.atr: invalid annotation code 55");
  AnnWriter n;
  n.skip(-100);
  n.word(1, 1);
  n.word(0, 0);
  expect_input_error([&] { parse_annotations(n.b, "n.atr"); }, "negative annotation time");
  AnnWriter a;
  a.word(kAux, 2);
  a.b.push_back('x');
  a.b.push_back('y');
  a.word(0, 0);
  expect_input_error([&] { parse_annotations(a.b, "a.atr"); }, "AUX before any annotation");
  // An annotation past the end of the signals is caught when the record is read.
  TempDir t;
  t.copy_record("100");
  AnnWriter late;
  late.skip(700000);
  late.word(1, 0);
  late.word(0, 0);
  test::write_file(t.file("100.atr"), std::string(late.b.begin(), late.b.end()));
  expect_input_error([&] { read_record(t.path().string(), "100"); }, "beyond the record's 650000 samples");
}

TEST(DataSets, NamedSetsAndLists) {
  EXPECT_EQ(record_set("all").size(), 48u);
  EXPECT_EQ(record_set("ds1").size(), 22u);
  EXPECT_EQ(record_set("ds2").size(), 22u);
  for (const auto& r : record_set("ds1"))
    for (const auto& q : record_set("ds2")) EXPECT_NE(r, q);
  for (const auto& p : record_set("paced")) {
    for (const auto& r : record_set("ds1")) EXPECT_NE(p, r);
    for (const auto& r : record_set("ds2")) EXPECT_NE(p, r);
  }
  EXPECT_EQ(resolve_records("100,101", data_dir()), (std::vector<std::string>{"100", "101"}));
  expect_input_error([] { resolve_records("100,999", data_dir()); }, "record 999");
  expect_input_error([] { resolve_records("ds3", data_dir()); }, "record ds3");
  expect_input_error([] { resolve_records("1;rm", data_dir()); }, "neither a record name nor a set");
  expect_input_error([] { resolve_data_dir("/nonexistent/dir"); }, "--data /nonexistent/dir: no such directory");
}

}  // namespace
}  // namespace ecg

namespace ecg {
namespace {
// Found by the fuzzer: a line of form feeds used to crash the header parser.
TEST(WfdbHeader, WhitespaceOnlyLinesAreSkipped) {
  EXPECT_THROW(parse_header("\r\n\f\f", "ff.hea"), InputError);  // no record line
  const auto h = parse_header("\f\v\nrec 0 360 10\n", "ff.hea");
  EXPECT_EQ(h.name, "rec");
}
}  // namespace
}  // namespace ecg
