#include <algorithm>
#include <cmath>
#include <map>

#include <gtest/gtest.h>

#include "ecg/beats.h"
#include "ecg/data.h"
#include "ecg/error.h"
#include "test_support.h"

namespace ecg {
namespace {

using test::data_dir;

TEST(Labels, AamiMapAndClassOrder) {
  EXPECT_EQ(label_classes("aami5"), (std::vector<std::string>{"N", "S", "V", "F", "Q"}));
  for (char c : std::string("NLRej")) EXPECT_EQ(beat_label("aami5", c), 0) << c;
  for (char c : std::string("AaJS")) EXPECT_EQ(beat_label("aami5", c), 1) << c;
  for (char c : std::string("VE")) EXPECT_EQ(beat_label("aami5", c), 2) << c;
  EXPECT_EQ(beat_label("aami5", 'F'), 3);
  for (char c : std::string("/fQ")) EXPECT_EQ(beat_label("aami5", c), 4) << c;
  EXPECT_EQ(beat_label("aami5", '+'), -1);
  EXPECT_EQ(beat_label("nlrav5", 'A'), 3);
  EXPECT_EQ(beat_label("nlrav5", 'a'), -1);
  EXPECT_EQ(beat_label("nlrv4", 'V'), 3);
  EXPECT_EQ(beat_label("nlrv4", 'A'), -1);
  EXPECT_THROW(label_classes("abc"), InputError);
}

TEST(Preprocess, BaselineRemovalKeepsQrsAndDropsDrift) {
  const double fs = 360;
  std::vector<double> x(3600);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.5 + 0.3 * std::sin(2 * M_PI * 0.2 * static_cast<double>(i) / fs);
  for (std::size_t r = 180; r < x.size(); r += 360) x[r] += 1.0;  // narrow "R peaks"
  const auto y = remove_baseline(x, fs);
  for (std::size_t r = 180 + 360; r + 360 < x.size(); r += 360) {
    EXPECT_NEAR(y[r], 1.0, 0.02) << r;         // peak kept
    EXPECT_NEAR(y[r + 100], 0.0, 0.02) << r;  // drift removed
  }
}

// remove_baseline's running median against a direct one (sort each window), on a smooth
// signal (bins over the range) and on noise spanning +-1 V (bins over ranks).
TEST(Preprocess, BaselineMedianMatchesDirectMedian) {
  const double fs = 100;  // windows of 21 and 61 samples
  auto direct = [&](const std::vector<double>& x) {
    std::vector<int> q(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) q[i] = static_cast<int>(std::lround(std::clamp(x[i] * 1000.0, -1e6, 1e6)));
    auto med = [](const std::vector<int>& v, int w) {
      std::vector<int> out(v.size());
      const long n = static_cast<long>(v.size()), h = w / 2;
      for (long i = 0; i < n; ++i) {
        std::vector<int> win;
        for (long j = i - h; j <= i + h; ++j) win.push_back(v[static_cast<std::size_t>(std::clamp(j, 0L, n - 1))]);
        std::nth_element(win.begin(), win.begin() + h, win.end());
        out[static_cast<std::size_t>(i)] = win[static_cast<std::size_t>(h)];
      }
      return out;
    };
    const auto base = med(med(q, 21), 61);
    std::vector<double> y(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = x[i] - base[i] / 1000.0;
    return y;
  };
  std::vector<double> smooth(500), noise(500);
  unsigned s = 12345;
  for (std::size_t i = 0; i < 500; ++i) {
    smooth[i] = 0.4 * std::sin(static_cast<double>(i) / 17.0) + ((i % 50) == 0 ? 1.2 : 0.0);
    s = s * 1103515245u + 12345u;
    noise[i] = (static_cast<double>(s >> 8) / (1u << 24) - 0.5) * 2.2;  // beyond +-1 V: clamped too
  }
  EXPECT_EQ(remove_baseline(smooth, fs), direct(smooth));
  EXPECT_EQ(remove_baseline(noise, fs), direct(noise));
}

TEST(Preprocess, ResampleLinear) {
  const auto y = resample_linear({0, 10, 20, 30}, 7);
  ASSERT_EQ(y.size(), 7u);
  for (std::size_t i = 0; i < 7; ++i) EXPECT_NEAR(y[i], 5.0 * static_cast<double>(i), 1e-9);
  EXPECT_EQ(resample_linear({0, 1, 2, 3, 4, 5, 6, 7, 8}, 3), (std::vector<double>{0, 4, 8}));
}

TEST(Preprocess, QuantizeFormats) {
  InputSpec s;
  s.norm = "minmax";
  auto q = quantize({-1.0, 0.0, 1.0}, s);
  EXPECT_EQ(q, (std::vector<std::int32_t>{0, 128, 255}));
  s.is_signed = true;
  q = quantize({-1.0, 0.0, 1.0}, s);
  EXPECT_EQ(q, (std::vector<std::int32_t>{-128, -1, 127}));  // -0.5 rounds away from zero
  s.norm = "fixed";
  s.fixed_gain = 100;
  q = quantize({-2.0, 0.005, 0.5}, s);
  EXPECT_EQ(q, (std::vector<std::int32_t>{-128, 1, 50}));  // saturates
  s.norm = "zscore";
  s.is_signed = false;
  s.bits = 4;
  s.zscore_scale = 2;
  q = quantize({-1.0, 1.0, -1.0, 1.0}, s);
  EXPECT_EQ(q, (std::vector<std::int32_t>{6, 10, 6, 10}));  // zero point 8, z = -1/+1
  q = quantize({3.0, 3.0}, s);
  EXPECT_EQ(q, (std::vector<std::int32_t>{8, 8}));  // flat window
}

TEST(InputSpecJson, ParsesAndRejects) {
  const auto s = input_spec_from_json_text(R"({"labels":"nlrv4","pre":50,"post":70,"length":64,"aux":"rr4"})", "m.json");
  EXPECT_EQ(s.labels, "nlrv4");
  EXPECT_EQ(s.pre, 50);
  EXPECT_EQ(s.aux_count(), 4);
  const auto back = input_spec_from_json_text(input_spec_to_json_text(s), "x");
  EXPECT_EQ(back.post, 70);
  EXPECT_EQ(back.length, 64);
  auto err = [](const std::string& txt, const std::string& needle) {
    try {
      input_spec_from_json_text(txt, "m.json");
      ADD_FAILURE() << "accepted " << txt;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  err("{", "m.json: not valid JSON");
  err(R"({"lenght":3})", "input.lenght: unknown key");
  err(R"({"length":"x"})", "input.length: wrong type");
  err(R"({"length":1})", "input.length: must be >= 2");
  err(R"({"bits":40})", "input.bits");
  err(R"({"labels":"afib2"})", "afib2 goes with task 'rhythm'");
  err(R"({"norm":"l2"})", "input.norm");
}

TEST(Beats, Record100BeatStream) {
  InputSpec s;
  s.labels = "aami5";
  s.aux = "rr4";
  const auto rec = read_record(data_dir(), "100");
  const auto beats = extract_beats(rec, s);
  std::map<int, int> counts;
  for (const auto& b : beats) counts[b.label]++;
  // 2239 N, 33 A, 1 V in the record; the first (sample 77) and last beats lie too close to the ends.
  EXPECT_EQ(counts[0] + counts[1] + counts[2], 2271);
  EXPECT_EQ(counts[1], 33);
  EXPECT_EQ(counts[2], 1);
  for (std::size_t i = 0; i < beats.size(); ++i) {
    const auto& b = beats[i];
    ASSERT_EQ(b.input.size(), 128u);
    ASSERT_EQ(b.aux.size(), 4u);
    for (auto v : b.input) ASSERT_TRUE(v >= 0 && v <= 255);
    // The beat is complete after its post-window and, with RR features, after the next R peak.
    EXPECT_GE(b.available_s, static_cast<double>(b.sample + s.post) / 360.0);
    if (i + 1 < beats.size()) {
      EXPECT_NEAR(b.available_s, static_cast<double>(beats[i + 1].sample + 1) / 360.0, 1e-9);
      EXPECT_EQ(b.aux[1], std::lround(static_cast<double>(beats[i + 1].sample - b.sample) * 100.0 / 360.0));
    }
    if (i > 0) EXPECT_EQ(b.aux[0], std::lround(static_cast<double>(b.sample - beats[i - 1].sample) * 100.0 / 360.0));
  }
}

TEST(Beats, RhythmWindowsFindAfib) {
  InputSpec s;
  s.task = "rhythm";
  s.labels = "afib2";
  s.window = 3600;
  s.hop = 1800;
  s.length = 360;
  const auto w = extract_beats(read_record(data_dir(), "201"), s);
  EXPECT_EQ(w.size(), static_cast<std::size_t>((650000 - 3600) / 1800 + 1));
  int af = 0;
  for (const auto& b : w) af += b.label;
  EXPECT_GT(af, 20);  // record 201 has several minutes of atrial fibrillation
  EXPECT_LT(af, static_cast<int>(w.size()));
  const auto none = extract_beats(read_record(data_dir(), "100"), s);
  for (const auto& b : none) EXPECT_EQ(b.label, 0);
}

TEST(Beats, LoadIsDeterministicAcrossThreadCounts) {
  InputSpec s;
  const std::vector<std::string> recs = {"100", "101", "102", "103"};
  const auto a = load_beats(data_dir(), recs, s, 1);
  const auto b = load_beats(data_dir(), recs, s, 3);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].record, b[i].record);
    ASSERT_EQ(a[i].sample, b[i].sample);
    ASSERT_EQ(a[i].input, b[i].input);
  }
  EXPECT_EQ(a.front().record, "100");
  EXPECT_EQ(a.back().record, "103");
}

TEST(Beats, AllRecordsAamiCounts) {
  // AAMI class totals over the 48 records (windows 90/110 samples; edge beats dropped).
  const auto beats = load_beats(data_dir(), record_set("all"), InputSpec{}, 0);
  std::vector<int> c(5, 0);
  for (const auto& b : beats) c[static_cast<std::size_t>(b.label)]++;
  EXPECT_EQ(beats.size(), 109465u);
  EXPECT_EQ(c[1], 2781);
  EXPECT_EQ(c[2], 7235);
}

// RR peaks of a synthetic rhythm: 0.8 s, every 7th beat 0.5 s early with a pause after.
std::vector<long> synthetic_peaks(std::size_t n, long start = 100) {
  std::vector<long> r;
  long t = start;
  for (std::size_t i = 0; i < n; ++i) {
    r.push_back(t);
    t += i % 7 == 5 ? 108 : i % 7 == 6 ? 468 : 288;
  }
  return r;
}

TEST(RrFeatures, CausalLaterPeaksDoNotChangeEarlierBeats) {
  // The features of beat i may read r[0..i+1] only: changing any later R peak (here: the
  // rest of the record at another heart rate) leaves beats 0..i as they were.
  for (const std::string aux : {"rr4", "rrn4", "rrq4"}) {
    const auto r = synthetic_peaks(900);
    const auto full = rr_features(aux, r, 360);
    ASSERT_EQ(full.size(), r.size());
    for (std::size_t i : {0, 1, 5, 6, 50, 300, 700}) {
      auto changed = r;
      for (std::size_t k = i + 2; k < changed.size(); ++k) changed[k] = changed[i + 1] + static_cast<long>(k - i - 1) * 150;
      const auto f = rr_features(aux, changed, 360);
      for (std::size_t j = 0; j <= i; ++j) ASSERT_EQ(f[j], full[j]) << aux << " beat " << j << " after a change past " << i + 1;
      // ...and a truncated record (the beats not yet seen) gives the same features too
      const std::vector<long> cut(r.begin(), r.begin() + static_cast<long>(i) + 2);
      const auto g = rr_features(aux, cut, 360);
      for (std::size_t j = 0; j <= i; ++j) ASSERT_EQ(g[j], full[j]) << aux << " beat " << j;
    }
  }
}

TEST(RrFeatures, Rrn4IsNormalisedByTheRunningAverage) {
  const auto r = synthetic_peaks(2000);
  const auto f = rr_features("rrn4", r, 360);
  // After warm-up the running average is close to the mean RR (6*288+108+468)/8*... per 7 beats:
  const double mean_rr = (5 * 288.0 + 108 + 468) / 7.0;
  const std::size_t i = 1999 - 1999 % 7 + 6 - 7;  // an early beat (i % 7 == 6) late in the record
  ASSERT_EQ(i % 7, 6u);
  EXPECT_NEAR(f[i][0], 64.0 * 108 / mean_rr, 4.0);   // pre/avg: premature
  EXPECT_NEAR(f[i][1], 64.0 * 468 / mean_rr, 8.0);   // post/avg: pause
  EXPECT_NEAR(f[i + 2][0], 64.0 * 288 / mean_rr, 4.0);
  // The same rhythm at another heart rate gives the same normalised features.
  std::vector<long> slow(r.size());
  for (std::size_t k = 0; k < r.size(); ++k) slow[k] = r[k] * 3 / 2;
  const auto g = rr_features("rrn4", slow, 360);
  for (std::size_t k = 1000; k < 1020; ++k)
    for (std::size_t c = 0; c < 4; ++c) EXPECT_NEAR(g[k][c], f[k][c], 1) << k << " " << c;
  // rr4 keeps its absolute codes (10 ms units)
  const auto a = rr_features("rr4", r, 360);
  EXPECT_EQ(a[i][0], 30);   // 108 samples = 300 ms
  EXPECT_EQ(a[i][1], 130);  // 468 samples = 1300 ms
  // One beat, and peaks out of time order: no crash, values in range
  EXPECT_EQ(rr_features("rrn4", {50}, 360), (std::vector<std::vector<std::int32_t>>{{64, 64, 64, 64}}));
  for (const auto& v : rr_features("rrn4", {500, 400, 300, 900}, 360))
    for (auto x : v) EXPECT_TRUE(x >= 0 && x <= 255);
  EXPECT_THROW(rr_features("rr9", r, 360), InputError);
}

TEST(RrFeatures, Rrq4IsPrematurityPauseAndTheirRatios) {
  const auto r = synthetic_peaks(2000);
  const auto f = rr_features("rrq4", r, 360);
  const auto n = rr_features("rrn4", r, 360);
  const std::size_t i = 1999 - 1999 % 7 + 6 - 7;  // an early beat followed by a pause
  ASSERT_EQ(i % 7, 6u);
  for (std::size_t k : {i, i + 1, i + 2, std::size_t{0}, std::size_t{1}}) {
    EXPECT_EQ(f[k][0], n[k][0]) << k;  // pre/avg and post/avg as in rrn4
    EXPECT_EQ(f[k][1], n[k][1]) << k;
  }
  EXPECT_EQ(f[i][2], 255);                                   // 64*468/108 = 277, saturated
  EXPECT_EQ(f[i][3], std::lround(64.0 * 108 / 468));         // pre/post = 15
  EXPECT_EQ(f[i + 1][2], std::lround(64.0 * 288 / 468));     // the beat after the pause: 39
  EXPECT_EQ(f[i + 1][3], std::lround(64.0 * 468 / 288));     // 104
  EXPECT_EQ(f[i + 2][2], 64);                                // regular: 288/288
  EXPECT_EQ(f[i + 2][3], 64);
  // Independent of the heart rate (exact ratios of the same intervals).
  std::vector<long> slow(r.size());
  for (std::size_t k = 0; k < r.size(); ++k) slow[k] = r[k] * 2;
  const auto g = rr_features("rrq4", slow, 360);
  for (std::size_t k = 1000; k < 1020; ++k) {
    EXPECT_EQ(g[k][2], f[k][2]) << k;
    EXPECT_EQ(g[k][3], f[k][3]) << k;
  }
  EXPECT_EQ(rr_features("rrq4", {50}, 360), (std::vector<std::vector<std::int32_t>>{{64, 64, 64, 64}}));
  for (const auto& v : rr_features("rrq4", {500, 400, 300, 900}, 360))
    for (auto x : v) EXPECT_TRUE(x >= 0 && x <= 255);
  InputSpec s;
  s.aux = "rrq4";
  EXPECT_EQ(s.aux_count(), 4);
}

TEST(RrFeatures, Rrn4OnRecord119IsCausal) {
  // A record with many V beats: the features extract_beats gives equal those of the record
  // cut after the next beat's annotation.
  InputSpec s;
  s.aux = "rrn4";
  const auto rec = read_record(data_dir(), "119");
  const auto beats = extract_beats(rec, s);
  ASSERT_GT(beats.size(), 1900u);
  auto cut = rec;
  const long limit = beats[1000].sample;
  std::size_t keep = 0;
  int after = 0;
  while (keep < cut.annotations.size() && (cut.annotations[keep].sample <= limit || after < 1))
    after += cut.annotations[keep++].is_beat() && cut.annotations[keep - 1].sample > limit;
  cut.annotations.resize(keep);
  const auto part = extract_beats(cut, s);
  for (std::size_t i = 0; i <= 1000; ++i) ASSERT_EQ(part[i].aux, beats[i].aux) << i;
  for (const auto& b : beats)
    for (auto v : b.aux) ASSERT_TRUE(v >= 0 && v <= 255);
}

}  // namespace
}  // namespace ecg
