// The `rtl` and `cosim` execution modes (sim/backend.h): the TLM platform (models/) with the
// Verilated seq engine behind the TLM-to-pins bridge (engine kind "rtl"), or with the TLM and
// RTL engines side by side (engine kind "cosim", tb/rtl_engine.h). The platform run and its
// report are the `tlm` backend's, asked for the engine kind of the mode; this adds the
// waveform (--trace FILE.vcd) and the report's `cosim` block. Compiled into ecg_sim
// (object library ecg_rtl_backend) so the static registration below is kept.
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "backend.h"
#include "ecg/error.h"
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
    if (!has_seq_arch(net.arch))
      throw InputError(fmt::format("--arch {}: no RTL engine (RTL: the seq engine for qrcnn bnn "
                                   "int2kd logq)", net.arch));
    if (!m_ctx.trace_file.empty()) {
      const std::string& f = m_ctx.trace_file;
      if (f.size() < 4 || f.compare(f.size() - 4, 4, ".vcd") != 0)
        throw InputError(fmt::format("--trace {}: the RTL modes write VCD waveforms (FILE.vcd)", f));
    }
    register_rtl_engines();
    set_engine_trace_file(m_ctx.trace_file);
    const auto t0 = std::chrono::steady_clock::now();
    m_platform->run(net, beats, out, progress);
    m_wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
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
};

const bool kRegistered = [] {
  for (const char* mode : {"rtl", "cosim"})
    register_backend(mode, [](const BackendContext& ctx) { return std::make_unique<RtlBackend>(ctx); });
  return true;
}();

}  // namespace
}  // namespace ecg::rtl
