// The `rtl` and `cosim` execution modes (ecg/run/backend.h): the TLM platform (models/) with the
// Verilated engine (seq or pipe) behind the TLM-to-pins bridge (engine kind "rtl"), or with the
// TLM and RTL engines side by side (engine kind "cosim", tb/rtl_engine.h). The platform run, its
// configuration and its report are the tlm backend's (TlmBackend, one configuration per run),
// with the engine kind of the mode; this adds the waveform (--trace FILE.vcd) and the report's
// `cosim` block from the engines' check counters in the stats registry. Compiled into ecg_sim
// (object library ecg_rtl_backend) so the static registration below is kept.
// Waveforms (docs/cosim.md): FILE.vcd directly; FILE.fst as a VCD beside it converted with
// GTKWave's vcd2fst at the end (the Verilated models are compiled for one trace format, VCD,
// which the RTL-activity toggle counter reads too). -p rtl.bridge=pin|fast picks the bridge
// (tb/rtl_engine.h BridgeOptions); the key is this backend's, taken out before the platform
// parameters are read.
// Power (docs/power.md): the report's power is counters x calibrated toggle rates, as in
// tlm mode; with -p power.rtl_activity=true the run's own VCD is also streamed into the
// toggle counter and the RTL-activity estimate is reported next to the TLM estimate.
#include "verilated.h"  // Verilated::runExitCallbacks (first: pulls systemc.h)

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "ecg/error.h"
#include "ecg/models/tlm_backend.h"
#include "ecg/models/tlm_lanes.h"
#include "ecg/power/hw.h"
#include "ecg/run/backend.h"
#include "ecg/power/vcd.h"
#include "ecg/power/vcd_fifo.h"
#include "engine_bench.h"
#include "rtl_engine.h"  // register_rtl_engines
#include "rtl_parallel.h"

namespace ecg::rtl {
namespace {

class RtlBackend final : public Backend {
 public:
  explicit RtlBackend(const BackendContext& ctx) : m_ctx(ctx) {
    BackendContext inner = ctx;
    inner.trace_file.clear();  // the waveform is ours; the platform's CSV trace is not written
    inner.params.clear();
    for (const std::string& p : ctx.params) {
      const std::string key = "rtl.bridge=";
      if (p.compare(0, key.size(), key) != 0) {
        inner.params.push_back(p);
        continue;
      }
      const std::string v = p.substr(key.size());
      if (v != "pin" && v != "fast")
        throw InputError(fmt::format("-p {}: rtl.bridge is pin or fast", p));
      m_bridge.fast = v == "fast";
    }
    m_bridge.trace_first = ctx.trace_first;
    m_bridge.trace_last = ctx.trace_last;
    const bool windowed = ctx.trace_first != 0 || ctx.trace_last != std::numeric_limits<std::uint64_t>::max();
    if (windowed && !m_bridge.fast)
      throw InputError("--trace-beats/--trace-at: windowed waveforms need the fast bridge (not -p rtl.bridge=pin)");
    const std::string& f = ctx.trace_file;
    auto ends = [&](const char* ext) {
      const std::string e(ext);
      return f.size() > e.size() && f.compare(f.size() - e.size(), e.size(), e) == 0;
    };
    if (!f.empty()) {
      if (ends(".fst")) {
        m_fst = true;
        if (!on_path("vcd2fst"))
          throw InputError(fmt::format("--trace {}: FST output needs GTKWave's vcd2fst on PATH (or write FILE.vcd)", f));
      } else if (!ends(".vcd")) {
        throw InputError(fmt::format("--trace {}: the RTL modes write FILE.vcd or FILE.fst", f));
      }
    }
    m_platform = std::make_unique<TlmBackend>(inner, ctx.mode);  // engine kind rtl or cosim
  }
  std::string mode() const override { return m_ctx.mode; }
  double clock_mhz() const override { return m_platform->clock_mhz(); }

  void run(const Network& net, const std::vector<Beat>& beats, std::vector<BeatOutcome>& out,
           Progress& progress) override {
    if (!has_variant(net.arch))
      throw InputError(fmt::format("--arch {}: no RTL engine (RTL: the seq engine for qrcnn bnn "
                                   "int2kd logq dwsep, the pipe engine for dwsep)", net.arch));
    register_rtl_engines();
    set_bridge_options(m_bridge);
    // The run's configuration, resolved once by the platform backend (power report too).
    const PlatformConfig& cfg = m_platform->configure(net);
    std::vector<power::BlockRule> rules;
    std::unique_ptr<power::VcdFifoCounter> fifo;  // the waveform, counted as it is written
    if (cfg.power.rtl_activity) {
      // The toggle counter needs every beat's waveform (its rates are per beat of the run).
      if (m_bridge.trace_first != 0 || m_bridge.trace_last != std::numeric_limits<std::uint64_t>::max())
        throw InputError("-p power.rtl_activity=true: measures the whole run's waveform, not a --trace-beats/--trace-at window");
      rules = power::load_block_rules(power::default_block_rules_path(cfg.engine.style));
      if (m_ctx.trace_file.empty()) fifo = std::make_unique<power::VcdFifoCounter>();
    }
    const std::string vcd = m_fst ? m_ctx.trace_file + ".tmp.vcd" : m_ctx.trace_file;
    const std::string trace = fifo ? fifo->path() : vcd;
    m_platform->set_waveform_file(trace);
    const auto t0 = std::chrono::steady_clock::now();
    // The bar shows beats/s, RTL cycles/s and the ETA beside the beat count.
    class RateProgress final : public Progress {
     public:
      RateProgress(Progress& inner, const StatsRegistry& stats, std::size_t total,
                   std::chrono::steady_clock::time_point t0)
          : m_inner(inner), m_stats(stats), m_total(total), m_t0(t0) {}
      void advance(std::size_t done) override {
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_t0).count();
        if (s > 0) {
          const double rate = static_cast<double>(done) / s;
          const double edges = m_stats.has("rtl.clock_cycles") ? static_cast<double>(m_stats.value("rtl.clock_cycles")) : 0.0;
          if (auto* c = dynamic_cast<CycleProgress*>(&m_inner)) c->cycles(static_cast<std::uint64_t>(edges));
          m_inner.detail(fmt::format("{:.0f} beats/s, {:.2f} M RTL cycles/s, ETA {:.0f} s", rate, edges / s / 1e6,
                                     rate > 0 ? static_cast<double>(m_total - std::min(done, m_total)) / rate : 0.0));
        }
        m_inner.advance(done);
      }

     private:
      Progress& m_inner;
      const StatsRegistry& m_stats;
      std::size_t m_total;
      std::chrono::steady_clock::time_point m_t0;
    } rate_progress(progress, m_platform->stats(), beats.size(), t0);
    try {
      m_platform->run(net, beats, out, rate_progress);
    } catch (...) {
      Verilated::runExitCallbacks();  // closes the waveform
      if (fifo) fifo->abort();
      if (m_fst) std::filesystem::remove(vcd);
      throw;
    }
    // The platform keeps its modules until exit: close the waveform now (Verilator's exit
    // callbacks close every open trace) so the file is complete and the FIFO ends.
    if (!trace.empty()) Verilated::runExitCallbacks();
    if (cfg.power.rtl_activity) {
      const power::VcdToggles toggles =
          fifo ? fifo->finish() : power::count_vcd_toggles_file(vcd);
      m_block_toggles = power::toggles_by_block(toggles, rules);
      m_total_toggles = toggles.total_toggles();
    }
    if (!m_ctx.trace_file.empty()) merge_tlm_lanes_into_vcd(vcd, m_platform->result(), m_ctx.trace_depth);  // TLM lanes above the pins
    if (m_fst) to_fst(vcd, m_ctx.trace_file);
    m_wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }

  // Power (docs/power.md "rtl and cosim modes"). cosim: the TLM engine counted the activity,
  // so the platform's report already holds the TLM estimate. rtl: the RTL engine counts
  // beats and busy cycles only; the datapath and memory activity is the engine model's per
  // beat (what the RTL executes, cycle-exact: docs/rtl.md) x the beats the RTL ran.
  void fill_power(Report& report) const {
    const PlatformConfig& cfg = m_platform->config();
    const StatsRegistry& stats = m_platform->stats();
    const std::uint64_t beats = stats.value("rtl.beats");
    const std::uint64_t rtl_cycles = stats.value("rtl.cycles");
    HardwareReport& hw = report.hardware;
    if (m_ctx.mode == "rtl") {
      std::map<std::string, std::uint64_t> counters = hw.activity.value_or(std::map<std::string, std::uint64_t>{});
      for (const auto& [name, n] : power::engine_counters(cfg.timing, beats)) counters[name] += n;
      hw.activity = counters;
      power::add_power_report(report, cfg.power_setup(), counters, static_cast<double>(beats),
                              static_cast<double>(report.sim.simulated_cycles.value_or(0)));
      hw.power->detail.activity_from =
          "platform counters; engine: the engine model's per-beat activity x the beats the RTL ran, "
          "busy cycles measured on the RTL";
    } else {
      hw.power->detail.activity_from = "counters of the TLM engine run beside the RTL";
    }
    CosimPowerSummary summary;
    summary.measured = cfg.power.rtl_activity;
    PowerDetail& detail = hw.power->detail;
    if (cfg.power.rtl_activity) {
      // Same counters and busy time on both sides; only the toggle rates differ.
      const power::RtlComparison c = power::compare_with_rtl(cfg.power_setup(), m_block_toggles,
                                                             static_cast<double>(beats), static_cast<double>(rtl_cycles));
      RtlActivityReport a = c.report();
      a.total_toggles = m_total_toggles;
      a.busy_cycles = rtl_cycles;
      a.note = "dynamic power of the engine while busy: the engine model's activity x beats, "
               "TLM = calibrated toggle rates, RTL activity = rates measured on this run's VCD";
      detail.rtl_activity = a;
      detail.rtl_activity_note.reset();
      summary.tlm_dynamic_mw = c.tlm.dynamic_mw;
      summary.rtl_activity_dynamic_mw = c.rtl.dynamic_mw;
      summary.difference_pct = c.dynamic_difference_pct;
    } else {
      detail.rtl_activity.reset();
      detail.rtl_activity_note = "not measured (-p power.rtl_activity=true)";
      summary.tlm_dynamic_mw = power::busy_engine_estimate(cfg.power_setup(), static_cast<double>(beats),
                                                           static_cast<double>(rtl_cycles)).dynamic_mw;
    }
    if (m_ctx.mode == "cosim") report.cosim->power = summary;
  }

  void fill_report(Report& report) const override {
    m_platform->fill_report(report);
    const StatsRegistry& stats = m_platform->stats();
    const std::uint64_t rtl_cycles = stats.value("rtl.cycles");
    if (m_ctx.mode == "cosim") {
      const auto rtl = static_cast<double>(rtl_cycles);
      const auto tlm = static_cast<double>(stats.value("cosim.tlm_cycles"));
      CosimReport c;
      c.beats_compared = stats.value("rtl.beats");
      c.output_mismatches = stats.value("rtl.output_mismatches");
      c.rtl_cycles_total = rtl;
      c.tlm_cycles_total = tlm;
      c.cycle_error_pct = rtl > 0 ? 100.0 * (tlm - rtl) / rtl : 0.0;
      report.cosim = c;
    }
    fill_power(report);
    // RTL simulation speed: clock cycles the Verilated engine simulated per wall second.
    const std::uint64_t edges = stats.value("rtl.clock_cycles");
    report.sim.rtl_clock_cycles = edges;
    if (m_wall_s > 0) report.sim.rtl_cycles_per_s = static_cast<double>(edges) / m_wall_s;
    if (m_ctx.mode == "rtl") report.sim.rtl_output_mismatches = stats.value("rtl.output_mismatches");
    if (!m_ctx.trace_file.empty()) report.sim.trace_file = m_ctx.trace_file;
  }

 private:
  static bool on_path(const std::string& tool) {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "";
    std::size_t start = 0;
    while (start <= dirs.size()) {
      const std::size_t end = std::min(dirs.find(':', start), dirs.size());
      const std::string dir = dirs.substr(start, end - start);
      if (!dir.empty() && ::access((dir + "/" + tool).c_str(), X_OK) == 0) return true;
      start = end + 1;
    }
    return false;
  }
  // vcd2fst VCD -> FST (written beside, then renamed: no half-written FILE.fst); the VCD goes.
  static void to_fst(const std::string& vcd, const std::string& fst) {
    const std::string tmp = fst + ".tmp";
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int null = ::open("/dev/null", O_WRONLY);
      if (null >= 0) ::dup2(null, 1);
      ::execlp("vcd2fst", "vcd2fst", "-v", vcd.c_str(), "-f", tmp.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::filesystem::remove(vcd);
      std::filesystem::remove(tmp);
      throw std::runtime_error(fmt::format("--trace {}: vcd2fst failed on {}", fst, vcd));
    }
    std::filesystem::remove(vcd);
    std::filesystem::rename(tmp, fst);
  }

  BackendContext m_ctx;
  BridgeOptions m_bridge;
  bool m_fst = false;
  std::unique_ptr<TlmBackend> m_platform;
  double m_wall_s = 0;
  std::map<std::string, double> m_block_toggles;
  std::uint64_t m_total_toggles = 0;
};

const bool kRegistered = [] {
  for (const char* mode : {"rtl", "cosim"})
    register_backend(mode, [](const BackendContext& ctx) -> std::unique_ptr<Backend> {
      BackendFactory single = [](const BackendContext& c) -> std::unique_ptr<Backend> { return std::make_unique<RtlBackend>(c); };
      // -j N: records in worker processes; a waveform or the realtime pace needs one platform.
      if (ctx.workers > 1 && ctx.trace_file.empty() && !ctx.realtime) return make_parallel_rtl_backend(ctx, single);
      return single(ctx);
    });
  return true;
}();

}  // namespace
}  // namespace ecg::rtl
