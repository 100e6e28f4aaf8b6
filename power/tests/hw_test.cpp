// The power model on the engine model's own counters and the parameter system.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "ecg/error.h"
#include "ecg/power/hw.h"

namespace ecg::power {
namespace {

LayerGeom conv(const std::string& name, int cin, int cout, int l, int k, int in_bits, int w_bits,
               const std::string& enc, bool in_binary = false) {
  LayerGeom g;
  g.name = name;
  g.type = "conv1d";
  g.cin = cin;
  g.cout = cout;
  g.lin = l;
  g.lout = l - k + 1;
  g.k = k;
  g.in_bits = in_bits;
  g.in_binary = in_binary;
  g.out_bits = 32;
  g.w_bits = w_bits;
  g.w_encoding = enc;
  g.weight = name + "_w";
  return g;
}

LayerGeom elementwise(const std::string& name, const std::string& type, int c, int l, int out_bits) {
  LayerGeom g;
  g.name = name;
  g.type = type;
  g.cin = g.cout = c;
  g.lin = g.lout = l;
  g.in_bits = 32;
  g.out_bits = out_bits;
  return g;
}

// A network using every counter kind: int MAC, binary x binary, binary x int, pow2,
// requant, threshold, maxpool, gsum, dense.
NetGeom every_kind() {
  NetGeom n;
  n.arch = "qrcnn";
  n.input_length = 32;
  n.input_bits = 8;
  n.n_classes = 4;
  n.layers.push_back(conv("c0", 1, 8, 32, 3, 8, 4, "int"));               // a8w4, Lout 30
  n.layers.push_back(elementwise("r0", "requant", 8, 30, 8));
  n.layers.push_back(conv("c1", 8, 8, 30, 3, 8, 1, "binary"));            // addsub.a8, Lout 28
  n.layers.push_back(elementwise("t1", "threshold", 8, 28, 1));
  n.layers.back().out_binary = true;
  n.layers.push_back(conv("c2", 8, 8, 28, 3, 1, 1, "binary", true));      // xnor, Lout 26
  n.layers.push_back(elementwise("r2", "requant", 8, 26, 8));
  n.layers.push_back(conv("c3", 8, 8, 26, 3, 8, 4, "pow2"));              // shift_add.a8, Lout 24
  n.layers.push_back(elementwise("r3", "requant", 8, 24, 8));
  LayerGeom mp;
  mp.name = "p3";
  mp.type = "maxpool";
  mp.cin = mp.cout = 8;
  mp.lin = 24;
  mp.lout = 12;
  mp.k = 2;
  mp.stride = 2;
  mp.in_bits = mp.out_bits = 8;
  n.layers.push_back(mp);
  LayerGeom gs;
  gs.name = "g";
  gs.type = "gsum";
  gs.cin = gs.cout = 8;
  gs.lin = 12;
  gs.lout = 1;
  gs.in_bits = 8;
  gs.out_bits = 32;
  n.layers.push_back(gs);
  n.layers.push_back(elementwise("rg", "requant", 8, 1, 8));
  LayerGeom d;
  d.name = "fc";
  d.type = "dense";
  d.cin = 8;
  d.cout = 4;
  d.in_bits = 8;
  d.out_bits = 32;
  d.w_bits = 4;
  d.w_encoding = "int";
  d.weight = "fc_w";
  d.has_bias = true;
  n.layers.push_back(d);
  n.weight_storage_bytes = (8 * 3 * 4 + 8 * 8 * 3 + 8 * 8 * 3 + 8 * 8 * 3 * 4 + 8 * 4 * 4) / 8;
  return n;
}

ParamSet params(const NetGeom& n, const std::vector<std::string>& overrides = {}) {
  ParamSet ps;
  declare_platform_clock(ps);
  declare_engine_params(ps, n);
  declare_power_params(ps);
  ps.set_override("power.calib=none");
  for (const auto& o : overrides) ps.set_override(o);
  return ps;
}

TEST(PowerHw, EveryEngineCounterHasAnEnergy) {
  NetGeom n = every_kind();
  for (const char* style : {"seq", "pipe"}) {
    ParamSet ps = params(n, {std::string("engine.style=") + style});
    const EngineConfig cfg = engine_config(ps, n);
    const EngineTiming t = engine_timing(n, cfg);
    for (const char* tech : {"fpga28", "asic45"}) {
      ps.set_override(std::string("power.tech=") + tech);
      Report typed;
      Estimate e = add_power_report(typed, ps, n, engine_counters(t, 10), 10,
                                    10.0 * static_cast<double>(t.ii_cycles));
      EXPECT_GT(e.blocks.at("datapath").pj, 0) << style << " " << tech;
      const nlohmann::json report = to_json(typed);
      EXPECT_GT(report["hardware"]["power_mw"]["total"].get<double>(), 0);
      EXPECT_GT(report["hardware"]["energy_uj_per_beat"].get<double>(), 0);
      EXPECT_GT(report["hardware"]["gops_per_w"].get<double>(), 0);
      EXPECT_EQ(report["hardware"]["power"]["tech"], tech);
    }
  }
}

TEST(PowerHw, ShapeOfASeqEngine) {
  NetGeom n = every_kind();
  ParamSet ps = params(n, {"engine.pe=4", "engine.simd=2"});
  const EngineConfig cfg = engine_config(ps, n);
  const EngineTiming t = engine_timing(n, cfg);
  HwShape h = hw_shape(n, cfg, t);
  EXPECT_DOUBLE_EQ(h.mem_bytes.at("input"), 32);  // 32 samples x 1 byte
  // The seq engine's weight buffer holds its weight rows (pe lanes per row, zero-padded; the
  // RTL loader's count, RtlFormula.SeqLatencyEqualsTheRtlLoadersCount), not the packed network.
  EXPECT_DOUBLE_EQ(h.mem_bytes.at("weight"), static_cast<double>(t.weight_bits_needed) / 8);
  EXPECT_GT(t.weight_bits_needed, 0);
  EXPECT_DOUBLE_EQ(h.mem_bytes.at("act"), static_cast<double>(t.act_bits_needed) / 8);
  // 4 PEs x (2 lanes x (8 + 4) operand bits + 64) + 256 control bits.
  EXPECT_DOUBLE_EQ(h.clocked_bits, 4 * (2 * 12 + 64) + 256);
}

TEST(PowerHw, EnergyPerBeatIsLinearInBeats) {
  NetGeom n = every_kind();
  ParamSet ps = params(n);
  const EngineTiming t = engine_timing(n, engine_config(ps, n));
  Report r1, r2;
  ps.set_override("power.static_mw=0");
  Estimate a = add_power_report(r1, ps, n, engine_counters(t, 5), 5, 5.0 * static_cast<double>(t.ii_cycles));
  Estimate b = add_power_report(r2, ps, n, engine_counters(t, 50), 50, 50.0 * static_cast<double>(t.ii_cycles));
  EXPECT_NEAR(a.energy_uj_per_beat, b.energy_uj_per_beat, 1e-12 * b.energy_uj_per_beat + 1e-18);
  EXPECT_NEAR(a.dynamic_mw, b.dynamic_mw, 1e-9 * b.dynamic_mw);
  // Back to back, ops / energy: GOPS/W = ops_per_beat / (uJ per beat * 1e3).
  EXPECT_NEAR(b.gops_per_w, t.ops / (b.energy_uj_per_beat * 1e3), 1e-6 * b.gops_per_w);
}

TEST(PowerHw, TimeRunsOnThePlatformClock) {
  NetGeom n = every_kind();
  ParamSet ps = params(n);
  const EngineTiming t = engine_timing(n, engine_config(ps, n));
  Report r1, r2;
  Estimate at100 = add_power_report(r1, ps, n, engine_counters(t, 5), 5, 5000);
  ps.set(platform_param::kClockMhz, 25.0, "test");
  Estimate at25 = add_power_report(r2, ps, n, engine_counters(t, 5), 5, 5000);
  // 5000 cycles: 50 us at the default 100 MHz, 200 us at 25 MHz; the same energy over 4x the time.
  EXPECT_NEAR(at100.seconds, 50e-6, 1e-15);
  EXPECT_NEAR(at25.seconds, 200e-6, 1e-15);
  EXPECT_NEAR(at25.dynamic_pj, at100.dynamic_pj, 1e-9 * at100.dynamic_pj);
  EXPECT_NEAR(at25.dynamic_mw, at100.dynamic_mw / 4, 1e-9 * at100.dynamic_mw);
}

TEST(PowerHw, BadParametersAreInputErrors) {
  NetGeom n = every_kind();
  ParamSet ps = params(n, {"power.tech=asic7"});
  const EngineTiming t = engine_timing(n, engine_config(ps, n));
  Report r;
  EXPECT_THROW(add_power_report(r, ps, n, engine_counters(t, 1), 1, 1000), InputError);
  ps.set_override("power.tech=asic45");
  ps.set_override("power.calib=/nonexistent/calib.json");
  EXPECT_THROW(add_power_report(r, ps, n, engine_counters(t, 1), 1, 1000), InputError);
  // A calibration of another arch.
  const std::string path = ::testing::TempDir() + "calib_bnn.json";
  {
    std::ofstream out(path);
    out << R"({"arch": "bnn", "toggle_rate": {"datapath": 0.3}})";
  }
  ps.set_override("power.calib=" + path);
  try {
    add_power_report(r, ps, n, engine_counters(t, 1), 1, 1000);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("\"bnn\""), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
  EXPECT_THROW(ps.set_override("power.static_mw=-5"), InputError);
}

TEST(PowerHw, CalibrationScalesItsBlocks) {
  NetGeom n = every_kind();
  ParamSet ps = params(n, {"power.tech=asic45"});
  const EngineTiming t = engine_timing(n, engine_config(ps, n));
  const std::string path = ::testing::TempDir() + "calib_qrcnn.json";
  Calibration c;
  c.arch = "qrcnn";
  c.toggle_rate = {{"datapath", 0.25}, {"mem.act", 0.1}};
  save_calibration(c, path);
  Report r0, r1;
  Estimate base = add_power_report(r0, ps, n, engine_counters(t, 3), 3, 3000);
  ps.set_override("power.calib=" + path);
  Estimate cal = add_power_report(r1, ps, n, engine_counters(t, 3), 3, 3000);
  // asic45 default rate = reference 0.5: calibrated datapath is half, act memory a fifth.
  EXPECT_NEAR(cal.blocks.at("datapath").pj, 0.5 * base.blocks.at("datapath").pj, 1e-9);
  EXPECT_NEAR(cal.blocks.at("mem.act").pj, 0.2 * base.blocks.at("mem.act").pj, 1e-9);
  EXPECT_NEAR(cal.blocks.at("mem.weight").pj, base.blocks.at("mem.weight").pj, 1e-9);
  EXPECT_EQ(to_json(r1)["hardware"]["power"]["toggle_rates_from"], path);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace ecg::power

namespace ecg::power {
namespace {

TEST(PowerHw, RtlComparisonOfMeasuredAndCalibratedRates) {
  NetGeom n = every_kind();
  ParamSet ps = params(n, {"power.tech=asic45"});
  const EngineTiming t = engine_timing(n, engine_config(ps, n));
  HwShape hw = hw_shape(n, engine_config(ps, n), t);
  Activity act;
  act.counters = engine_counters(t, 4);
  const auto bits = nominal_bits(act, hw);
  // Measured: datapath 0.3, act memory 0.2 toggles per nominal bit; control ignored.
  std::map<std::string, double> toggles = {{"datapath", 0.3 * bits.at("datapath")},
                                           {"mem.act", 0.2 * bits.at("mem.act")},
                                           {"-", 12345}};
  const std::string path = ::testing::TempDir() + "calib_cmp.json";
  Calibration c;
  c.arch = "qrcnn";
  c.toggle_rate = {{"datapath", 0.3}, {"mem.act", 0.2}};
  save_calibration(c, path);
  ps.set_override("power.calib=" + path);
  RtlComparison same = compare_with_rtl(ps, n, toggles, 4, 4.0 * static_cast<double>(t.latency_cycles));
  EXPECT_NEAR(same.measured_rates.at("datapath"), 0.3, 1e-12);
  EXPECT_NEAR(same.measured_rates.at("mem.act"), 0.2, 1e-12);
  EXPECT_NEAR(same.dynamic_difference_pct, 0.0, 1e-9);
  // Calibrated datapath rate 10% high: the TLM datapath energy is 10% high.
  c.toggle_rate["datapath"] = 0.33;
  save_calibration(c, path);
  RtlComparison high = compare_with_rtl(ps, n, toggles, 4, 4.0 * static_cast<double>(t.latency_cycles));
  EXPECT_NEAR(high.tlm.blocks.at("datapath").pj, 1.1 * high.rtl.blocks.at("datapath").pj, 1e-9);
  const double expect = 100.0 * 0.1 * high.rtl.blocks.at("datapath").pj / high.rtl.dynamic_pj;
  EXPECT_NEAR(high.dynamic_difference_pct, expect, 1e-9);
  EXPECT_GT(high.dynamic_difference_pct, 0);
  EXPECT_NEAR(high.report().blocks.at("datapath").difference_pct, 10.0, 1e-9);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace ecg::power
