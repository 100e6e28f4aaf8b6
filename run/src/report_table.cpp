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
  if (h.area && h.area->gate_equivalents) {  // a standard-cell ASIC: gates and SRAM, no LUTs
    const AreaReport& a = *h.area;
    s += fmt::format("  area {:<8} {:.0f} GE (NAND2), {:.0f} FFs, {:.0f} SRAM bits ({}{})\n", a.device, *a.gate_equivalents,
                     a.ffs, a.sram_bits.value_or(0.0), a.source,
                     a.source == "model" && a.model_ge_error_pct
                         ? fmt::format(", held-out error GE {:.0f} % FF {:.0f} %", *a.model_ge_error_pct,
                                       a.model_ff_error_pct.value_or(0.0))
                         : std::string());
    s += fmt::format("  buffers       {:.0f} B weights, {:.0f} B activations, {:.0f} B line buffers\n",
                     a.buffers.weights, a.buffers.activations, a.buffers.line_buffers);
  } else if (h.area) {
    const AreaReport& a = *h.area;
    s += fmt::format("  area {:<8} {:.0f} LUTs, {:.0f} FFs, {:.0f} {}, {:.0f} SPRAM, {:.0f} DSP ({}{}); {}\n", a.device,
                     a.luts, a.ffs, a.brams, a.bram_kind, a.sprams, a.dsps, a.source,
                     a.source == "model" && a.model_lut_error_pct
                         ? fmt::format(", held-out error LUT {:.0f} % FF {:.0f} %", *a.model_lut_error_pct,
                                       a.model_ff_error_pct.value_or(0.0))
                         : std::string(),
                     a.fits ? "fits" : "DOES NOT FIT");
    s += fmt::format("  fmax          {}; buffers {:.0f} B weights, {:.0f} B activations, {:.0f} B line buffers\n",
                     a.fmax_mhz ? fmt::format("{:.1f} MHz, clock {} ({:.1f} MHz)", *a.fmax_mhz,
                                              a.meets_clock.value_or(false) ? "met" : "MISSED",
                                              h.clock_mhz.value_or(0.0))
                                : std::string("unknown (no placed-and-routed result or Fmax model for this device)"),
                     a.buffers.weights, a.buffers.activations, a.buffers.line_buffers);
  }
  if (h.realtime) {
    const RealtimeReport& r = *h.realtime;
    s += fmt::format("  real time     {:.2f} {}/s of the recording: {:.3f} mW average (idle {:.3f} mW, clock {}), "
                     "{:.2f} uJ/{}\n",
                     r.beats_per_s, unit, r.average_mw, r.idle_mw, r.idle_clock_gated ? "gated" : "running",
                     r.energy_uj_per_beat, one);
    s += fmt::format("  battery       {:.0f} mAh at {:.1f} V: {:.0f} h = {:.1f} days\n", r.battery_mah, r.battery_v,
                     r.battery_life_h, r.battery_life_days);
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
