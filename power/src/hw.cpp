#include "ecg/power/hw.h"

#include <algorithm>
#include <filesystem>
#include <type_traits>
#include <variant>

#include <fmt/format.h>

#include "ecg/error.h"

namespace ecg::power {

void declare_power_params(ParamSet& ps) {
  ps.declare(power_param::kTech, "fpga28",
                    "power model technology table: a name in power/tech (fpga28 = Artix-7 class "
                    "28 nm, asic45 = 45 nm standard cells, ice40up = iCE40 UltraPlus UP5K: the board) or "
                    "a path to a .toml table");
  ps.declare(power_param::kStaticMw, -1.0,
                  "static power in mW; -1 = the technology table's value", -1.0, 1e6);
  ps.declare(power_param::kCalib, "auto",
                    "toggle-rate calibration from RTL: auto = power/calib/<arch>.json when it "
                    "exists, none = the table's default toggle rate, or a calibration JSON path");
  ps.declare(power_param::kRtlActivity, false,
                  "rtl/cosim modes: also measure the RTL switching activity of the run (its VCD "
                  "streamed into a toggle counter, several times slower) and report the "
                  "RTL-activity power estimate and its difference from the TLM estimate "
                  "(tlm mode has no RTL: its report says not measured)");
  ps.declare(power_param::kAreaDevice, "auto",
                    "device of hardware.area (LUTs, FFs, block RAM, Fmax, fits): up5k, xc7a35t, asic (standard "
                    "cells: gate equivalents, FFs and SRAM bits, no limit), or auto = the power.tech table's device (ice40up: up5k, fpga28: xc7a35t, "
                    "asic45: asic)");
  ps.declare(power_param::kIdleClockGated, true,
                  "real-time view: the engine's clock is gated while it waits for the next beat (false: the "
                  "clock tree keeps toggling its flip-flops between beats)");
  ps.declare(power_param::kBatteryMah, 225.0, "real-time view: battery capacity in mAh (default CR2032)", 1e-6,
                  1e9);
  ps.declare(power_param::kBatteryV, 3.0, "real-time view: battery voltage in V (default CR2032)", 1e-6, 1e3);
}

HwShape hw_shape(const NetGeom& net, const EngineConfig& cfg, const EngineTiming& t) {
  HwShape h;
  // Input buffer: packed samples (ceil(bits/8) bytes each) + one byte per aux value.
  h.mem_bytes["input"] = static_cast<double>(net.input_channels) * net.input_length *
                             ((net.input_bits + 7) / 8) + net.aux;
  h.mem_bytes["weight"] = static_cast<double>(cfg.weight_buffer_bits > 0 ? cfg.weight_buffer_bits
                                                                         : t.weight_bits_needed) / 8.0;
  // seq: each of the two ping-pong activation buffers.
  h.mem_bytes["act"] = static_cast<double>(cfg.act_buffer_bits > 0 ? cfg.act_buffer_bits
                                                                   : t.act_bits_needed) / 8.0;
  // Flip-flops clocked every busy cycle: per PE the SIMD operand registers (activation +
  // weight), a 32-bit partial sum and a 32-bit accumulator; plus control (FSM, counters,
  // descriptor registers: 8 x 32 bits per engine or stage) and, for pipe, the line buffers.
  int a_bits = 1, w_bits = 1;
  for (const auto& l : net.layers)
    if (l.w_bits > 0) {
      a_bits = std::max(a_bits, l.in_binary ? 1 : l.in_bits);
      w_bits = std::max(w_bits, l.w_bits);
    }
  const double ctrl = 8 * 32;
  if (t.style == "pipe") {
    double bits = 0, linebuf = 0;
    for (const auto& p : t.passes) {
      const auto it = std::find_if(net.layers.begin(), net.layers.end(),
                                   [&](const LayerGeom& l) { return l.name == p.layer; });
      const int in_bits = it != net.layers.end() ? (it->in_binary ? 1 : it->in_bits) : a_bits;
      const int wb = it != net.layers.end() ? it->w_bits : 0;
      bits += static_cast<double>(p.pe) * (static_cast<double>(p.simd) * (in_bits + wb) + 64) + ctrl;
      if (it != net.layers.end() && (it->type == "conv1d" || it->type == "maxpool")) {
        const int cols = cfg.line_buffer_cols > 0 ? cfg.line_buffer_cols : it->k;
        linebuf += static_cast<double>(cols) * it->cin * in_bits;
      }
    }
    h.clocked_bits = bits + linebuf;
    h.mem_bytes["linebuf"] = linebuf / 8.0;
  } else {
    h.clocked_bits = static_cast<double>(cfg.pe) * (static_cast<double>(cfg.simd) * (a_bits + w_bits) + 64) + ctrl;
    h.mem_bytes["linebuf"] = 0;
  }
  return h;
}

PowerConfig power_config(const ParamSet& ps, const std::string& arch) {
  PowerConfig c;
  c.tech = TechTable::load(ps.get(power_param::kTech));
  c.static_mw = ps.get(power_param::kStaticMw);
  c.rates_from = "table default";
  c.rtl_activity = ps.get(power_param::kRtlActivity);
  const std::string dev = ps.get(power_param::kAreaDevice);
  c.area_device = dev == "auto" ? c.tech.device() : dev;
  device_capacity(c.area_device);  // an unknown device fails here, before the run
  c.idle_clock_gated = ps.get(power_param::kIdleClockGated);
  c.battery_mah = ps.get(power_param::kBatteryMah);
  c.battery_v = ps.get(power_param::kBatteryV);
  const std::string calib = ps.get(power_param::kCalib);
  std::string path;
  if (calib == "auto") {
    // An arch with two engines (dwsep: seq default, pipe in configs/dwsep_pipe.toml) keeps the
    // other engine's rates in power/calib/<arch>_<engine.style>.json.
    path = default_calibration_path(arch + "_" + ps.get(engine_param::kStyle));
    if (!std::filesystem::is_regular_file(path)) path = default_calibration_path(arch);
    if (!std::filesystem::is_regular_file(path)) path.clear();
  } else if (calib != "none") {
    path = calib;
  }
  if (!path.empty()) {
    Calibration cal = load_calibration(path);
    if (cal.arch != arch)
      throw InputError(fmt::format("power.calib: {} is a calibration for arch \"{}\", not \"{}\"", path,
                                   cal.arch, arch));
    c.rates = cal.toggle_rate;
    c.rates_from = path;
  }
  return c;
}

AreaReport setup_area(const PowerSetup& s) {
  return area_report(s.net, s.engine, s.timing, s.clock_mhz, s.power.area_device);
}

HwShape power_hw_shape(const PowerSetup& s, const AreaReport& area) {
  HwShape h = hw_shape(s.net, s.engine, s.timing);
  if (area.ffs > 0) h.clocked_bits = area.ffs;
  // Lane multipliers on the device's hard multipliers (SB_MAC16 / DSP48E1) cost the table's
  // mult_dsp, not the LUT-built mult: when hardware.area's DSPs hold every lane multiplier.
  const double lanes = lane_multipliers(s.net, s.engine, s.timing);
  if (lanes > 0 && area.dsps >= lanes && s.power.tech.has("mult_dsp")) h.mult_action = "mult_dsp";
  return h;
}

double static_power_mw(const TechTable& tech, double static_mw_param, const AreaReport& area, std::string* from) {
  if (static_mw_param >= 0) {
    if (from) *from = "parameter power.static_mw";
    return static_mw_param;
  }
  const StaticLeakage& l = tech.leakage();
  if (!l.from_area) {
    if (from) *from = fmt::format("{}: static_mw (constant)", tech.file());
    return tech.static_mw();
  }
  if (from)
    *from = fmt::format("{} [static]: base + per {} x hardware.area ({}, {})", tech.file(),
                        area.gate_equivalents ? "gate equivalent/SRAM bit" : "LUT/FF/block RAM/SPRAM/DSP", area.device,
                        area.source);
  return l.base_mw + l.lut_mw * area.luts + l.ff_mw * area.ffs + l.bram_mw * area.brams + l.spram_mw * area.sprams +
         l.dsp_mw * area.dsps + l.ge_mw * area.gate_equivalents.value_or(0.0) +
         l.sram_bit_mw * area.sram_bits.value_or(0.0);
}

namespace {

template <class T>
T config_value(const Report& r, const ParamKey<T>& key, T def) {
  if (!r.hardware.config) return def;
  const auto it = r.hardware.config->find(key.key);
  if (it == r.hardware.config->end()) return def;
  if (const T* v = std::get_if<T>(&it->second)) return *v;
  if constexpr (std::is_same_v<T, double>)
    if (const auto* i = std::get_if<std::int64_t>(&it->second)) return static_cast<double>(*i);
  return def;
}

}  // namespace

void add_realtime_view(Report& report, double beats_per_s) {
  HardwareReport& h = report.hardware;
  if (!h.power || beats_per_s <= 0 || !h.clock_mhz) return;
  const PowerReport& p = *h.power;
  RealtimeReport r;
  r.beats_per_s = beats_per_s;
  r.idle_clock_gated = config_value(report, power_param::kIdleClockGated, true);
  r.battery_mah = config_value(report, power_param::kBatteryMah, 225.0);
  r.battery_v = config_value(report, power_param::kBatteryV, 3.0);
  // Busy cycles per beat from the clock block (clock energy = busy cycles x pJ per cycle).
  const auto clk = p.detail.blocks.find("clock");
  const double busy_cycles_per_beat = clk != p.detail.blocks.end() && p.detail.clock_pj_per_cycle > 0
                                          ? clk->second.dynamic_uj_per_beat * 1e6 / p.detail.clock_pj_per_cycle
                                          : 0.0;
  const double idle_cycles_per_s = std::max(0.0, *h.clock_mhz * 1e6 - busy_cycles_per_beat * beats_per_s);
  const double idle_clock_mw = r.idle_clock_gated ? 0.0 : p.detail.clock_pj_per_cycle * idle_cycles_per_s * 1e-9;
  r.idle_mw = p.static_mw + (r.idle_clock_gated ? 0.0 : p.detail.clock_pj_per_cycle * *h.clock_mhz * 1e6 * 1e-9);
  // uJ/beat x beats/s = uW = 1e-3 mW.
  r.average_mw = p.static_mw + p.detail.dynamic_uj_per_beat * beats_per_s * 1e-3 + idle_clock_mw;
  r.energy_uj_per_beat = r.average_mw / beats_per_s * 1e3;  // mW / (1/s) = mJ
  r.battery_life_h = r.battery_mah * r.battery_v / r.average_mw;  // mWh / mW
  r.battery_life_days = r.battery_life_h / 24.0;
  h.realtime = r;
}

std::map<std::string, std::uint64_t> counters_of(const StatsRegistry& stats) {
  std::map<std::string, std::uint64_t> m;
  for (const auto& [name, c] : stats.all()) m[name] = c->value;
  return m;
}

std::map<std::string, std::uint64_t> engine_counters(const EngineTiming& t, std::uint64_t beats) {
  std::map<std::string, std::uint64_t> m;
  for (const auto& [name, n] : t.activity) m[name] = n * beats;
  return m;
}

Estimate add_power_report(Report& report, const PowerSetup& setup,
                          const std::map<std::string, std::uint64_t>& counters, double beats,
                          double simulated_cycles, const std::map<std::string, double>& measured_rates,
                          const std::string& rates_from) {
  const PowerConfig& pc = setup.power;
  Activity act;
  act.counters = counters;
  act.beats = beats;
  act.seconds = simulated_cycles / (setup.clock_mhz * 1e6);
  act.ops_per_beat = setup.timing.ops;
  const bool measured = !measured_rates.empty();
  const AreaReport area = setup_area(setup);
  const HwShape hw = power_hw_shape(setup, area);
  std::string static_from;
  const double static_mw = static_power_mw(pc.tech, pc.static_mw, area, &static_from);
  Estimate e = estimate(act, hw, pc.tech, measured ? measured_rates : pc.rates, static_mw,
                        measured ? rates_from : pc.rates_from);
  PowerReport p = e.report();
  p.detail.static_from = static_from;
  p.detail.clocked_flip_flops = hw.clocked_bits;
  p.detail.clock_pj_per_cycle = pc.tech.pj("clock", hw.clocked_bits, 0, "clocked flip-flops");
  report.hardware.area = area;
  if (!measured && pc.rtl_activity)  // the rtl/cosim backends replace this
    p.detail.rtl_activity_note = "not measured: this mode runs no RTL (--mode rtl or cosim)";
  report.hardware.power = p;
  return e;
}

namespace {

// A run's configuration resolved from its parameters (tests and tools that hold a ParamSet).
struct Resolved {
  EngineConfig engine;
  EngineTiming timing;
  PowerConfig power;
  double clock_mhz;
  Resolved(const ParamSet& ps, const NetGeom& net)
      : engine(engine_config(ps, net)), timing(engine_timing(net, engine)), power(power_config(ps, net.arch)),
        clock_mhz(ps.get(platform_param::kClockMhz)) {}
  PowerSetup setup(const NetGeom& net) const { return PowerSetup{net, engine, timing, power, clock_mhz}; }
};

// The engine's activity over `beats` beats that kept it busy `busy_cycles` cycles: the
// engine model's per-beat counters x beats, plus the busy cycles (what the RTL executes).
struct BusyEngine {
  HwShape hw;
  Activity act;
};
BusyEngine busy_engine(const PowerSetup& s, double beats, double busy_cycles) {
  BusyEngine b{power_hw_shape(s, setup_area(s)), {}};
  b.act.counters = engine_counters(s.timing, static_cast<std::uint64_t>(beats));
  b.act.counters["engine.cycles.busy"] = static_cast<std::uint64_t>(busy_cycles);
  b.act.beats = beats;
  b.act.seconds = busy_cycles / (s.clock_mhz * 1e6);
  b.act.ops_per_beat = s.timing.ops;
  return b;
}

}  // namespace

Estimate add_power_report(Report& report, const ParamSet& ps, const NetGeom& net,
                          const std::map<std::string, std::uint64_t>& counters, double beats,
                          double simulated_cycles, const std::map<std::string, double>& measured_rates,
                          const std::string& rates_from) {
  const Resolved r(ps, net);
  return add_power_report(report, r.setup(net), counters, beats, simulated_cycles, measured_rates, rates_from);
}

Estimate busy_engine_estimate(const PowerSetup& s, double beats, double busy_cycles) {
  const BusyEngine b = busy_engine(s, beats, busy_cycles);
  const double static_mw = static_power_mw(s.power.tech, s.power.static_mw, setup_area(s), nullptr);
  return estimate(b.act, b.hw, s.power.tech, s.power.rates, static_mw, s.power.rates_from);
}

Estimate busy_engine_estimate(const ParamSet& ps, const NetGeom& net, double beats, double busy_cycles) {
  const Resolved r(ps, net);
  return busy_engine_estimate(r.setup(net), beats, busy_cycles);
}

RtlComparison compare_with_rtl(const PowerSetup& s, const std::map<std::string, double>& block_toggles,
                               double beats, double busy_cycles) {
  const BusyEngine b = busy_engine(s, beats, busy_cycles);
  const PowerConfig& pc = s.power;
  RtlComparison c;
  c.block_toggles = block_toggles;
  c.measured_rates = toggle_rates(block_toggles, b.act, b.hw);
  const double static_mw = static_power_mw(pc.tech, pc.static_mw, setup_area(s), nullptr);
  c.tlm = estimate(b.act, b.hw, pc.tech, pc.rates, static_mw, pc.rates_from);
  c.rtl = estimate(b.act, b.hw, pc.tech, c.measured_rates, static_mw, "RTL toggles of this run");
  c.dynamic_difference_pct = pct_difference(c.tlm.dynamic_mw, c.rtl.dynamic_mw);
  return c;
}

RtlComparison compare_with_rtl(const ParamSet& ps, const NetGeom& net,
                               const std::map<std::string, double>& block_toggles, double beats,
                               double busy_cycles) {
  const Resolved r(ps, net);
  return compare_with_rtl(r.setup(net), block_toggles, beats, busy_cycles);
}

RtlActivityReport RtlComparison::report() const {
  RtlActivityReport r;
  for (const auto& [name, b] : rtl.blocks) {
    auto it = tlm.blocks.find(name);
    const double tlm_pj = it != tlm.blocks.end() ? it->second.pj : 0.0;
    r.blocks[name] = {it != tlm.blocks.end() ? it->second.toggle_rate : 0.0, b.toggle_rate,
                      pct_difference(tlm_pj, b.pj)};
  }
  r.tech = rtl.tech;
  r.tlm_toggle_rates_from = tlm.rates_from;
  r.tlm = {tlm.dynamic_mw, tlm.dynamic_energy_uj_per_beat};
  r.rtl_activity = {rtl.dynamic_mw, rtl.dynamic_energy_uj_per_beat};
  r.dynamic_difference_pct = dynamic_difference_pct;
  r.block_toggles = block_toggles;
  return r;
}

}  // namespace ecg::power
