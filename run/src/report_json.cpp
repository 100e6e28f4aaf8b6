// The one JSON writer of the typed report (ecg/run/report.h) and its field list.
#include <algorithm>
#include <cmath>

#include "ecg/run/report.h"

namespace ecg {

using nlohmann::json;

namespace {

json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

template <class T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json span_json(const Span& s) { return {{"min", s.min}, {"mean", s.mean}, {"max", s.max}}; }

json config_json(const std::map<std::string, ConfigValue>& config) {
  json j = json::object();
  for (const auto& [k, v] : config) std::visit([&j, &k = k](const auto& x) { j[k] = x; }, v);
  return j;
}

json energy_json(const EnergyFigures& e) {
  return {{"dynamic_mw", e.dynamic_mw}, {"dynamic_uj_per_beat", e.dynamic_uj_per_beat}};
}

json engine_json(const EngineReport& e) {
  json passes = json::array();
  for (const auto& p : e.passes)
    passes.push_back({{"layer", p.layer}, {"type", p.type}, {"fused", p.fused}, {"pe", p.pe},
                      {"simd", p.simd}, {"work", p.work}, {"cycles", p.cycles}});
  return {{"style", e.style},
          {"load_cycles", e.load_cycles},
          {"latency_cycles", e.latency_cycles},
          {"ii_cycles", e.ii_cycles},
          {"measured_latency_cycles", span_json(e.measured_latency_cycles)},
          {"macs_per_beat", e.macs_per_beat},
          {"passes", passes}};
}

json count(double v) { return std::isfinite(v) ? json(static_cast<std::int64_t>(std::llround(v))) : json(nullptr); }

// hardware.area (report.schema.json): source "place_and_route" when the synthesized result
// has a post-route Fmax, "synthesis" when it has utilization only, else "model".
json area_json(const AreaReport& a) {
  json j = {{"device", a.device},
            {"source", a.source},
            {"source_file", a.source_file},
            {"luts", count(a.luts)},
            {"ffs", count(a.ffs)},
            {"brams", count(a.brams)},
            {"bram_kind", a.bram_kind},
            {"sprams", count(a.sprams)},
            {"dsps", count(a.dsps)},
            {"fmax_mhz", opt(a.fmax_mhz)},
            {"fits", a.fits},
            {"meets_clock", opt(a.meets_clock)},
            {"capacity", {{"luts", count(a.lut_capacity)}, {"ffs", count(a.ff_capacity)},
                          {"brams", count(a.bram_capacity)}, {"dsps", count(a.dsp_capacity)}}},
            {"buffers_bytes", {{"weights", count(a.buffers.weights)},
                               {"activations", count(a.buffers.activations)},
                               {"line_buffers", count(a.buffers.line_buffers)},
                               {"input", count(a.buffers.input)}}}};
  if (a.model_lut_error_pct) j["model_lut_error_pct"] = *a.model_lut_error_pct;
  if (a.model_ff_error_pct) j["model_ff_error_pct"] = *a.model_ff_error_pct;
  if (a.gate_equivalents) j["gate_equivalents"] = count(*a.gate_equivalents);
  if (a.sram_bits) j["sram_bits"] = count(*a.sram_bits);
  if (a.model_ge_error_pct) j["model_ge_error_pct"] = *a.model_ge_error_pct;
  return j;
}

json realtime_json(const RealtimeReport& r) {
  return {{"beat_rate_hz", r.beats_per_s},
          {"average_power_mw", r.average_mw},
          {"energy_uj_per_beat_with_idle", r.energy_uj_per_beat},
          {"idle_power_mw", r.idle_mw},
          {"idle_clock_gated", r.idle_clock_gated},
          {"battery_mah", r.battery_mah},
          {"battery_v", r.battery_v},
          {"battery_life_h", r.battery_life_h},
          {"battery_life_days", r.battery_life_days}};
}

json hardware_json(const HardwareReport& h) {
  json j = {{"clock_mhz", opt(h.clock_mhz)},
            {"latency_cycles", nullptr},
            {"latency_us", nullptr},
            {"throughput_fps", opt(h.throughput_fps)},
            {"ops_per_beat", h.ops_per_beat},
            {"macs_per_beat", h.macs_per_beat},
            {"weight_storage_bytes", h.weight_storage_bytes}};
  if (h.latency_cycles)
    j["latency_cycles"] = {{"min", h.latency_cycles->min}, {"mean", h.latency_cycles->mean}, {"max", h.latency_cycles->max}};
  if (h.latency_us) j["latency_us"] = span_json(*h.latency_us);
  if (h.initiation_interval_cycles) j["initiation_interval_cycles"] = *h.initiation_interval_cycles;
  if (h.initiation_interval_measured_cycles)
    j["initiation_interval_measured_cycles"] = *h.initiation_interval_measured_cycles;
  if (h.realtime_deadline_misses) j["realtime_deadline_misses"] = *h.realtime_deadline_misses;
  if (h.config) j["config"] = config_json(*h.config);
  if (h.activity) j["activity"] = *h.activity;
  if (h.engine) j["engine"] = engine_json(*h.engine);
  if (h.dma_path_cycles) j["dma_path_cycles"] = *h.dma_path_cycles;
  if (h.queue_cycles) j["queue_cycles"] = span_json(*h.queue_cycles);
  if (h.boot_cycles) j["boot_cycles"] = *h.boot_cycles;
  if (h.power) {
    const PowerReport& p = *h.power;
    j["power_mw"] = {{"dynamic", p.dynamic_mw}, {"static", p.static_mw}, {"total", p.total_mw}};
    j["energy_uj_per_beat"] = p.energy_uj_per_beat;
    j["gops_per_w"] = p.gops_per_w;
    j["power"] = to_json(p.detail);
  }
  if (h.area) j["area"] = area_json(*h.area);
  if (h.realtime) j["realtime"] = realtime_json(*h.realtime);
  return j;
}

json cosim_json(const CosimReport& c) {
  json j = {{"beats_compared", c.beats_compared},
            {"output_mismatches", c.output_mismatches},
            {"rtl_cycles_total", c.rtl_cycles_total},
            {"tlm_cycles_total", c.tlm_cycles_total},
            {"cycle_error_pct", c.cycle_error_pct}};
  if (c.power)
    j["power"] = {{"tlm_dynamic_mw", opt(c.power->tlm_dynamic_mw)},
                  {"rtl_activity_dynamic_mw", opt(c.power->rtl_activity_dynamic_mw)},
                  {"difference_pct", opt(c.power->difference_pct)},
                  {"measured", c.power->measured}};
  return j;
}

json golden_check_json(const GoldenCheckReport& g) {
  json j = {{"beats_compared", g.beats_compared}, {"mismatches", g.mismatches}, {"golden_wall_s", g.golden_wall_s},
            {"golden_beats_per_s", g.golden_beats_per_s}};
  if (g.speed_vs_golden) j["speed_vs_golden"] = *g.speed_vs_golden;
  if (g.first_mismatch) {
    const FirstMismatch& f = *g.first_mismatch;
    j["first_mismatch"] = {{"record", f.record}, {"sample", f.sample}, {"golden_logits", f.golden_logits},
                           {"logits", f.logits}, {"golden_class", f.golden_class}, {"class", f.cls}};
  }
  return j;
}

json sim_json(const SimReport& s) {
  json j = {{"wall_s", opt(s.wall_s)}, {"beats_per_s", opt(s.beats_per_s)}};
  if (s.load_s) j["load_s"] = *s.load_s;
  if (s.threads) j["threads"] = *s.threads;
  if (s.simulated_cycles) j["simulated_cycles"] = *s.simulated_cycles;
  if (s.trace_file) j["trace_file"] = *s.trace_file;
  if (s.rtl_clock_cycles) j["rtl_clock_cycles"] = *s.rtl_clock_cycles;
  if (s.rtl_cycles_per_s) j["rtl_cycles_per_s"] = *s.rtl_cycles_per_s;
  if (s.rtl_output_mismatches) j["rtl_output_mismatches"] = *s.rtl_output_mismatches;
  return j;
}

}  // namespace

json to_json(const RtlActivityReport& r) {
  json blocks = json::object();
  for (const auto& [name, b] : r.blocks)
    blocks[name] = {{"tlm_toggle_rate", b.tlm_toggle_rate},
                    {"rtl_toggle_rate", b.rtl_toggle_rate},
                    {"difference_pct", b.difference_pct}};
  return {{"tech", r.tech},
          {"tlm_toggle_rates_from", r.tlm_toggle_rates_from},
          {"tlm", energy_json(r.tlm)},
          {"rtl_activity", energy_json(r.rtl_activity)},
          {"dynamic_difference_pct", r.dynamic_difference_pct},
          {"block_toggles", r.block_toggles},
          {"blocks", blocks},
          {"total_toggles", r.total_toggles},
          {"busy_cycles", r.busy_cycles},
          {"note", r.note}};
}

json to_json(const PowerDetail& p) {
  json blocks = json::object();
  for (const auto& [name, b] : p.blocks) {
    json j = {{"dynamic_uj_per_beat", b.dynamic_uj_per_beat}, {"dynamic_mw", b.dynamic_mw}, {"nominal_pj", b.nominal_pj}};
    if (b.toggle_rate) j["toggle_rate"] = *b.toggle_rate;
    if (b.nominal_bits) j["nominal_bits"] = *b.nominal_bits;
    blocks[name] = j;
  }
  json j = {{"tech", p.tech},
            {"tech_file", p.tech_file},
            {"toggle_rates_from", p.toggle_rates_from},
            {"dynamic_uj_per_beat", p.dynamic_uj_per_beat},
            {"dynamic_gops_per_w", p.dynamic_gops_per_w},
            {"simulated_s", p.simulated_s},
            {"blocks", blocks}};
  if (p.activity_from) j["activity_from"] = *p.activity_from;
  if (!p.static_from.empty()) j["static_from"] = p.static_from;
  if (!p.per_op_pj.empty()) j["per_op_pj"] = p.per_op_pj;
  if (p.clocked_flip_flops > 0) {
    j["clocked_flip_flops"] = p.clocked_flip_flops;
    j["clock_pj_per_cycle"] = p.clock_pj_per_cycle;
  }
  if (p.rtl_activity) j["rtl_activity"] = to_json(*p.rtl_activity);
  else if (p.rtl_activity_note) j["rtl_activity"] = *p.rtl_activity_note;
  return j;
}

json to_json(const Report& r) {
  const Metrics& m = r.metrics;
  json j;
  j["arch"] = r.arch;
  j["mode"] = r.mode;
  j["records"] = r.records;
  if (!r.split.empty()) j["split"] = r.split;
  j["classes"] = m.classes;
  j["beats"] = m.beats;
  j["accuracy"] = number_or_null(m.accuracy);
  j["confusion"] = m.confusion;
  json per = json::object();
  for (std::size_t c = 0; c < m.classes.size(); ++c) {
    const ClassStats& s = m.per_class[c];
    // An undefined ratio (0/0: no reference or no predicted beats of the class) is written
    // as 0, as scikit-learn's zero_division=0, so the schema's numbers stay numbers; the
    // key "undefined" lists which ones, and tp/fn/fp let readers recompute.
    json pc = {{"beats", s.tp + s.fn}, {"tp", s.tp}, {"fn", s.fn}, {"fp", s.fp}};
    json undefined = json::array();
    for (const auto& [key, v] : {std::pair<const char*, double>{"se", s.se}, {"ppv", s.ppv}, {"f1", s.f1}}) {
      pc[key] = std::isfinite(v) ? v : 0.0;
      if (!std::isfinite(v)) undefined.push_back(key);
    }
    if (!undefined.empty()) pc["undefined"] = undefined;
    per[m.classes[c]] = pc;
  }
  j["per_class"] = per;

  const NetworkReport& n = r.network;
  json layers = json::array();
  for (const LayerReport& l : n.layers) {
    json jl = {{"name", l.name}, {"type", l.type}, {"in", {l.in_c, l.in_l}}, {"out", {l.out_c, l.out_l}},
               {"out_bits", l.out_bits}, {"macs", l.macs}, {"ops", l.ops}};
    if (l.weight_bits) jl["weight_bits"] = *l.weight_bits;
    layers.push_back(jl);
  }
  j["network"] = {{"model", n.model},
                  {"task", n.task},
                  {"labels", n.labels},
                  {"input_length", n.input_length},
                  {"input_bits", n.input_bits},
                  {"params", n.params},
                  {"layers", layers}};
  j["hardware"] = hardware_json(r.hardware);
  if (r.cosim) j["cosim"] = cosim_json(*r.cosim);
  if (r.golden_check) j["golden_check"] = golden_check_json(*r.golden_check);
  j["sim"] = sim_json(r.sim);
  if (r.checksum_mismatches) {
    j["checksum_mismatches"] = json::array();
    for (const auto& cm : *r.checksum_mismatches)
      j["checksum_mismatches"].push_back({{"record", cm.record}, {"file", cm.file}, {"signal", cm.signal},
                                          {"description", cm.description}, {"header_checksum", cm.header_checksum},
                                          {"data_checksum", cm.data_checksum}});
  }
  return j;
}

const std::vector<ReportField>& report_fields() {
  static const std::vector<ReportField> v = {
      {"beats", {"beats"}},
      {"accuracy", {"accuracy"}},
      {"clock_mhz", {"hardware", "clock_mhz"}},
      {"latency_cycles_min", {"hardware", "latency_cycles", "min"}},
      {"latency_cycles_mean", {"hardware", "latency_cycles", "mean"}},
      {"latency_cycles_max", {"hardware", "latency_cycles", "max"}},
      {"latency_us_min", {"hardware", "latency_us", "min"}},
      {"latency_us_mean", {"hardware", "latency_us", "mean"}},
      {"latency_us_max", {"hardware", "latency_us", "max"}},
      {"ii_cycles", {"hardware", "initiation_interval_cycles"}},
      {"fps", {"hardware", "throughput_fps"}},
      {"deadline_misses", {"hardware", "realtime_deadline_misses"}},
      {"ops_per_beat", {"hardware", "ops_per_beat"}},
      {"weight_storage_bytes", {"hardware", "weight_storage_bytes"}},
      {"power_mw_dynamic", {"hardware", "power_mw", "dynamic"}},
      {"power_mw_static", {"hardware", "power_mw", "static"}},
      {"power_mw_total", {"hardware", "power_mw", "total"}},
      {"energy_uj_per_beat", {"hardware", "energy_uj_per_beat"}},
      {"gops_per_w", {"hardware", "gops_per_w"}},
      {"area_device", {"hardware", "area", "device"}},
      {"area_source", {"hardware", "area", "source"}},
      {"luts", {"hardware", "area", "luts"}},
      {"ffs", {"hardware", "area", "ffs"}},
      {"brams", {"hardware", "area", "brams"}},
      {"dsps", {"hardware", "area", "dsps"}},
      {"fmax_mhz", {"hardware", "area", "fmax_mhz"}},
      {"fits", {"hardware", "area", "fits"}},
      {"meets_clock", {"hardware", "area", "meets_clock"}},
      {"realtime_beats_per_s", {"hardware", "realtime", "beat_rate_hz"}},
      {"realtime_avg_mw", {"hardware", "realtime", "average_power_mw"}},
      {"realtime_uj_per_beat", {"hardware", "realtime", "energy_uj_per_beat_with_idle"}},
      {"battery_life_days", {"hardware", "realtime", "battery_life_days"}},
      {"cosim_mismatches", {"cosim", "output_mismatches"}},
      {"cosim_cycle_error_pct", {"cosim", "cycle_error_pct"}},
      {"sim_wall_s", {"sim", "wall_s"}},
      {"sim_beats_per_s", {"sim", "beats_per_s"}},
      {"simulated_cycles", {"sim", "simulated_cycles"}},
  };
  return v;
}

const std::vector<const char*>& per_class_field_stats() {
  static const std::vector<const char*> v = {"se", "ppv", "f1"};
  return v;
}

}  // namespace ecg
