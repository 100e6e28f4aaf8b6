// The `rtl` and `cosim` execution modes (ecg/run/backend.h): the TLM platform (models/) with the
// Verilated seq engine behind the TLM-to-pins bridge (engine kind "rtl"), or with the TLM and
// RTL engines side by side (engine kind "cosim", tb/rtl_engine.h). The platform run and its
// report are the `tlm` backend's, asked for the engine kind of the mode; this adds the
// waveform (--trace FILE.vcd) and the report's `cosim` block. Compiled into ecg_sim
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

#include "ecg/run/backend.h"
#include "ecg/error.h"
#include "ecg/models/tlm_run.h"
#include "ecg/power/hw.h"
#include "ecg/power/vcd.h"
#include "ecg/power/vcd_fifo.h"
#include "pipe_bench.h"
#include "rtl_engine.h"  // rtl_totals
#include "seq_bench.h"

namespace ecg::rtl {
namespace {

class RtlBackend final : public Backend {
 public:
  explicit RtlBackend(const BackendContext& ctx) : m_ctx(ctx) {
    auto it = backend_registry().find("tlm");
    if (it == backend_registry().end())
      throw std::runtime_error("--mode " + ctx.mode + ": the tlm platform is not built into ecg_sim");
    BackendContext inner = ctx;
    inner.trace_file.clear();  // the waveform is ours; the platform's CSV trace is not written
    m_platform = it->second(inner);
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
    // The run's parameters as the platform will build them (for the power report).
    m_geom = net_geometry(net);
    TlmOptions opt;
    opt.config_file = m_ctx.config_file;
    opt.params = m_ctx.params;
    opt.realtime = m_ctx.realtime;
    m_params = make_platform_params(net, m_geom, opt);
    m_rtl_activity = m_params.get_bool("power.rtl_activity");
    std::vector<power::BlockRule> rules;
    std::unique_ptr<power::VcdFifoCounter> fifo;  // the waveform, counted as it is written
    if (m_rtl_activity) {
      rules = power::load_block_rules(power::default_block_rules_path(m_params.get_string("engine.style")));
      if (m_ctx.trace_file.empty()) fifo = std::make_unique<power::VcdFifoCounter>();
    }
    const std::string trace = fifo ? fifo->path() : m_ctx.trace_file;
    set_engine_trace_file(trace);
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
    if (m_rtl_activity) {
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
  void fill_power(nlohmann::json& report) const {
    const RtlTotals& t = rtl_totals();
    nlohmann::json& hw = report["hardware"];
    if (m_ctx.mode == "rtl") {
      std::map<std::string, std::uint64_t> counters;
      for (const auto& [name, v] : hw["activity"].items()) counters[name] = v.get<std::uint64_t>();
      const EngineTiming timing = engine_timing(m_geom, engine_config(m_params, m_geom));
      for (const auto& [name, n] : power::engine_counters(timing, t.beats)) counters[name] += n;
      hw["activity"] = counters;
      power::add_power_report(report, m_params, m_geom, counters, static_cast<double>(t.beats),
                              report["sim"]["simulated_cycles"].get<double>());
      hw["power"]["activity_from"] =
          "platform counters; engine: the engine model's per-beat activity x the beats the RTL ran, "
          "busy cycles measured on the RTL";
    } else {
      hw["power"]["activity_from"] = "counters of the TLM engine run beside the RTL";
    }
    nlohmann::json summary = {{"tlm_dynamic_mw", nullptr}, {"rtl_activity_dynamic_mw", nullptr},
                              {"difference_pct", nullptr}, {"measured", m_rtl_activity}};
    if (m_rtl_activity) {
      // Same counters and busy time on both sides; only the toggle rates differ.
      const power::RtlComparison c = power::compare_with_rtl(
          m_params, m_geom, m_block_toggles, static_cast<double>(t.beats), static_cast<double>(t.rtl_cycles));
      nlohmann::json j = c.to_json();
      j["total_toggles"] = m_total_toggles;
      j["busy_cycles"] = t.rtl_cycles;
      j["note"] = "dynamic power of the engine while busy: the engine model's activity x beats, "
                  "TLM = calibrated toggle rates, RTL activity = rates measured on this run's VCD";
      hw["power"]["rtl_activity"] = j;
      summary = {{"tlm_dynamic_mw", c.tlm.dynamic_mw}, {"rtl_activity_dynamic_mw", c.rtl.dynamic_mw},
                 {"difference_pct", c.dynamic_difference_pct}, {"measured", true}};
    } else {
      hw["power"]["rtl_activity"] = "not measured (-p power.rtl_activity=true)";
      summary["tlm_dynamic_mw"] = power::busy_engine_estimate(m_params, m_geom, static_cast<double>(t.beats),
                                                              static_cast<double>(t.rtl_cycles)).dynamic_mw;
    }
    if (m_ctx.mode == "cosim") report["cosim"]["power"] = summary;
  }

  void fill_report(nlohmann::json& report) const override {
    m_platform->fill_report(report);
    const RtlTotals& t = rtl_totals();
    if (m_ctx.mode == "cosim") {
      const auto rtl = static_cast<double>(t.rtl_cycles);
      const auto tlm = static_cast<double>(t.tlm_cycles);
      report["cosim"] = {{"beats_compared", t.beats},
                         {"output_mismatches", t.output_mismatches},
                         {"rtl_cycles_total", rtl},
                         {"tlm_cycles_total", tlm},
                         {"cycle_error_pct", rtl > 0 ? 100.0 * (tlm - rtl) / rtl : 0.0}};
    }
    fill_power(report);
    // RTL simulation speed: clock cycles the Verilated engine simulated per wall second.
    report["sim"]["rtl_clock_cycles"] = t.rtl_edges;
    if (m_wall_s > 0) report["sim"]["rtl_cycles_per_s"] = static_cast<double>(t.rtl_edges) / m_wall_s;
    if (m_ctx.mode == "rtl") report["sim"]["rtl_output_mismatches"] = t.output_mismatches;
    if (!m_ctx.trace_file.empty()) report["sim"]["trace_file"] = m_ctx.trace_file;
  }

 private:
  BackendContext m_ctx;
  std::unique_ptr<Backend> m_platform;
  double m_wall_s = 0;
  NetGeom m_geom;
  ParamSet m_params;
  bool m_rtl_activity = false;
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
