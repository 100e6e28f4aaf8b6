// The `tlm` execution mode (ecg/run/backend.h, ecg/models/tlm_backend.h). Compiled into
// ecg_sim as an object library (ecg_tlm_backend) so the static registration below is kept.
#include "ecg/models/tlm_backend.h"
#include "ecg/models/tlm_lanes.h"

#include <fmt/format.h>

#include "ecg/atomic_file.h"
#include "ecg/error.h"
#include "ecg/models/beat_source.h"
#include "ecg/power/hw.h"
#include "ecg/run/report.h"

namespace ecg {

TlmBackend::TlmBackend(const BackendContext& ctx, std::string engine_kind)
    : m_ctx(ctx), m_engine_kind(std::move(engine_kind)) {}

const PlatformConfig& TlmBackend::configure(const Network& net) {
  if (m_run->config.clock_mhz <= 0) {
    TlmOptions opt;
    opt.config_file = m_ctx.config_file;
    opt.params = m_ctx.params;
    opt.realtime = m_ctx.realtime;
    m_run->config = make_platform_config(net, opt);
  }
  return m_run->config;
}

void TlmBackend::run(const Network& net, const std::vector<Beat>& beats, std::vector<BeatOutcome>& out,
                     Progress& progress) {
  if (!m_ctx.trace_file.empty()) {
    check_output_path(m_ctx.trace_file, "--trace");
    const std::string& f = m_ctx.trace_file;
    if (m_engine_kind == "tlm" && f.size() > 4 && f.compare(f.size() - 4, 4, ".fst") == 0)
      throw InputError(fmt::format("--trace {}: tlm mode writes FILE.vcd (the TLM lanes) or a CSV of transaction times", f));
  }
  configure(net);
  TlmOptions opt;
  opt.engine_kind = m_engine_kind;
  run_tlm(net, beats, opt, *m_run, [&progress](std::size_t n) {
    if ((n & 255) == 0) progress.advance(n);
  }, m_waveform_file);
  m_ran = true;
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
  if (!m_ctx.trace_file.empty()) {
    const std::string& f = m_ctx.trace_file;
    if (f.size() > 4 && f.compare(f.size() - 4, 4, ".vcd") == 0) write_tlm_lanes_vcd(f, r);  // GTKWave lanes
    else write_trace(beats, period_s);  // CSV of the transaction times
  }
}

// --trace FILE: one CSV line per beat with its transaction times in cycles.
void TlmBackend::write_trace(const std::vector<Beat>& beats, double period_s) const {
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

void TlmBackend::fill_report(Report& report) const {
  if (!m_ran) return;
  const PlatformResult& r = m_run->result;
  const PlatformConfig& cfg = m_run->config;
  HardwareReport& hw = report.hardware;
  hw.initiation_interval_cycles = r.ii_cycles;
  hw.throughput_fps = r.throughput_fps;
  // Deadline misses are measured only when the beats were fed at the recording's pace.
  if (cfg.params.get(beat_source::kPace) == "realtime") hw.realtime_deadline_misses = r.deadline_misses;
  std::map<std::string, ConfigValue> config;
  for (const auto& [key, p] : cfg.params.all())
    std::visit([&config, &key = key](const auto& v) { config[key] = v; }, p.value);
  hw.config = config;
  std::map<std::string, std::uint64_t> activity;
  for (const auto& [name, c] : m_run->stats.all()) activity[name] = c->value;
  hw.activity = activity;
  EngineReport eng;
  eng.style = r.timing.style;
  eng.load_cycles = r.timing.load_cycles;
  eng.latency_cycles = r.timing.latency_cycles;
  eng.ii_cycles = r.timing.ii_cycles;
  eng.measured_latency_cycles = r.engine_cycles;
  eng.macs_per_beat = r.timing.macs;
  for (const auto& p : r.timing.passes) eng.passes.push_back({p.layer, p.type, p.fused, p.pe, p.simd, p.work, p.cycles});
  hw.engine = eng;
  hw.dma_path_cycles = r.dma_path_cycles;
  hw.queue_cycles = r.queue_cycles;
  hw.boot_cycles = r.boot_cycles;
  if (r.ii_measured_cycles > 0) hw.initiation_interval_measured_cycles = r.ii_measured_cycles;
  report.sim.simulated_cycles = r.simulated_cycles;
  if (!m_ctx.trace_file.empty()) report.sim.trace_file = m_ctx.trace_file;
  power::add_power_report(report, cfg.power_setup(), power::counters_of(m_run->stats), static_cast<double>(r.trace.size()),
                          static_cast<double>(r.simulated_cycles));
}

namespace {
const bool kRegistered = register_backend(
    "tlm", [](const BackendContext& ctx) { return std::make_unique<TlmBackend>(ctx); });
}  // namespace

}  // namespace ecg
