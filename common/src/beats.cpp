#include "ecg/beats.h"

#include <algorithm>
#include <exception>
#include <cmath>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ecg/error.h"

namespace ecg {
namespace {

const std::map<std::string, std::vector<std::string>>& label_maps() {
  static const std::map<std::string, std::vector<std::string>> maps = {
      {"aami5", {"N", "S", "V", "F", "Q"}},
      {"nlrav5", {"N", "L", "R", "A", "V"}},
      {"nlrv4", {"N", "L", "R", "V"}},
      {"afib2", {"nonAF", "AF"}},
  };
  return maps;
}

// Running median of an integer signal over an odd window, edges padded by replication.
// Huang's histogram algorithm, amortised O(1) per sample for smooth signals. The bins are
// the signal's values: one per integer of its range when the range is small (a real ECG),
// else one per distinct value (ranks), so a noisy or hostile signal costs O(n log n) and
// O(n) memory instead of a walk over up to 2e6 empty bins per sample.
// Hand-written: no Debian library offers a 1-D running median for integers.
std::vector<int> running_median(const std::vector<int>& x, int window) {
  const auto n = static_cast<long>(x.size());
  std::vector<int> y(x.size());
  if (n == 0) return y;
  const int half = window / 2;
  const auto [mn_it, mx_it] = std::minmax_element(x.begin(), x.end());
  const long range = static_cast<long>(*mx_it) - *mn_it + 1;
  std::vector<int> value;  // bin -> value, only when ranked
  std::vector<int> bin(x.size());
  if (range <= 4 * n + 4096) {
    for (long i = 0; i < n; ++i) bin[static_cast<std::size_t>(i)] = x[static_cast<std::size_t>(i)] - *mn_it;
  } else {
    value = x;
    std::sort(value.begin(), value.end());
    value.erase(std::unique(value.begin(), value.end()), value.end());
    for (long i = 0; i < n; ++i)
      bin[static_cast<std::size_t>(i)] = static_cast<int>(
          std::lower_bound(value.begin(), value.end(), x[static_cast<std::size_t>(i)]) - value.begin());
  }
  std::vector<int> hist(value.empty() ? static_cast<std::size_t>(range) : value.size(), 0);
  auto at = [&](long i) { return bin[static_cast<std::size_t>(std::clamp(i, 0L, n - 1))]; };
  for (long i = -half; i <= half; ++i) ++hist[static_cast<std::size_t>(at(i))];
  const int k = half;  // rank of the median in a window of 2*half+1 values
  int m = 0, below = 0;  // current median bin and count of values below it
  while (below + hist[static_cast<std::size_t>(m)] <= k) below += hist[static_cast<std::size_t>(m++)];
  for (long i = 0; i < n; ++i) {
    y[static_cast<std::size_t>(i)] = value.empty() ? m + *mn_it : value[static_cast<std::size_t>(m)];
    if (i + 1 == n) break;
    const int out = at(i - half), in = at(i + half + 1);
    --hist[static_cast<std::size_t>(out)];
    if (out < m) --below;
    ++hist[static_cast<std::size_t>(in)];
    if (in < m) ++below;
    while (below > k) below -= hist[static_cast<std::size_t>(--m)];
    while (below + hist[static_cast<std::size_t>(m)] <= k) below += hist[static_cast<std::size_t>(m++)];
  }
  return y;
}

int odd_window(double seconds, double fs) { return static_cast<int>(std::lround(seconds * fs / 2.0)) * 2 + 1; }

std::vector<double> lead_mv(const Record& rec, const InputSpec& spec) {
  const int s = lead_signal(rec, spec.lead);
  const auto& sp = rec.header.signals[static_cast<std::size_t>(s)];
  const auto& raw = rec.signals.samples[static_cast<std::size_t>(s)];
  std::vector<double> mv(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) mv[i] = (raw[i] - sp.baseline) / sp.adc_gain;
  if (spec.baseline == "median") mv = remove_baseline(mv, rec.header.fs);
  return mv;
}

std::uint8_t rr_code(double samples, double fs) {  // 10 ms units, saturated to 8 bits
  return static_cast<std::uint8_t>(std::clamp(std::lround(samples * 100.0 / fs), 0L, 255L));
}

}  // namespace

int lead_signal(const Record& rec, const std::string& lead) {
  const auto& sigs = rec.header.signals;
  int s = 0;
  // Records 102 and 104 have no MLII (surgical dressings): their upper channel (V5) stands in,
  // as is usual for MIT-BIH studies. Any other record without the lead is an error.
  const bool fallback = lead == "MLII" && (rec.header.name == "102" || rec.header.name == "104") && !sigs.empty() &&
                        std::none_of(sigs.begin(), sigs.end(), [](const SignalSpec& sig) { return sig.description == "MLII"; });
  if (!fallback) s = rec.lead_index(lead);
  if (sigs[static_cast<std::size_t>(s)].samples_per_frame != 1)
    throw InputError(fmt::format("{}: signal {} ({}) has {} samples per frame; beat windows need 1", rec.header.origin, s,
                                 sigs[static_cast<std::size_t>(s)].description,
                                 sigs[static_cast<std::size_t>(s)].samples_per_frame));
  return s;
}

InputSpec input_spec_from_json_text(const std::string& json_text, const std::string& origin) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: not valid JSON ({})", origin, e.what()));
  }
  if (j.contains("input") && j["input"].is_object()) j = j["input"];  // accept a whole model.json too
  if (!j.is_object()) throw InputError(fmt::format("{}: input spec must be a JSON object", origin));
  InputSpec s;
  const std::set<std::string> known = {"task", "labels", "lead", "baseline", "pre", "post", "window", "hop", "length",
                                       "norm", "zscore_scale", "fixed_gain", "bits", "signed", "aux"};
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!known.count(it.key())) throw InputError(fmt::format("{}: input.{}: unknown key", origin, it.key()));
  auto get = [&](const char* key, auto& dst) {
    if (!j.contains(key)) return;
    try {
      j.at(key).get_to(dst);
    } catch (const nlohmann::json::exception&) {
      throw InputError(fmt::format("{}: input.{}: wrong type", origin, key));
    }
  };
  get("task", s.task);
  get("labels", s.labels);
  get("lead", s.lead);
  get("baseline", s.baseline);
  get("pre", s.pre);
  get("post", s.post);
  get("window", s.window);
  get("hop", s.hop);
  get("length", s.length);
  get("norm", s.norm);
  get("zscore_scale", s.zscore_scale);
  get("fixed_gain", s.fixed_gain);
  get("bits", s.bits);
  get("signed", s.is_signed);
  get("aux", s.aux);
  auto bad = [&](const char* key, const std::string& why) {
    return InputError(fmt::format("{}: input.{}: {}", origin, key, why));
  };
  if (s.task != "beat" && s.task != "rhythm") throw bad("task", "must be 'beat' or 'rhythm', not '" + s.task + "'");
  if (!label_maps().count(s.labels)) throw bad("labels", "unknown label map '" + s.labels + "' (aami5, nlrav5, nlrv4, afib2)");
  if ((s.labels == "afib2") != (s.task == "rhythm")) throw bad("labels", "afib2 goes with task 'rhythm', the others with 'beat'");
  if (s.baseline != "median" && s.baseline != "none") throw bad("baseline", "must be 'median' or 'none'");
  if (s.pre < 0 || s.post < 0 || s.pre + s.post < 2) throw bad("pre", "pre and post must be >= 0 with pre+post >= 2");
  if (s.task == "rhythm" && (s.window < 0 || s.window == 1 || s.hop < 0)) throw bad("window", "window must be 0 (whole record) or >= 2, hop >= 0");
  if (s.length < 2) throw bad("length", "must be >= 2");
  if (s.norm != "minmax" && s.norm != "zscore" && s.norm != "fixed") throw bad("norm", "must be minmax, zscore or fixed");
  if (s.bits < 2 || s.bits > 16) throw bad("bits", "must be in 2..16");
  if (s.aux != "none" && s.aux != "rr4" && s.aux != "rrn4" && s.aux != "rrq4")
    throw bad("aux", "must be 'none', 'rr4', 'rrn4' or 'rrq4'");
  if (s.aux != "none" && s.task != "beat") throw bad("aux", "RR features need task 'beat'");
  return s;
}

std::string input_spec_to_json_text(const InputSpec& s) {
  nlohmann::json j = {{"task", s.task}, {"labels", s.labels}, {"lead", s.lead}, {"baseline", s.baseline},
                      {"length", s.length}, {"norm", s.norm}, {"bits", s.bits}, {"signed", s.is_signed}, {"aux", s.aux}};
  if (s.task == "beat") {
    j["pre"] = s.pre;
    j["post"] = s.post;
  } else {
    j["window"] = s.window;
    j["hop"] = s.hop;
  }
  if (s.norm == "zscore") j["zscore_scale"] = s.zscore_scale;
  if (s.norm == "fixed") j["fixed_gain"] = s.fixed_gain;
  return j.dump();
}

std::vector<std::string> label_classes(const std::string& labels) {
  auto it = label_maps().find(labels);
  if (it == label_maps().end()) throw InputError(fmt::format("unknown label map '{}'", labels));
  return it->second;
}

int beat_label(const std::string& labels, char c) {
  if (labels == "aami5") {  // AAMI EC57 classes from MIT-BIH symbols
    switch (c) {
      case 'N': case 'L': case 'R': case 'e': case 'j': return 0;
      case 'A': case 'a': case 'J': case 'S': return 1;
      case 'V': case 'E': return 2;
      case 'F': return 3;
      case '/': case 'f': case 'Q': return 4;
      default: return -1;
    }
  }
  const std::string order = labels == "nlrav5" ? "NLRAV" : labels == "nlrv4" ? "NLRV" : "";
  const auto pos = order.find(c);
  return pos == std::string::npos ? -1 : static_cast<int>(pos);
}

std::vector<double> remove_baseline(const std::vector<double>& x, double fs) {
  // Works on a fixed-point copy (1 uV steps) so the integer running median applies,
  // clamped to +-1 V (an ECG is a few mV) so the histogram stays small whatever the gain.
  constexpr double kLimit = 1e6;
  std::vector<int> q(x.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    q[i] = static_cast<int>(std::lround(std::isnan(x[i]) ? 0.0 : std::clamp(x[i] * 1000.0, -kLimit, kLimit)));
  const auto base = running_median(running_median(q, odd_window(0.2, fs)), odd_window(0.6, fs));
  std::vector<double> y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = x[i] - base[i] / 1000.0;
  return y;
}

std::vector<double> resample_linear(const std::vector<double>& x, int n) {
  std::vector<double> y(static_cast<std::size_t>(n));
  if (x.empty()) return y;
  if (x.size() == 1 || n == 1) {
    std::fill(y.begin(), y.end(), x[0]);
    return y;
  }
  const double step = static_cast<double>(x.size() - 1) / (n - 1);
  for (int i = 0; i < n; ++i) {
    const double pos = i * step;
    const auto i0 = std::min(static_cast<std::size_t>(pos), x.size() - 2);
    const double f = pos - static_cast<double>(i0);
    y[static_cast<std::size_t>(i)] = x[i0] * (1.0 - f) + x[i0 + 1] * f;
  }
  return y;
}

std::vector<std::int32_t> quantize(const std::vector<double>& x, const InputSpec& spec) {
  const long qmin = spec.is_signed ? -(1L << (spec.bits - 1)) : 0;
  const long qmax = spec.is_signed ? (1L << (spec.bits - 1)) - 1 : (1L << spec.bits) - 1;
  const long zero = spec.is_signed ? 0 : (1L << (spec.bits - 1));
  std::vector<std::int32_t> q(x.size());
  auto put = [&](std::size_t i, double v) { q[i] = static_cast<std::int32_t>(std::clamp(std::lround(v), qmin, qmax)); };
  if (spec.norm == "minmax") {
    const auto [mn, mx] = std::minmax_element(x.begin(), x.end());
    const double range = *mx - *mn;
    for (std::size_t i = 0; i < x.size(); ++i)
      put(i, range > 0 ? static_cast<double>(qmin) + (x[i] - *mn) / range * static_cast<double>(qmax - qmin) : static_cast<double>(zero));
  } else if (spec.norm == "zscore") {
    double mean = 0, var = 0;
    for (double v : x) mean += v;
    mean /= static_cast<double>(x.size());
    for (double v : x) var += (v - mean) * (v - mean);
    const double sd = std::sqrt(var / static_cast<double>(x.size()));
    for (std::size_t i = 0; i < x.size(); ++i)
      put(i, (sd > 0 ? (x[i] - mean) / sd : 0.0) * spec.zscore_scale + static_cast<double>(zero));
  } else {
    for (std::size_t i = 0; i < x.size(); ++i) put(i, x[i] * spec.fixed_gain + static_cast<double>(zero));
  }
  return q;
}

std::vector<std::vector<std::int32_t>> rr_features(const std::string& aux, const std::vector<long>& r, double fs) {
  if (aux != "rr4" && aux != "rrn4" && aux != "rrq4")
    throw InputError(fmt::format("RR features: unknown aux '{}' (rr4, rrn4, rrq4)", aux));
  std::vector<std::vector<std::int32_t>> out(r.size());
  auto ratio64 = [](double num, double den) {  // round(64*num/den), saturated to UINT8
    return static_cast<std::int32_t>(std::clamp(std::lround(64.0 * num / den), 0L, 255L));
  };
  // rrn4, rrq4: the patient's running RR average, an exponential average in Q8 samples updated once
  // per RR interval: avg += ((rr << 8) - avg) >> k with k = min(floor(log2(j)), 8) for the
  // j-th interval (j = 1 loads it; the shift grows while it warms up, then a time constant of
  // 256 beats, ~3.5 min at 72 bpm). Intervals are clamped to 0.2..3 s first so that a gap in
  // the annotations cannot swamp it. Integer, so a device computes it bit for bit.
  std::int64_t avg_q8 = 0;
  long n_rr = 0;
  const long rr_lo = std::lround(0.2 * fs), rr_hi = std::lround(3.0 * fs);
  for (std::size_t idx = 0; idx < r.size(); ++idx) {
    const long pre_i = idx > 0 ? r[idx] - r[idx - 1] : -1;
    if (pre_i > 0) {
      const std::int64_t v = static_cast<std::int64_t>(std::clamp(pre_i, rr_lo, rr_hi)) << 8;
      ++n_rr;
      int k = 0;
      while (k < 8 && (2L << k) <= n_rr) ++k;
      const std::int64_t d = v - avg_q8;  // floor(d / 2^k), spelled out (C++17 leaves >> of negatives open)
      avg_q8 = n_rr == 1 ? v : avg_q8 + (d >= 0 ? d >> k : -((-d + (std::int64_t{1} << k) - 1) >> k));
    }
    const double pre = static_cast<double>(pre_i);
    const double post = idx + 1 < r.size() ? static_cast<double>(r[idx + 1] - r[idx]) : -1;
    const double pre_rr = pre > 0 ? pre : (post > 0 ? post : fs);
    const double post_rr = post > 0 ? post : pre_rr;
    double local = 0;
    int cnt = 0;
    for (std::size_t k = idx; k > 0 && cnt < 10; --k, ++cnt) local += static_cast<double>(r[k] - r[k - 1]);
    local = cnt > 0 && local > 0 ? local / cnt : pre_rr;  // annotations out of time order: no local RR
    if (aux == "rr4") {
      out[idx] = {rr_code(pre_rr, fs), rr_code(post_rr, fs), rr_code(local, fs), ratio64(pre_rr, local)};
    } else {
      const double avg = n_rr > 0 ? static_cast<double>(avg_q8) / 256.0 : pre_rr;
      if (aux == "rrn4")
        out[idx] = {ratio64(pre_rr, avg), ratio64(post_rr, avg), ratio64(local, avg), ratio64(pre_rr, local)};
      else  // rrq4: prematurity, pause, and the pause against the prematurity (both ways round)
        out[idx] = {ratio64(pre_rr, avg), ratio64(post_rr, avg), ratio64(post_rr, pre_rr), ratio64(pre_rr, post_rr)};
    }
  }
  return out;
}

std::vector<Beat> extract_beats(const Record& rec, const InputSpec& spec) {
  std::vector<Beat> out;
  const auto mv = lead_mv(rec, spec);
  const long n = static_cast<long>(mv.size());
  const double fs = rec.header.fs;
  auto window_input = [&](long from, long len) {
    std::vector<double> w(mv.begin() + from, mv.begin() + from + len);
    return quantize(resample_linear(w, spec.length), spec);
  };
  if (spec.task == "beat") {
    std::vector<long> r;  // every beat's R peak, for RR intervals
    for (const auto& a : rec.annotations)
      if (a.is_beat()) r.push_back(a.sample);
    const auto rr = spec.aux_count() > 0 ? rr_features(spec.aux, r, fs) : std::vector<std::vector<std::int32_t>>{};
    std::size_t bi = 0;
    for (const auto& a : rec.annotations) {
      if (!a.is_beat()) continue;
      const std::size_t idx = bi++;
      const int label = beat_label(spec.labels, a.symbol());
      if (label < 0 || a.sample - spec.pre < 0 || a.sample + spec.post > n) continue;
      Beat b;
      b.record = rec.header.name;
      b.sample = a.sample;
      b.symbol = a.symbol();
      b.label = label;
      b.input = window_input(a.sample - spec.pre, spec.pre + spec.post);
      long ready = a.sample + spec.post;
      if (spec.aux_count() > 0) {
        b.aux = rr[idx];
        // The post-RR interval is known only once the next R peak has been seen.
        if (idx + 1 < r.size()) ready = std::max(ready, r[idx + 1] + 1);
      }
      b.available_s = static_cast<double>(ready) / fs;
      out.push_back(std::move(b));
    }
    return out;
  }
  // Rhythm windows: the label is AF when more than half of the window lies in an (AFIB episode.
  std::vector<char> af(static_cast<std::size_t>(n), 0);
  bool in_af = false;
  long from = 0;
  for (const auto& a : rec.annotations) {
    if (a.aux.empty() || a.aux[0] != '(') continue;
    const long to = std::min(a.sample, n);
    if (in_af && to > from) std::fill(af.begin() + from, af.begin() + to, 1);  // out-of-order annotations: skip
    in_af = a.aux == "(AFIB";
    from = to;
  }
  if (in_af) std::fill(af.begin() + from, af.end(), 1);
  const long win = spec.window > 0 ? spec.window : n;
  const long hop = spec.hop > 0 ? spec.hop : win;
  for (long start = 0; start + win <= n; start += hop) {
    Beat b;
    b.record = rec.header.name;
    b.sample = start;
    const long af_count = std::count(af.begin() + start, af.begin() + start + win, 1);
    b.label = 2 * af_count > win ? 1 : 0;
    b.input = window_input(start, win);
    b.available_s = static_cast<double>(start + win) / fs;
    out.push_back(std::move(b));
  }
  return out;
}

std::vector<Beat> record_beats(const Record& rec, const InputSpec& spec, const LoadOptions& opts,
                               std::vector<ChecksumMismatch>* mismatches) {
  const int s = lead_signal(rec, spec.lead);
  const auto& sp = rec.header.signals[static_cast<std::size_t>(s)];
  if (!rec.signals.checksum_ok[static_cast<std::size_t>(s)]) {
    ChecksumMismatch m{rec.header.name, rec.signal_path(s), s, sp.description,
                       static_cast<int>(static_cast<std::uint16_t>(sp.checksum & 0xFFFF)),
                       rec.signals.checksum_data[static_cast<std::size_t>(s)]};
    if (!opts.allow_checksum_mismatch)
      throw InputError(fmt::format("{}: checksum mismatch in signal {} ({}): the header says {}, the data sums to {}; the "
                                   "file is corrupt or the header's format is wrong (--allow-checksum-mismatch to use it)",
                                   m.file, s, m.description, m.header_checksum, m.data_checksum));
    if (mismatches) mismatches->push_back(m);
  }
  return extract_beats(rec, spec);
}

std::vector<Beat> load_beats(const std::string& data_dir, const std::vector<std::string>& records,
                             const InputSpec& spec, int threads, const LoadOptions& opts,
                             std::vector<ChecksumMismatch>* mismatches) {
  std::vector<std::vector<Beat>> per(records.size());
  std::vector<std::vector<ChecksumMismatch>> found(records.size());
  std::vector<std::exception_ptr> errors(records.size());
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t nt = std::min<std::size_t>(records.size(), threads > 0 ? static_cast<unsigned>(threads) : hw);
  auto work = [&](std::size_t t) {
    for (std::size_t i = t; i < records.size(); i += nt) {
      try {
        per[i] = record_beats(read_record(data_dir, records[i]), spec, opts, &found[i]);
      } catch (...) {  // rethrown as it is: an InputError stays one, anything else stays a bug
        errors[i] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < nt; ++t) pool.emplace_back(work, t);
  if (nt > 0) work(0);
  for (auto& th : pool) th.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  std::vector<Beat> out;
  for (auto& v : per) std::move(v.begin(), v.end(), std::back_inserter(out));
  if (mismatches)
    for (auto& f : found) mismatches->insert(mismatches->end(), f.begin(), f.end());
  return out;
}

}  // namespace ecg
