// The one terminal writer of a timed mode's hardware figures (ecg/run/report.h).
#include <fmt/format.h>

#include "ecg/run/report.h"

namespace ecg {

std::string format_hardware_table(const Report& report, const std::string& unit) {
  const HardwareReport& h = report.hardware;
  if (!h.latency_us) return {};
  const char* one = unit == "windows" ? "window" : "beat";  // what one input is
  const CycleSpan lc = h.latency_cycles.value_or(CycleSpan{});
  const Span& lu = *h.latency_us;
  std::string s = fmt::format("hardware ({} MHz)\n", h.clock_mhz.value_or(0.0));
  s += fmt::format("  latency       {:.0f} cycles = {:.2f} us per {} (min {:.0f}, max {:.0f} cycles)\n", lc.mean,
                   lu.mean, one, static_cast<double>(lc.min), static_cast<double>(lc.max));
  s += fmt::format("  throughput    {:.0f} {}/s (initiation interval {:.0f} cycles)\n", h.throughput_fps.value_or(0.0),
                   unit, h.initiation_interval_cycles.value_or(0.0));
  if (h.queue_cycles)
    s += fmt::format("  queueing      mean {:.0f} cycles before the engine (max {:.0f})\n", h.queue_cycles->mean,
                     h.queue_cycles->max);
  if (h.realtime_deadline_misses) s += fmt::format("  real time     {} deadline misses\n", *h.realtime_deadline_misses);
  s += fmt::format("  work          {:.0f} ops/{}, {:.0f} MACs, {:.0f} B of weights\n", static_cast<double>(h.ops_per_beat),
                   one, static_cast<double>(h.macs_per_beat), static_cast<double>(h.weight_storage_bytes));
  if (h.power) {
    const PowerReport& p = *h.power;
    s += fmt::format("  power {:<7} {:.2f} mW dynamic + {:.2f} mW static = {:.2f} mW; {:.4f} uJ/{}; {:.1f} GOPS/W\n",
                     p.detail.tech, p.dynamic_mw, p.static_mw, p.total_mw, p.energy_uj_per_beat, one, p.gops_per_w);
  }
  if (report.cosim) {
    const CosimReport& c = *report.cosim;
    s += fmt::format("  cosim         {:.0f} {} compared, {:.0f} output mismatches; cycles RTL {:.0f}, TLM {:.0f} "
                     "(error {:+.3f} %)\n",
                     static_cast<double>(c.beats_compared), unit, static_cast<double>(c.output_mismatches),
                     c.rtl_cycles_total, c.tlm_cycles_total, c.cycle_error_pct);
  }
  return s;
}

}  // namespace ecg
