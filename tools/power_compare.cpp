// ecg_power_compare: per-beat energy and power of an arch's engine from the engine model's
// activity (no simulation needed: the counters per beat are exact), and the QRCNN claim:
// the recurrent-reuse engine against a conventional 5-layer quantized CNN with the same
// feature extraction (same layers and bit widths, no reuse: separate weights per layer;
// per-layer hardware and buffers in the pipelined variant). docs/power.md explains.
//
//   ecg_power_compare --arch qrcnn [--weights DIR] [--config FILE] [-p key=value]... [--json OUT]
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include <systemc>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ecg/error.h"
#include "ecg/hw/net_geometry.h"
#include "ecg/models/tlm_run.h"
#include "ecg/power/hw.h"
#include "ecg/qnet.h"

namespace {

using ecg::EngineConfig;
using ecg::EngineTiming;
using ecg::NetGeom;
using ecg::ParamSet;

// The conventional twin of a reuse network: every layer that shares a weight (and bias)
// tensor with an earlier layer gets its own copy, stored separately.
NetGeom without_reuse(const NetGeom& net, int& copies) {
  NetGeom g = net;
  std::set<std::string> seen;
  copies = 0;
  for (auto& l : g.layers) {
    if (l.weight.empty()) continue;
    if (seen.insert(l.weight).second) continue;
    const std::int64_t w_bits = static_cast<std::int64_t>(l.cout) * (l.cin / l.groups) * l.k * l.w_bits;
    const std::int64_t b_bits = l.has_bias ? static_cast<std::int64_t>(l.cout) * 32 : 0;
    g.weight_storage_bytes += (w_bits + 7) / 8 + (b_bits + 7) / 8;
    l.weight += "@" + l.name;
    ++copies;
  }
  return g;
}

struct Point {
  std::string name, style;
  std::int64_t weight_bytes = 0;
  double latency_cycles = 0, ii_cycles = 0, clocked_bits = 0, ops = 0, luts = 0;
  std::string area_source;
  ecg::power::Estimate b2b;       // back to back at the clock (II cycles per beat)
  ecg::power::Estimate realtime;  // one beat at a time (latency cycles of clock per beat)
};

Point evaluate(const std::string& name, const NetGeom& net, const ParamSet& ps,
               const ecg::power::PowerConfig& pc) {
  const EngineConfig cfg = ecg::engine_config(ps, net);
  const EngineTiming t = ecg::engine_timing(net, cfg);
  const double clock_mhz = ps.get(ecg::platform_param::kClockMhz);
  // Area (hardware.area's figures: synthesized shape or the area model), the flip-flops it
  // clocks and the static power it leaks, as a run's report charges them.
  const ecg::power::PowerSetup setup{net, cfg, t, pc, clock_mhz};
  const ecg::AreaReport area = ecg::power::setup_area(setup);
  const ecg::power::HwShape hw = ecg::power::power_hw_shape(setup, area);
  const double static_mw = ecg::power::static_power_mw(pc.tech, pc.static_mw, area, nullptr);
  Point p;
  p.name = name;
  p.style = t.style;
  p.weight_bytes = net.weight_storage_bytes;
  p.latency_cycles = static_cast<double>(t.latency_cycles);
  p.ii_cycles = static_cast<double>(t.ii_cycles);
  p.clocked_bits = hw.clocked_bits;
  p.luts = area.luts;
  p.area_source = area.source;
  p.ops = t.ops;
  const double beats = 1000;
  for (int mode = 0; mode < 2; ++mode) {
    const double busy = mode == 0 ? p.ii_cycles : p.latency_cycles;
    ecg::power::Activity a;
    a.counters = ecg::power::engine_counters(t, static_cast<std::uint64_t>(beats));
    a.counters["engine.cycles.busy"] = static_cast<std::uint64_t>(busy * beats);
    a.beats = beats;
    a.seconds = p.ii_cycles * beats / (clock_mhz * 1e6);  // both at the back-to-back rate
    a.ops_per_beat = t.ops;
    (mode == 0 ? p.b2b : p.realtime) = ecg::power::estimate(a, hw, pc.tech, pc.rates, static_mw, pc.rates_from);
  }
  return p;
}

nlohmann::json to_json(const Point& p) {
  return {{"design", p.name},
          {"style", p.style},
          {"weight_bytes", p.weight_bytes},
          {"latency_cycles", p.latency_cycles},
          {"ii_cycles", p.ii_cycles},
          {"clocked_bits", p.clocked_bits},
          {"luts", p.luts},
          {"area_source", p.area_source},
          {"ops_per_beat", p.ops},
          {"dynamic_uj_per_beat_back_to_back", p.b2b.dynamic_energy_uj_per_beat},
          {"dynamic_uj_per_beat_one_at_a_time", p.realtime.dynamic_energy_uj_per_beat},
          {"dynamic_mw_back_to_back", p.b2b.dynamic_mw},
          {"total_mw_back_to_back", p.b2b.total_mw},
          {"gops_per_w_back_to_back", p.b2b.gops_per_w},
          {"dynamic_gops_per_w_back_to_back", p.b2b.dynamic_gops_per_w},
          {"blocks_back_to_back", ecg::to_json(p.b2b.report().detail)["blocks"]}};
}

}  // namespace

// sc_main: the tool links the platform glue (SystemC), whose library provides main().
int sc_main(int argc, char** argv) {
  CLI::App app{"Per-beat energy of an arch from the engine model; QRCNN vs a conventional CNN"};
  std::string arch, weights, config, json_out;
  std::vector<std::string> params;
  app.add_option("--arch", arch, "network + hardware style")->required();
  app.add_option("--weights", weights, "weights directory (default: weights/ of the source tree)");
  app.add_option("--config", config, "arch config (default configs/<arch>.toml)");
  app.add_option("-p", params, "key=value parameter override (power.tech=asic45, engine.pe=16, ...)");
  app.add_option("--json", json_out, "write the figures as JSON");
  CLI11_PARSE(app, argc, argv);
  try {
    const ecg::Network net = ecg::load_network(ecg::model_path(ecg::resolve_weights_dir(weights), arch));
    const NetGeom geom = ecg::net_geometry(net);
    ecg::TlmOptions opt;
    opt.config_file = config;
    opt.params = params;
    const ParamSet ps = ecg::make_platform_params(net, geom, opt);
    ecg::power::PowerConfig pc = ecg::power::power_config(ps, arch);
    // The pipelined twin's line buffers carry the same activations as the seq engine's
    // activation buffers: they get its calibrated toggle rate (the RTL has no line buffer).
    if (pc.rates.count("mem.act") && !pc.rates.count("mem.linebuf")) pc.rates["mem.linebuf"] = pc.rates.at("mem.act");
    std::vector<Point> pts;
    pts.push_back(evaluate(arch, geom, ps, pc));
    nlohmann::json out = {{"arch", arch}, {"tech", pc.tech.name()}, {"toggle_rates_from", pc.rates_from},
                          {"clock_mhz", ps.get(ecg::platform_param::kClockMhz)}};
    int copies = 0;
    const NetGeom conv = without_reuse(geom, copies);
    if (copies > 0) {
      // Same engine, separate weights per layer.
      pts.push_back(evaluate("conventional-seq", conv, ps, pc));
      // Layer-pipelined conventional CNN: one stage (PE array, line buffer, weights) per
      // layer, each with the arch's PE/SIMD.
      ParamSet pipe = ps;
      pipe.set(ecg::engine_param::kStyle, std::string("pipe"), "ecg_power_compare");
      pts.push_back(evaluate("conventional-pipe", conv, pipe, pc));
    }
    fmt::print("{} on {} ({} toggle rates), clock {} MHz\n", arch, pc.tech.name(), pc.rates_from,
               ps.get(ecg::platform_param::kClockMhz));
    fmt::print("{:<18} {:>5} {:>8} {:>8} {:>8} {:>9} {:>11} {:>11} {:>10} {:>9}\n", "design", "style",
               "weightB", "latency", "II", "flops", "dyn uJ/beat", "dyn uJ/b 1x", "dyn mW b2b", "GOPS/W");
    for (const Point& p : pts)
      fmt::print("{:<18} {:>5} {:>8} {:>8.0f} {:>8.0f} {:>9.0f} {:>11.5f} {:>11.5f} {:>10.3f} {:>9.3f}\n", p.name,
                 p.style, p.weight_bytes, p.latency_cycles, p.ii_cycles, p.clocked_bits,
                 p.b2b.dynamic_energy_uj_per_beat, p.realtime.dynamic_energy_uj_per_beat, p.b2b.dynamic_mw,
                 p.b2b.gops_per_w);
    out["designs"] = nlohmann::json::array();
    for (const Point& p : pts) out["designs"].push_back(to_json(p));
    if (pts.size() > 1) {
      nlohmann::json ratios = nlohmann::json::object();
      for (std::size_t i = 1; i < pts.size(); ++i) {
        const double e_ratio = pts[0].realtime.dynamic_energy_uj_per_beat / pts[i].realtime.dynamic_energy_uj_per_beat;
        const double p_ratio = pts[0].b2b.dynamic_mw / pts[i].b2b.dynamic_mw;
        fmt::print("{} / {}: dynamic power at the same beat rate (= dynamic energy per beat) {:.3f}; "
                   "dynamic power back to back at the same clock {:.3f}\n",
                   arch, pts[i].name, e_ratio, p_ratio);
        ratios[pts[i].name] = {{"dynamic_power_same_beat_rate", e_ratio}, {"dynamic_power_back_to_back", p_ratio}};
      }
      out["ratios"] = ratios;
    }
    if (!json_out.empty()) {
      std::ofstream f(json_out);
      if (!f) throw ecg::InputError(fmt::format("--json {}: cannot write", json_out));
      f << out.dump(2) << "\n";
    }
  } catch (const ecg::InputError& e) {
    std::cerr << "ecg_power_compare: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
