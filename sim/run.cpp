// The main job: network + beats -> backend -> metrics, table and JSON report (sim/run.h).
#include "run.h"

#include <fmt/format.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>
#include <utility>

#include "ecg/run/backend.h"
#include "ecg/beats.h"
#include "ecg/data.h"
#include "ecg/error.h"
#include "ecg/infer.h"
#include "ecg/metrics.h"
#include "ecg/atomic_file.h"
#include "ecg/power/hw.h"
#include "ecg/qnet.h"
#include "ecg/run/report.h"
#include "first_run.h"

namespace ecg {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// A progress bar on stderr, drawn only when stderr is a terminal (quiet when piped), at
// most ~10 times a second.
class TermProgress final : public Progress {
 public:
  TermProgress(std::string label, std::string unit, std::size_t total)
      : m_label(std::move(label)), m_unit(std::move(unit)), m_total(total), m_enabled(::isatty(STDERR_FILENO) != 0), m_t0(Clock::now()) {}
  ~TermProgress() override { finish(); }

  void advance(std::size_t done) override {
    if (!m_enabled || m_total == 0 || (m_drawn && done == m_done)) return;
    const auto now = Clock::now();
    if (done < m_total && now - m_last < std::chrono::milliseconds(100)) return;
    m_last = now;
    m_done = done;
    constexpr int kWidth = 30;
    const double f = std::min(1.0, static_cast<double>(done) / static_cast<double>(m_total));
    const int fill = static_cast<int>(f * kWidth);
    std::fprintf(stderr, "\r%s [%s%s] %3.0f%% %zu/%zu %s %.1f s%s%s\033[K", m_label.c_str(),
                 std::string(static_cast<std::size_t>(fill), '#').c_str(),
                 std::string(static_cast<std::size_t>(kWidth - fill), ' ').c_str(), 100.0 * f, done, m_total,
                 m_unit.c_str(), seconds_since(m_t0), m_detail.empty() ? "" : "; ", m_detail.c_str());
    std::fflush(stderr);
    m_drawn = true;
  }

  void detail(const std::string& text) override { m_detail = text; }

  void finish() {
    if (m_drawn) std::fputs("\n", stderr);
    m_drawn = false;
  }

 private:
  std::string m_label, m_unit, m_detail;
  std::size_t m_total;
  bool m_enabled;
  bool m_drawn = false;
  std::size_t m_done = 0;
  Clock::time_point m_t0, m_last{};
};

std::string available_modes() {
  std::string s;
  for (const auto& [name, factory] : backend_registry()) s += (s.empty() ? "" : ", ") + name;
  return s;
}

std::string available_archs(const std::string& weights_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(weights_dir, ec))
    if (std::filesystem::exists(e.path() / "model.json")) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", "));
}

// What a model was trained for, from its input spec and the manifest.json beside it (written by
// scripts/train/): "AAMI-5 (N S V F Q), inter-patient DS1->DS2 split". An intra/ model reads
// its parent folder's manifest ("intra" entry); a derived or imported model says where it
// comes from; no manifest: "split not recorded".
std::string model_task_line(const Network& net, const std::string& model) {
  static const std::map<std::string, std::string> kTaskNames = {
      {"aami5", "AAMI-5"}, {"nlrav5", "NLRAV-5"}, {"nlrv4", "NLRV-4"}, {"afib2", "AF detection"}};
  const auto name = kTaskNames.find(net.input.labels);
  std::string line = fmt::format("{} ({})", name == kTaskNames.end() ? net.input.labels : name->second,
                                 fmt::join(net.classes, " "));
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(model).parent_path();
  std::string entry = "inter";
  fs::path manifest = dir / "manifest.json";
  std::error_code ec;
  if (!fs::is_regular_file(manifest, ec) && dir.filename() == "intra") {
    manifest = dir.parent_path() / "manifest.json";
    entry = "intra";
  }
  std::string split = "split not recorded (no manifest.json)";
  if (fs::is_regular_file(manifest, ec)) {
    try {
      const nlohmann::json m = nlohmann::json::parse(std::ifstream(manifest));
      const nlohmann::json* s = m.contains(entry) && m[entry].contains("split") ? &m[entry]["split"] : nullptr;
      const std::string train = s ? s->value("train", "") : "", test = s ? s->value("test", "") : "";
      if (test == "DS2" && train.rfind("DS1", 0) == 0)
        split = "inter-patient DS1->DS2 split";
      else if (s)
        split = fmt::format("intra-patient split (train {}, test {})", train, test);
      else if (m.contains("derived_from") && m["derived_from"].contains("model"))
        split = fmt::format("derived from {}", m["derived_from"]["model"].get<std::string>());
      else if (m.contains("source"))
        split = fmt::format("imported from {}, split not recorded", m["source"].get<std::string>());
      else
        split = "split not recorded in " + manifest.string();
    } catch (const std::exception&) {
      split = manifest.string() + " unreadable: split unknown";  // a model runs without its manifest
    }
  }
  return line + ", " + split;
}

// Compares a backend's outcomes with the golden model's, beat by beat.
GoldenCheckReport golden_check(const Network& net, const std::vector<Beat>& beats, const std::vector<BeatOutcome>& out,
                               int threads, double backend_wall_s) {
  std::vector<int> pred;
  std::vector<std::vector<std::int32_t>> logits;
  const auto t0 = Clock::now();
  classify_beats(net, beats, pred, logits, threads);
  const double wall = seconds_since(t0);
  GoldenCheckReport g;
  for (std::size_t i = 0; i < beats.size(); ++i) {
    if (out[i].predicted == pred[i] && out[i].logits == logits[i]) continue;
    if (g.mismatches++ == 0)
      g.first_mismatch = FirstMismatch{beats[i].record, beats[i].sample, logits[i], out[i].logits, pred[i], out[i].predicted};
  }
  g.beats_compared = beats.size();
  g.golden_wall_s = wall;
  g.golden_beats_per_s = wall > 0 ? static_cast<double>(beats.size()) / wall : 0.0;
  if (backend_wall_s > 0 && wall > 0) g.speed_vs_golden = wall / backend_wall_s;
  return g;
}


// "A:B" -> (A, B) as unsigned numbers, or an InputError naming `flag`.
std::pair<std::uint64_t, std::uint64_t> parse_pair(const std::string& text, const std::string& flag, const char* what) {
  const std::size_t colon = text.find(':');
  auto number = [&](const std::string& part) {
    if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos || part.size() > 18)
      throw InputError(fmt::format("{} {}: expected {}", flag, text, what));
    return static_cast<std::uint64_t>(std::stoull(part));
  };
  if (colon == std::string::npos) throw InputError(fmt::format("{} {}: expected {}", flag, text, what));
  return {number(text.substr(0, colon)), number(text.substr(colon + 1))};
}

// Checks the --trace-* flags that need no data (before the beats are loaded).
void check_trace_flags(const RunOptions& opt) {
  const bool window = !opt.trace_beats.empty() || !opt.trace_at.empty();
  if ((window || opt.trace_depth > 0) && opt.trace.empty())
    throw InputError(fmt::format("{}: needs --trace FILE", !opt.trace_beats.empty() ? "--trace-beats"
                                                           : !opt.trace_at.empty() ? "--trace-at" : "--trace-depth"));
  if (!opt.trace_beats.empty() && !opt.trace_at.empty()) throw InputError("--trace-beats and --trace-at: give one of them");
  if ((window || opt.trace_depth > 0) && opt.mode != "rtl" && opt.mode != "cosim")
    throw InputError(fmt::format("{}: the rtl and cosim modes only (--mode {})",
                                 !opt.trace_beats.empty() ? "--trace-beats" : !opt.trace_at.empty() ? "--trace-at" : "--trace-depth",
                                 opt.mode));
  if (!opt.trace_beats.empty()) {
    const auto [first, last] = parse_pair(opt.trace_beats, "--trace-beats", "FIRST:LAST, beat indices of the run");
    if (first > last) throw InputError(fmt::format("--trace-beats {}: FIRST is after LAST", opt.trace_beats));
  }
  if (!opt.trace_at.empty()) parse_pair(opt.trace_at, "--trace-at", "RECORD:SAMPLE, e.g. 208:123456");
}

// The waveform window in beat indices of the run (inclusive), from --trace-beats/--trace-at.
void set_trace_window(const RunOptions& opt, const std::vector<Beat>& beats, BackendContext& ctx) {
  if (!opt.trace_beats.empty()) {
    const auto [first, last] = parse_pair(opt.trace_beats, "--trace-beats", "FIRST:LAST");
    if (last >= beats.size())
      throw InputError(fmt::format("--trace-beats {}: the run has {} beats (0..{})", opt.trace_beats, beats.size(),
                                   beats.size() - 1));
    ctx.trace_first = first;
    ctx.trace_last = last;
  } else if (!opt.trace_at.empty()) {
    const std::string rec = opt.trace_at.substr(0, opt.trace_at.find(':'));
    const long sample = static_cast<long>(parse_pair(opt.trace_at, "--trace-at", "RECORD:SAMPLE").second);
    std::size_t best = beats.size();
    for (std::size_t i = 0; i < beats.size(); ++i)
      if (beats[i].record == rec && (best == beats.size() || std::labs(beats[i].sample - sample) < std::labs(beats[best].sample - sample)))
        best = i;
    if (best == beats.size()) throw InputError(fmt::format("--trace-at {}: record {} has no beats in this run", opt.trace_at, rec));
    ctx.trace_first = ctx.trace_last = best;
    fmt::print(stderr, "ecg_sim: --trace-at {}: beat {} of the run (record {} sample {})\n", opt.trace_at, best, rec,
               beats[best].sample);
  }
  ctx.trace_depth = opt.trace_depth;
}

// Beats per second of the recording: per record, the beats after the first over the time
// from the first to the last (Beat::available_s), summed over the records.
double recording_beats_per_s(const std::vector<Beat>& beats) {
  std::map<std::string, std::pair<double, double>> span;  // record -> first, last available_s
  std::map<std::string, double> count;
  for (const Beat& b : beats) {
    auto [it, fresh] = span.emplace(b.record, std::make_pair(b.available_s, b.available_s));
    if (!fresh) {
      it->second.first = std::min(it->second.first, b.available_s);
      it->second.second = std::max(it->second.second, b.available_s);
    }
    count[b.record] += 1;
  }
  double intervals = 0, seconds = 0;
  for (const auto& [rec, s] : span) {
    intervals += count[rec] - 1;
    seconds += s.second - s.first;
  }
  return seconds > 0 ? intervals / seconds : 0.0;
}

}  // namespace

void register_run(CLI::App& app, RunOptions& opt) {
  app.add_option("--arch", opt.arch, "Network/hardware style: a folder of --weights (qrcnn, bnn, int2kd, logq, dwsep)");
  app.add_option("--mode", opt.mode,
                 "tlm (SystemC platform: accuracy, latency, FPS, power), golden (integer reference only), "
                 "rtl (Verilated RTL engine in the platform), cosim (TLM and RTL compared)")
      ->check(CLI::IsMember({"golden", "tlm", "rtl", "cosim"}))
      ->capture_default_str();
  auto* split = app.add_option("--split", opt.split, "Named record set: ds1, ds2, all, paced, afib (default ds2)");
  auto* records = app.add_option("--records", opt.records, "Records, e.g. 100,101 (or a named set)");
  split->excludes(records);
  app.add_option("--max-beats", opt.max_beats, "Run only the first N beats of the record set (0 = all; e.g. a short --trace)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--task", opt.task,
                 "Which model of a beat arch (qrcnn, bnn, int2kd, dwsep): aami = AAMI-5 N/S/V/F/Q, inter-patient "
                 "DS1->DS2 (<weights>/aami/<arch>/), paper = the paper's own class set (<weights>/<arch>/); "
                 "archs with one model ignore it")
      ->check(CLI::IsMember({"aami", "paper"}))
      ->capture_default_str();
  app.add_option("--weights", opt.weights,
                 "Folder with <arch>/model.json (and aami/<arch>/model.json; default: ./weights, then the source tree's)");
  app.add_option("--data", opt.data, "MIT-BIH folder (default: $ECG_SIM_DATA, data/mitdb, ../shared/mitdb)");
  app.add_flag("--download-data", opt.download_data,
               "No MIT-BIH found: fetch it from PhysioNet into data/mitdb (or --data DIR) without asking");
  app.add_option("--json", opt.json, "Write the run report (report.schema.json) to FILE");
  app.add_option("--config", opt.config, "Architecture config file for tlm/rtl/cosim (default configs/<arch>.toml)");
  app.add_option("-p,--param", opt.params, "Override an architecture parameter: -p key=value (repeatable)");
  app.add_option("--trace", opt.trace, "Write a trace/waveform file (tlm/rtl/cosim; rtl/cosim: FILE.vcd or FILE.fst)");
  app.add_option("--trace-beats", opt.trace_beats,
                 "rtl/cosim --trace: only beats FIRST..LAST of the run (0-based, inclusive); the RTL runs untraced "
                 "outside them");
  app.add_option("--trace-at", opt.trace_at,
                 "rtl/cosim --trace: only the beat of record REC nearest sample SAMPLE, e.g. 208:123456");
  app.add_option("--trace-depth", opt.trace_depth, "rtl/cosim --trace: scopes below the engine's top (1 = the engine module's own signals; default all)")
      ->check(CLI::Range(1, 99));
  app.add_flag("--realtime", opt.realtime, "Feed beats at the recording's own pace (count deadline misses)");
  app.add_flag("!--no-golden-check", opt.golden_check, "tlm/rtl/cosim: skip the beat-by-beat comparison with golden");
  app.add_flag("--allow-checksum-mismatch", opt.allow_checksum_mismatch,
               "Use signals whose checksum does not verify (warns; listed in the report)");
  app.add_option("-j,--threads", opt.threads,
                 "Worker threads for golden inference and beat loading (0 = all cores); rtl/cosim over several "
                 "records: also worker processes, records in parallel")
      ->check(CLI::NonNegativeNumber)
      ->each([&opt](const std::string&) { opt.threads_given = true; });
}

bool run_requested(const RunOptions& opt) { return !opt.arch.empty(); }

int run_main(const RunOptions& opt) {
  if (opt.arch.empty()) throw InputError("--arch: required (e.g. --arch qrcnn)");
  if (!opt.json.empty()) check_output_path(opt.json, "--json");  // fail before a long run
  check_trace_flags(opt);
  const auto factory = backend_registry().find(opt.mode);
  if (factory == backend_registry().end())
    throw InputError(fmt::format("--mode {}: not available in this build (available: {})", opt.mode, available_modes()));

  const std::string weights_dir = resolve_weights_dir(opt.weights);
  const std::string model = task_model_path(weights_dir, opt.arch, opt.task);
  if (!std::filesystem::exists(model))
    throw InputError(fmt::format("--arch {}: no {} (networks in {}: {})", opt.arch, model, weights_dir,
                                 available_archs(weights_dir)));
  const Network net = load_network(model);

  const std::string data_dir = find_or_fetch_data(opt.data, opt.download_data);  // first run: offers the download
  const std::string set = !opt.records.empty() ? opt.records : (!opt.split.empty() ? opt.split : "ds2");
  const std::vector<std::string> records = resolve_records(set, data_dir, opt.records.empty() ? "--split" : "--records");
  const std::string split = record_set(set).empty() ? "" : set;

  const auto t_load = Clock::now();
  std::vector<ChecksumMismatch> bad_sums;
  std::vector<Beat> beats = load_beats(data_dir, records, net.input, opt.threads, {opt.allow_checksum_mismatch}, &bad_sums);
  for (const auto& m : bad_sums)
    fmt::print(stderr, "ecg_sim: warning: {}: checksum mismatch in signal {} ({}), used as --allow-checksum-mismatch asks\n",
               m.file, m.signal, m.description);
  if (opt.max_beats > 0 && beats.size() > opt.max_beats) beats.resize(opt.max_beats);
  const std::string unit = net.input.task == "rhythm" ? "windows" : "beats";  // what one input is
  const double load_s = seconds_since(t_load);
  if (beats.empty())
    throw InputError(fmt::format("{} {}: no {} windows of classes {} in these records' annotation files ({}/<record>.atr)",
                                 opt.records.empty() ? "--split" : "--records", set, net.input.task,
                                 fmt::join(net.classes, " "), data_dir));

  BackendContext ctx;
  ctx.arch = opt.arch;
  ctx.mode = opt.mode;
  ctx.weights_dir = weights_dir;
  ctx.config_file = opt.config;
  ctx.params = opt.params;
  ctx.trace_file = opt.trace;
  ctx.realtime = opt.realtime;
  ctx.threads = opt.threads;
  set_trace_window(opt, beats, ctx);
  if (opt.threads_given && (opt.mode == "rtl" || opt.mode == "cosim"))  // records in worker processes
    ctx.workers = opt.threads > 0 ? opt.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::unique_ptr<Backend> backend = factory->second(ctx);

  std::vector<BeatOutcome> out;
  const auto t_run = Clock::now();
  {
    TermProgress progress(fmt::format("{} {}", opt.arch, opt.mode), unit, beats.size());
    backend->run(net, beats, out, progress);
  }
  const double wall_s = seconds_since(t_run);
  if (out.size() != beats.size())
    throw std::runtime_error(fmt::format("mode {} returned {} outcomes for {} beats", opt.mode, out.size(), beats.size()));

  std::vector<int> reference(beats.size()), predicted(beats.size());
  for (std::size_t i = 0; i < beats.size(); ++i) {
    reference[i] = beats[i].label;
    predicted[i] = out[i].predicted;
  }
  const Metrics metrics = compute_metrics(net.classes, reference, predicted);

  Report report = make_report(net, opt.mode, records, split, metrics);
  if (backend->clock_mhz() > 0) {
    std::vector<std::uint64_t> cycles(out.size());
    for (std::size_t i = 0; i < out.size(); ++i) cycles[i] = out[i].cycles;
    set_latency(report, cycles, backend->clock_mhz());
  }
  set_sim_timing(report, wall_s, beats.size());
  report.sim.load_s = load_s;
  report.sim.threads = opt.threads;
  if (opt.mode != "golden" && opt.golden_check) report.golden_check = golden_check(net, beats, out, opt.threads, wall_s);
  backend->fill_report(report);
  power::add_realtime_view(report, recording_beats_per_s(beats));  // hardware.realtime
  if (opt.allow_checksum_mismatch) report.checksum_mismatches = bad_sums;
  const long mismatches = report.golden_check ? report.golden_check->mismatches : 0;

  fmt::print("ecg_sim {} --mode {}: {}, model {} ({} B weights, {} ops per input); {} records{}, {} {}\n\n",
             opt.arch, opt.mode, model_task_line(net, model), model, net.weight_storage_bytes(), net.ops_per_beat(),
             records.size(), split.empty() ? "" : " (" + split + ")", beats.size(), unit);
  fmt::print("{}\n", format_metrics_table(metrics, unit));
  if (backend->clock_mhz() > 0) fmt::print("{}\n", format_hardware_table(report, unit));
  fmt::print("sim: {:.3f} s, {:.0f} {}/s ({} loaded in {:.2f} s)\n", wall_s,
             wall_s > 0 ? static_cast<double>(beats.size()) / wall_s : 0.0, unit, unit, load_s);
  if (report.golden_check) {
    const GoldenCheckReport& g = *report.golden_check;
    fmt::print("golden check: {} beats compared, {} mismatches; golden {:.0f} beats/s\n", g.beats_compared,
               mismatches, g.golden_beats_per_s);
  }
  if (!opt.json.empty()) {
    write_file_atomic(opt.json, to_json(report).dump(2) + "\n");
    fmt::print("report: {}\n", opt.json);
  }
  std::fflush(stdout);
  if (mismatches > 0) {
    fmt::print(stderr, "ecg_sim: mode {} differs from golden on {} of {} beats (first: record {} sample {})\n", opt.mode,
               mismatches, beats.size(), report.golden_check->first_mismatch->record,
               report.golden_check->first_mismatch->sample);
    return 1;
  }
  return 0;
}

}  // namespace ecg
