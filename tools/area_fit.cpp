// ecg_area_fit: fits the analytic area model (power/area/model.json, docs/power.md "Area") on
// synthesized shapes, states its error on held-out shapes, and checks a committed model.
//
//   ecg_area_fit [--dir power/area/synth] [--out power/area/model.json] [--hold-out NAME]...
//   ecg_area_fit --check [--model power/area/model.json] [--dir power/area/synth] [--max-error 15]
//   ecg_area_fit --device asic   (refit one device; the other devices of --out are kept as they are)
//
// Each synthesized shape (an `ecg_sim synth --json` result or tools/area_synth_shapes.py's)
// names its arch, device and Verilog Pe/Simd; the tool resolves the arch's network and
// engine at that shape (configs/<arch>.toml + -p engine.pe/simd), computes the model's
// features (ecg::power::area_features) and fits LUTs, FFs and (where shapes have an Fmax)
// the clock period by least squares. Held out by default: every third shape in file-name
// order. --check recomputes the committed model's held-out errors with today's code and
// exits 1 when one exceeds --max-error percent (LUTs and FFs).
//
// Device asic (tools/area_synth_shapes.py --device asic results): gate equivalents on the LUT
// features of ecg::power::gate_features (every multiplier built from gates), flip-flops on the FF
// features, and SRAM bits = 8 x (weight + activation buffer bytes) + the mean offset of the
// fitted shapes (descriptor and parameter RAMs); --check checks GE and FF errors.
#include <algorithm>
#include <cmath>
#include <filesystem>
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
#include "ecg/power/area.h"
#include "ecg/qnet.h"

namespace {

namespace fs = std::filesystem;
using ecg::power::AreaFeatures;
using ecg::power::SynthShape;

struct Sample {
  SynthShape s;
  AreaFeatures f;  // device asic: gate_features
  double model_brams = 0;
  double buffer_bits = 0;  // 8 x (weight + activation buffer bytes): the asic SRAM model's variable part
};

Sample sample_of(const SynthShape& s) {
  const ecg::Network net = ecg::load_network(ecg::model_path(ecg::resolve_weights_dir(""), s.arch));
  const ecg::NetGeom geom = ecg::net_geometry(net);
  ecg::TlmOptions opt;
  opt.params = {fmt::format("{}={}", ecg::engine_param::kPe.key, s.pe),
                fmt::format("{}={}", ecg::engine_param::kSimd.key, s.simd)};
  const ecg::ParamSet ps = ecg::make_platform_params(net, geom, opt);
  const ecg::EngineConfig cfg = ecg::engine_config(ps, geom);
  const ecg::EngineTiming t = ecg::engine_timing(geom, cfg);
  Sample x{s, s.device == "asic" ? ecg::power::gate_features(geom, cfg, t)
                                 : ecg::power::area_features(geom, cfg, t, ecg::power::device_capacity(s.device)),
           0, 0};
  const ecg::AreaBuffers b = ecg::power::area_buffers(geom, cfg, t);
  x.model_brams = ecg::power::model_brams(b, ecg::power::device_capacity(s.device));
  x.buffer_bits = ecg::power::buffer_bits(b);
  return x;
}

double err_pct(double pred, double actual) { return actual != 0 ? 100.0 * (pred - actual) / actual : 0.0; }

nlohmann::json gate_row(const Sample& x, const ecg::power::AreaModel& m) {
  const double ge = ecg::power::dot(m.ge, x.f.lut_vector()), ff = ecg::power::dot(m.ff, x.f.ff_vector());
  const double sram = std::max(0.0, ecg::power::dot(m.sram, {1.0, x.buffer_bits}));
  return {{"file", fs::path(x.s.file).filename().string()}, {"arch", x.s.arch}, {"pe", x.s.pe}, {"simd", x.s.simd},
          {"ge", x.s.ge}, {"ffs", x.s.ffs}, {"sram_bits", x.s.sram_bits}, {"model_ge", std::round(ge)},
          {"model_ffs", std::round(ff)}, {"model_sram_bits", std::round(sram)},
          {"ge_error_pct", err_pct(ge, x.s.ge)}, {"ff_error_pct", err_pct(ff, x.s.ffs)},
          {"sram_error_pct", err_pct(sram, x.s.sram_bits)},
          {"features", {{"ge", x.f.lut_vector()}, {"ff", x.f.ff_vector()}}}};
}

// Device asic: GE and FF least squares on the engine-alone shapes, SRAM bits = buffers + offset.
ecg::power::AreaModel fit_gates(const std::vector<Sample>& all, const std::vector<std::string>& hold_out,
                                const std::string& cmd) {
  std::vector<const Sample*> train, test;
  int i = 0;
  for (const Sample& x : all) {
    if (x.s.device != "asic") continue;
    const std::string name = fs::path(x.s.file).filename().string();
    const bool held = hold_out.empty() ? (i++ % 3 == 2)
                                       : std::find(hold_out.begin(), hold_out.end(), name) != hold_out.end();
    (held ? test : train).push_back(&x);
  }
  ecg::power::AreaModel m;
  m.device = "asic";
  if (train.size() < 5) {
    fmt::print(stderr, "ecg_area_fit: asic: {} shapes to fit on (need 5)\n", train.size());
    return m;
  }
  std::vector<std::vector<double>> xg, xf, xs;
  std::vector<double> yg, yf, ys;
  for (const Sample* x : train) {
    xg.push_back(x->f.lut_vector());
    yg.push_back(x->s.ge);
    xf.push_back(x->f.ff_vector());
    yf.push_back(x->s.ffs);
    xs.push_back({1.0, x->buffer_bits});
    ys.push_back(x->s.sram_bits);
  }
  m.ge = ecg::power::fit_nonneg(xg, yg);
  m.ff = ecg::power::fit_nonneg(xf, yf);
  m.sram = ecg::power::fit_nonneg(xs, ys);
  nlohmann::json fitted = nlohmann::json::array(), held = nlohmann::json::array();
  double sram_err = 0;
  for (const Sample* x : train) fitted.push_back(gate_row(*x, m));
  for (const Sample* x : test) {
    const nlohmann::json r = gate_row(*x, m);
    m.ge_error_pct = std::max(m.ge_error_pct, std::abs(r["ge_error_pct"].get<double>()));
    m.ff_error_pct = std::max(m.ff_error_pct, std::abs(r["ff_error_pct"].get<double>()));
    sram_err = std::max(sram_err, std::abs(r["sram_error_pct"].get<double>()));
    held.push_back(r);
  }
  m.provenance = {{"features", {{"ge", {"units", "pe", "lane_operand", "lut_mult", "xnor", "requant_lut"}},
                                {"ff", {"units", "pe", "lane_operand"}},
                                {"sram", {"1", "8 x (weights + activations buffer bytes)"}}}},
                  {"note", "standard cells: gate_features (every multiplier from gates); GE = NAND2 equivalents = "
                           "CMOS transistors / 4 of yosys abc -g cmos2 (tools/area_synth_shapes.py --device asic)"},
                  {"fitted_on", fitted},
                  {"held_out", held},
                  {"held_out_sram_error_pct", sram_err},
                  {"tool", cmd}};
  fmt::print("asic: fitted on {} shapes, held out {}: largest |error| GE {:.1f} %, FF {:.1f} %, SRAM bits {:.1f} %\n",
             train.size(), test.size(), m.ge_error_pct, m.ff_error_pct, sram_err);
  fmt::print("  GE = {:.0f} units + {:.1f} pe + {:.2f} lane_operand + {:.2f} lut_mult + {:.2f} xnor + {:.0f} requant; FF = "
             "{:.1f} units + {:.2f} pe + {:.3f} lane_operand; SRAM bits = {:.0f} + {:.3f} buffer bits\n",
             m.ge[0], m.ge[1], m.ge[2], m.ge[3], m.ge[4], m.ge[5], m.ff[0], m.ff[1], m.ff[2], m.sram[0], m.sram[1]);
  return m;
}

nlohmann::json shape_row(const Sample& x, const ecg::power::AreaModel& m) {
  const double lut = ecg::power::dot(m.lut, x.f.lut_vector()), ff = ecg::power::dot(m.ff, x.f.ff_vector());
  return {{"file", fs::path(x.s.file).filename().string()}, {"arch", x.s.arch}, {"pe", x.s.pe}, {"simd", x.s.simd},
          {"luts", x.s.luts}, {"ffs", x.s.ffs}, {"model_luts", std::round(lut)}, {"model_ffs", std::round(ff)},
          {"lut_error_pct", err_pct(lut, x.s.luts)}, {"ff_error_pct", err_pct(ff, x.s.ffs)},
          {"features", {{"lut", x.f.lut_vector()}, {"ff", x.f.ff_vector()}}}};
}

}  // namespace

int sc_main(int argc, char** argv) {
  CLI::App app{"Fit / check the analytic area model on synthesized shapes (docs/power.md, Area)"};
  std::string dir = ecg::power::default_area_dir() + "/synth", out = ecg::power::default_area_dir() + "/model.json";
  std::string model_path = out;
  std::vector<std::string> hold_out;
  bool check = false;
  double max_error = 15.0;
  app.add_option("--dir", dir, "folder of synthesis result JSONs")->capture_default_str();
  app.add_option("--out", out, "model file to write")->capture_default_str();
  app.add_option("--model", model_path, "--check: the model to check")->capture_default_str();
  app.add_option("--hold-out", hold_out, "shape files (names) to hold out (default: every third)");
  std::string only;
  app.add_option("--device", only, "refit only this device (up5k, asic); keep --out's other devices");
  app.add_flag("--check", check, "recompute the committed model's held-out errors; exit 1 above --max-error");
  app.add_option("--max-error", max_error, "--check: largest |error| in percent on LUTs and FFs")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    std::vector<Sample> all;
    for (const SynthShape& s : ecg::power::read_synth_dir(dir)) all.push_back(sample_of(s));
    if (check) {
      const auto models = ecg::power::load_area_models(model_path);
      int checked = 0;
      bool ok = true;
      for (const auto& [dev, m] : models) {
        const std::set<std::string> held(m.held_out.begin(), m.held_out.end());
        for (const Sample& x : all) {
          if (x.s.device != dev || !held.count(fs::path(x.s.file).filename().string())) continue;
          if (dev == "asic") {
            const nlohmann::json r = gate_row(x, m);
            const double ge = r["ge_error_pct"], fe = r["ff_error_pct"];
            fmt::print("asic {} {}x{}: GE {:.0f} vs model {:.0f} ({:+.1f} %), FF {:.0f} vs {:.0f} ({:+.1f} %), SRAM bits "
                       "{:.0f} vs {:.0f}\n",
                       x.s.arch, x.s.pe, x.s.simd, x.s.ge, r["model_ge"].get<double>(), ge, x.s.ffs,
                       r["model_ffs"].get<double>(), fe, x.s.sram_bits, r["model_sram_bits"].get<double>());
            ++checked;
            if (std::abs(ge) > max_error || std::abs(fe) > max_error) ok = false;
            continue;
          }
          const nlohmann::json r = shape_row(x, m);
          const double le = r["lut_error_pct"], fe = r["ff_error_pct"];
          fmt::print("{} {} {}x{}: LUT {:.0f} vs model {:.0f} ({:+.1f} %), FF {:.0f} vs {:.0f} ({:+.1f} %)\n", dev,
                     x.s.arch, x.s.pe, x.s.simd, x.s.luts, r["model_luts"].get<double>(), le, x.s.ffs,
                     r["model_ffs"].get<double>(), fe);
          ++checked;
          if (std::abs(le) > max_error || std::abs(fe) > max_error) ok = false;
        }
        if (held.size() && checked == 0) {
          fmt::print(stderr, "ecg_area_fit: {}: none of the held-out shapes of {} is in {}\n", model_path, dev, dir);
          return 1;
        }
      }
      fmt::print("{} held-out shapes checked: {}\n", checked, ok ? "all within tolerance" : "ERROR ABOVE TOLERANCE");
      return ok && checked > 0 ? 0 : 1;
    }
    std::map<std::string, ecg::power::AreaModel> models;
    std::set<std::string> devices;
    for (const Sample& x : all) devices.insert(x.s.device);
    const std::string cmd = "build/tools/ecg_area_fit --dir " + dir + " --out " + out;
    if (!only.empty()) {
      if (!devices.count(only)) {
        fmt::print(stderr, "ecg_area_fit: no {} shapes in {}\n", only, dir);
        return 2;
      }
      devices = {only};
    }
    if (devices.erase("asic")) {
      ecg::power::AreaModel g = fit_gates(all, hold_out, cmd);
      if (!g.ge.empty()) models["asic"] = g;
    }
    for (const std::string& dev : devices) {
      std::vector<const Sample*> train, test;
      int i = 0;
      // Board results: the fit is on the engine alone; a board result of a shape also
      // synthesized alone gives the board's overhead, and its Fmax the clock period.
      double board_l = 0, board_f = 0, pairs = 0, placed_lc = 0, placed_lut = 0;
      std::vector<std::vector<double>> xp;
      std::vector<double> yp;
      for (const Sample& b : all) {
        if (b.s.device != dev || b.s.engine_only) continue;
        if (b.s.fmax_mhz) {
          xp.push_back(b.f.fmax_vector());
          yp.push_back(1e3 / *b.s.fmax_mhz);
        }
        if (b.s.fmax_mhz) {  // placed: logic cells per LUT4 (carry cells, lone flip-flops)
          std::ifstream in(b.s.file);
          const nlohmann::json j = nlohmann::json::parse(in);
          const double lc = j["utilization"].value("lc", 0.0);
          if (lc > 0) {
            placed_lc += lc;
            placed_lut += b.s.luts;
          }
        }
        for (const Sample& e : all)
          if (e.s.engine_only && e.s.device == dev && e.s.arch == b.s.arch && e.s.pe == b.s.pe && e.s.simd == b.s.simd) {
            board_l += b.s.luts - e.s.luts;
            board_f += b.s.ffs - e.s.ffs;
            pairs += 1;
            break;
          }
      }
      for (const Sample& x : all) {
        if (x.s.device != dev || !x.s.engine_only) continue;
        const std::string name = fs::path(x.s.file).filename().string();
        const bool held = hold_out.empty() ? (i++ % 3 == 2)
                                           : std::find(hold_out.begin(), hold_out.end(), name) != hold_out.end();
        (held ? test : train).push_back(&x);
      }
      if (train.size() < 5) {
        fmt::print(stderr, "ecg_area_fit: {}: {} shapes to fit on (need 5)\n", dev, train.size());
        continue;
      }
      std::vector<std::vector<double>> xl, xf;
      std::vector<double> yl, yf;
      double bram_res = 0;
      for (const Sample* x : train) {
        xl.push_back(x->f.lut_vector());
        yl.push_back(x->s.luts);
        xf.push_back(x->f.ff_vector());
        yf.push_back(x->s.ffs);
        bram_res += x->s.brams - x->model_brams;
      }
      ecg::power::AreaModel m;
      m.device = dev;
      m.lut = ecg::power::fit_nonneg(xl, yl);
      m.ff = ecg::power::fit_nonneg(xf, yf);
      if (xp.size() >= 2) m.period_ns = ecg::power::fit_nonneg(xp, yp);
      else if (xp.size() == 1) m.period_ns = {yp[0], 0.0};  // one placed shape: its period for all
      if (pairs > 0) {
        m.board_luts = std::round(board_l / pairs);
        m.board_ffs = std::round(board_f / pairs);
      }
      m.bram_offset = std::round(bram_res / static_cast<double>(train.size()));
      const double lc_per_lut = placed_lut > 0 ? placed_lc / placed_lut : 0.0;
      nlohmann::json fitted = nlohmann::json::array(), held = nlohmann::json::array();
      for (const Sample* x : train) fitted.push_back(shape_row(*x, m));
      for (const Sample* x : test) {
        const nlohmann::json r = shape_row(*x, m);
        m.lut_error_pct = std::max(m.lut_error_pct, std::abs(r["lut_error_pct"].get<double>()));
        m.ff_error_pct = std::max(m.ff_error_pct, std::abs(r["ff_error_pct"].get<double>()));
        held.push_back(r);
      }
      m.provenance = {{"features", {{"lut", {"units", "pe", "lane_operand", "lut_mult", "xnor", "requant_lut"}},
                                    {"ff", {"units", "pe", "lane_operand"}},
                                    {"period_ns", {"1", "log2(simd*a_bits*w_bits)"}}}},
                      {"fitted_on", fitted},
                      {"held_out", held},
                      {"fmax_shapes", xp.size()},
                      {"board_pairs", pairs},
                      {"lc_per_lut", lc_per_lut},
                      {"lc_per_lut_note", "logic cells per LUT4 of the placed (board) results: the UP5K's 5280 is a "
                                          "logic-cell count; `fits` checks the model's LUTs x this"},
                      {"tool", "build/tools/ecg_area_fit --dir " + dir + " --out " + out}};
      models[dev] = m;
      fmt::print("{}: fitted on {} shapes (engine alone), held out {}: largest |error| LUT {:.1f} %, FF {:.1f} %; "
                 "board top +{:.0f} LUTs +{:.0f} FFs ({:.0f} pairs); Fmax from {} placed shapes\n",
                 dev, train.size(), test.size(), m.lut_error_pct, m.ff_error_pct, m.board_luts, m.board_ffs, pairs,
                 xp.size());
      fmt::print("  LUT = {:.1f} units + {:.2f} pe + {:.3f} lane_operand + {:.3f} lut_mult + {:.3f} xnor + {:.1f} requant_lut;  FF = "
                 "{:.1f} units + {:.2f} pe + {:.3f} lane_operand\n",
                 m.lut[0], m.lut[1], m.lut[2], m.lut[3], m.lut[4], m.lut[5], m.ff[0], m.ff[1], m.ff[2]);
    }
    // Artix-7 (no synthesized shapes of its own yet): derived from the UP5K fit. A 6-input LUT
    // holds about 1.6 4-input LUTs of logic (Xilinx WP245, Virtex-5 6-LUT vs 4-LUT); flip-flops
    // are the same registers.
    if (only.empty() && !models.count("xc7a35t") && models.count("up5k")) {
      ecg::power::AreaModel x = models["up5k"];
      x.device = "xc7a35t";
      for (double& c : x.lut) c /= 1.6;
      x.period_ns.clear();
      x.bram_offset = 0;
      x.provenance = {{"derived_from", "up5k"},
                      {"lut_scale", 1.0 / 1.6},
                      {"note", "no xc7a35t shapes synthesized: LUT coefficients = up5k / 1.6 (a LUT6 holds ~1.6 "
                               "LUT4 of logic, Xilinx WP245), FF coefficients = up5k's; no Fmax (no Debian place "
                               "and route for 7-series); held-out errors are the up5k fit's"}};
      models["xc7a35t"] = x;
    }
    if (models.empty()) {
      fmt::print(stderr, "ecg_area_fit: no device with enough shapes in {}\n", dir);
      return 2;
    }
    if (!only.empty() && fs::exists(out)) {  // keep the other devices' committed fits
      auto kept = ecg::power::load_area_models(out);
      kept[only] = models[only];
      models = kept;
    }
    ecg::power::save_area_models(models, out);
    fmt::print("wrote {}\n", out);
  } catch (const ecg::InputError& e) {
    fmt::print(stderr, "ecg_area_fit: {}\n", e.what());
    return 2;
  }
  return 0;
}
