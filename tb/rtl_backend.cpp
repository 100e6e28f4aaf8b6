// The `rtl` and `cosim` execution modes (ecg/run/backend.h): the TLM platform (models/) with the
// Verilated engine (seq or pipe) behind the TLM-to-pins bridge (engine kind "rtl"), or with the
// TLM and RTL engines side by side (engine kind "cosim", tb/rtl_engine.h). The platform run, its
// configuration and its report are the tlm backend's (TlmBackend, one configuration per run),
// with the engine kind of the mode; this adds the waveform (--trace FILE.vcd) and the report's
// `cosim` block from the engines' check counters in the stats registry. Compiled into ecg_sim
// (object library ecg_rtl_backend) so the static registration below is kept.
// Power (docs/power.md): the report's power is counters x calibrated toggle rates, as in
// tlm mode; with -p power.rtl_activity=true the run's own VCD is also streamed into the
// toggle counter and the RTL-activity estimate is reported next to the TLM estimate.
#include "verilated.h"  // Verilated::runExitCallbacks (first: pulls systemc.h)

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "ecg/error.h"
#include "ecg/models/tlm_backend.h"
#include "ecg/power/hw.h"
#include "ecg/run/backend.h"
#include "ecg/power/vcd.h"
#include "ecg/power/vcd_fifo.h"
#include "pipe_bench.h"
#include "rtl_engine.h"  // register_rtl_engines
#include "seq_bench.h"

namespace ecg::rtl {
namespace {

class RtlBackend final : public Backend {
 public:
  explicit RtlBackend(const BackendContext& ctx) : m_ctx(ctx) {
    BackendContext inner = ctx;
    inner.trace_file.clear();  // the waveform is ours; the platform's CSV trace is not written
    m_platform = std::make_unique<TlmBackend>(inner, ctx.mode);  // engine kind rtl or cosim
  }
  std::string mode() const override { return m_ctx.mode; }
  double clock_mhz() const override { return m_platform->clock_mhz(); }

  void run(const Network& net, const std::vector<Beat>& beats, std::vector<BeatOutcome>& out,
           Progress& progress) override {
    if (!has_seq_arch(net.arch) && !has_pipe_arch(net.arch))
      throw InputError(fmt::format("--arch {}: no RTL engine (RTL: the seq engine for qrcnn bnn "
                                   "int2kd logq, the pipe engine for dwsep)", net.arch));
    if (!m_ctx.trace_file.empty()) {
      const std::string& f = m_ctx.trace_file;
      if (f.size() < 4 || f.compare(f.size() - 4, 4, ".vcd") != 0)
        throw InputError(fmt::format("--trace {}: the RTL modes write VCD waveforms (FILE.vcd)", f));
    }
    register_rtl_engines();
    // The run's configuration, resolved once by the platform backend (power report too).
    const PlatformConfig& cfg = m_platform->configure(net);
    std::vector<power::BlockRule> rules;
    std::unique_ptr<power::VcdFifoCounter> fifo;  // the waveform, counted as it is written
    if (cfg.power.rtl_activity) {
      rules = power::load_block_rules(power::default_block_rules_path(cfg.engine.style));
      if (m_ctx.trace_file.empty()) fifo = std::make_unique<power::VcdFifoCounter>();
    }
    const std::string trace = fifo ? fifo->path() : m_ctx.trace_file;
    m_platform->set_waveform_file(trace);
    const auto t0 = std::chrono::steady_clock::now();
    try {
      m_platform->run(net, beats, out, progress);
    } catch (...) {
      Verilated::runExitCallbacks();  // closes the waveform
      if (fifo) fifo->abort();
      throw;
    }
    // The platform keeps its modules until exit: close the waveform now (Verilator's exit
    // callbacks close every open trace) so the file is complete and the FIFO ends.
    if (!trace.empty()) Verilated::runExitCallbacks();
    if (cfg.power.rtl_activity) {
      const power::VcdToggles toggles =
          fifo ? fifo->finish() : power::count_vcd_toggles_file(m_ctx.trace_file);
      m_block_toggles = power::toggles_by_block(toggles, rules);
      m_total_toggles = toggles.total_toggles();
    }
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
  BackendContext m_ctx;
  std::unique_ptr<TlmBackend> m_platform;
  double m_wall_s = 0;
  std::map<std::string, double> m_block_toggles;
  std::uint64_t m_total_toggles = 0;
};

const bool kRegistered = [] {
  for (const char* mode : {"rtl", "cosim"})
    register_backend(mode, [](const BackendContext& ctx) { return std::make_unique<RtlBackend>(ctx); });
  return true;
}();

}  // namespace
}  // namespace ecg::rtl
