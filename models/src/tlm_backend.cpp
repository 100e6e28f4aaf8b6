// The `tlm` execution mode (ecg/run/backend.h): runs the beats through the SystemC platform
// with the TLM engine. Compiled into ecg_sim (object library ecg_tlm_backend) so the
// static registration below is kept.
#include <memory>
#include <string>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "ecg/run/backend.h"
#include "ecg/models/tlm_run.h"
#include "ecg/npy.h"     // write_file_atomic
#include "ecg/run/report.h"  // check_output_path
#ifdef ECG_WITH_POWER
#include "ecg/power/hw.h"
#endif

namespace ecg {
namespace {

class TlmBackend final : public Backend {
 public:
  explicit TlmBackend(const BackendContext& ctx) : m_ctx(ctx) {}
  std::string mode() const override { return m_ctx.mode; }
  double clock_mhz() const override { return m_clock_mhz; }

  void run(const Network& net, const std::vector<Beat>& beats, std::vector<BeatOutcome>& out,
           Progress& progress) override {
    TlmOptions opt;
    opt.config_file = m_ctx.config_file;
    opt.params = m_ctx.params;
    opt.realtime = m_ctx.realtime;
    opt.engine_kind = m_ctx.mode;  // tlm, or rtl/cosim (tb/rtl_backend.cpp runs this backend with them)
    if (!m_ctx.trace_file.empty()) check_output_path(m_ctx.trace_file, "--trace");
    m_run = std::make_unique<TlmRun>();
    run_tlm(net, beats, opt, *m_run, [&progress](std::size_t n) {
      if ((n & 255) == 0) progress.advance(n);
    });
    progress.advance(beats.size());
    const PlatformResult& r = m_run->result;
    m_clock_mhz = r.clock_mhz;
    const double period_s = 1e-6 / r.clock_mhz;
    out.resize(beats.size());
    for (std::size_t i = 0; i < beats.size(); ++i) {
      const BeatTrace& t = r.trace[i];
      BeatOutcome& o = out[i];
      o.predicted = t.cls;
      o.logits = t.logits;
      // Service latency (docs/timing.md): queueing behind earlier beats is reported apart.
      const sc_core::sc_time service = (t.t_req - t.t_dma) + (t.t_host - t.t_start);
      o.cycles = static_cast<std::uint64_t>(service.to_seconds() / period_s + 0.5);
      o.start_s = t.t_avail.to_seconds();
      o.done_s = t.t_host.to_seconds();
    }
    if (!m_ctx.trace_file.empty()) write_trace(beats, period_s);
  }

  // --trace FILE: one CSV line per beat with its transaction times in cycles.
  void write_trace(const std::vector<Beat>& beats, double period_s) const {
    const PlatformResult& r = m_run->result;
    auto cyc = [&](sc_core::sc_time t) { return static_cast<std::uint64_t>(t.to_seconds() / period_s + 0.5); };
    std::string text =
        "beat,record,sample,avail_cycle,dma_cycle,start_req_cycle,engine_start_cycle,done_cycle,"
        "host_read_cycle,engine_cycles,class\n";
    for (std::size_t i = 0; i < beats.size(); ++i) {
      const BeatTrace& t = r.trace[i];
      text += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", i, beats[i].record, beats[i].sample,
                          cyc(t.t_avail), cyc(t.t_dma), cyc(t.t_req), cyc(t.t_start), cyc(t.t_done),
                          cyc(t.t_host), t.engine_cycles, t.cls);
    }
    write_file_atomic(m_ctx.trace_file, text);
  }

  void fill_report(nlohmann::json& report) const override {
    if (!m_run) return;
    const PlatformResult& r = m_run->result;
    nlohmann::json& hw = report["hardware"];
    hw["initiation_interval_cycles"] = r.ii_cycles;
    hw["throughput_fps"] = r.throughput_fps;
    // Deadline misses are measured only when the beats were fed at the recording's pace.
    if (m_run->params.get_string("source.pace") == "realtime")
      hw["realtime_deadline_misses"] = r.deadline_misses;
    hw["config"] = m_run->params.to_json();
    hw["activity"] = m_run->stats.to_json();
    nlohmann::json eng;
    eng["style"] = r.timing.style;
    eng["load_cycles"] = r.timing.load_cycles;
    eng["latency_cycles"] = r.timing.latency_cycles;
    eng["ii_cycles"] = r.timing.ii_cycles;
    eng["measured_latency_cycles"] = {{"min", r.engine_cycles.min}, {"mean", r.engine_cycles.mean},
                                      {"max", r.engine_cycles.max}};
    eng["macs_per_beat"] = r.timing.macs;
    nlohmann::json passes = nlohmann::json::array();
    for (const auto& p : r.timing.passes)
      passes.push_back({{"layer", p.layer}, {"type", p.type}, {"fused", p.fused}, {"pe", p.pe},
                        {"simd", p.simd}, {"work", p.work}, {"cycles", p.cycles}});
    eng["passes"] = passes;
    hw["engine"] = eng;
    hw["dma_path_cycles"] = r.dma_path_cycles;
    hw["queue_cycles"] = {{"min", r.queue_cycles.min}, {"mean", r.queue_cycles.mean}, {"max", r.queue_cycles.max}};
    hw["boot_cycles"] = r.boot_cycles;
    if (r.ii_measured_cycles > 0) hw["initiation_interval_measured_cycles"] = r.ii_measured_cycles;
    report["sim"]["simulated_cycles"] = r.simulated_cycles;
    if (!m_ctx.trace_file.empty()) report["sim"]["trace_file"] = m_ctx.trace_file;
#ifdef ECG_WITH_POWER
    power::add_power_report(report, m_run->params, m_run->geom, power::counters_of(m_run->stats),
                            static_cast<double>(r.trace.size()), static_cast<double>(r.simulated_cycles));
#endif
  }

 private:
  BackendContext m_ctx;
  double m_clock_mhz = 0;
  std::unique_ptr<TlmRun> m_run;
};

const bool kRegistered = register_backend(
    "tlm", [](const BackendContext& ctx) { return std::make_unique<TlmBackend>(ctx); });

}  // namespace
}  // namespace ecg

// ecg_sim has its own main(); libsystemc.so still references sc_main, which is never called
// there. Weak, so a backend linked beside this one (rtl) may define it as well.
extern "C" __attribute__((weak)) int sc_main(int, char**) { return 3; }
