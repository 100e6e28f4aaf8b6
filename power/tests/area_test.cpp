// Area model (power/src/area.cpp), static power from area and the real-time view.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "ecg/error.h"
#include "ecg/power/area.h"
#include "ecg/power/hw.h"

namespace ecg::power {
namespace {

namespace fs = std::filesystem;

NetGeom small_net(const std::string& arch) {
  NetGeom n;
  n.arch = arch;
  n.input_length = 64;
  n.input_bits = 8;
  n.n_classes = 4;
  LayerGeom c;
  c.name = "c0";
  c.type = "conv1d";
  c.cin = 1;
  c.cout = 16;
  c.lin = 64;
  c.lout = 62;
  c.k = 3;
  c.in_bits = 8;
  c.out_bits = 32;
  c.w_bits = 4;
  c.w_encoding = "int";
  c.weight = "w0";
  n.layers.push_back(c);
  n.weight_storage_bytes = 16 * 3 * 4 / 8;
  return n;
}

struct Engine {
  NetGeom net;
  EngineConfig cfg;
  EngineTiming t;
  double clock_mhz;
};
Engine engine(const std::string& arch, int pe, int simd, double clock_mhz = 24) {
  Engine e{small_net(arch), {}, {}, clock_mhz};
  ParamSet ps;
  declare_engine_params(ps, e.net);
  ps.set_override("engine.pe=" + std::to_string(pe));
  ps.set_override("engine.simd=" + std::to_string(simd));
  e.cfg = engine_config(ps, e.net);
  e.t = engine_timing(e.net, e.cfg);
  return e;
}

// A folder with a model (LUT = 100 + 10 pe + 2 lut_mult, FF = 50 + 5 pe + 1 lane_operand,
// period 10 + 2 log2(...) ns) and, optionally, one synthesized shape.
std::string area_dir(bool with_synth) {
  const std::string dir = ::testing::TempDir() + (with_synth ? "area_s" : "area_m");
  fs::create_directories(dir + "/synth");
  std::ofstream(dir + "/model.json") << R"({"devices": {"up5k": {"lut": [100, 10, 0, 2, 0, 768], "ff": [50, 5, 1],
    "period_ns": [10, 2], "bram_offset": 1, "held_out_lut_error_pct": 7.5, "held_out_ff_error_pct": 3.25,
    "held_out": []}}})";
  if (with_synth)
    std::ofstream(dir + "/synth/t-up5k.json") << R"({"arch": "tq", "device": "up5k", "params": {"Pe": 2, "Simd": 4},
      "utilization": {"lut": 4000, "ff": 900, "ebr": 7, "spram": 1, "dsp": 2}, "fits": true,
      "timing": {"fmax_mhz": 30.5, "meets_clock": true}})";
  return dir;
}

TEST(Area, FitRecoversExactCoefficients) {
  std::vector<std::vector<double>> x = {{1, 2, 8}, {1, 4, 32}, {1, 8, 64}, {1, 1, 4}, {1, 16, 512}};
  std::vector<double> y;
  for (const auto& r : x) y.push_back(300 + 20 * r[1] + 3 * r[2]);
  const std::vector<double> c = fit_nonneg(x, y);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_NEAR(c[0], 300, 1.0);
  EXPECT_NEAR(c[1], 20, 0.2);
  EXPECT_NEAR(c[2], 3, 0.01);
}

TEST(Area, FitDropsNegativeCoefficients) {
  std::vector<std::vector<double>> x = {{1, 1}, {1, 2}, {1, 3}};
  const std::vector<double> c = fit_nonneg(x, {10, 8, 6});  // slope -2: dropped, constant = mean
  EXPECT_DOUBLE_EQ(c[1], 0.0);
  EXPECT_NEAR(c[0], 8, 1e-3);
}

TEST(Area, ModelFiguresWithoutASynthesizedShape) {
  const Engine e = engine("tq", 2, 4, 24);
  const AreaReport a = area_report(e.net, e.cfg, e.t, e.clock_mhz, "up5k", area_dir(false));
  const AreaFeatures f = area_features(e.net, e.cfg, e.t, device_capacity("up5k"));
  EXPECT_EQ(a.source, "model");
  EXPECT_DOUBLE_EQ(f.units, 1);
  EXPECT_DOUBLE_EQ(f.pe, 2);
  // 2 requant (2 DSPs each) + 8 lane multipliers = 12 DSPs > the UP5K's 8: all built from LUTs.
  EXPECT_FALSE(f.dsp_mapped);
  EXPECT_DOUBLE_EQ(f.lut_mult, 2 * 4 * 8 * 4);
  EXPECT_DOUBLE_EQ(f.requant_lut, 2);
  EXPECT_DOUBLE_EQ(f.lane_operand, 2 * 4 * 12);
  EXPECT_DOUBLE_EQ(a.luts, 100 + 10 * 2 + 2 * 1024);
  EXPECT_DOUBLE_EQ(a.ffs, 50 + 5 * 2 + 96);
  EXPECT_NEAR(*a.fmax_mhz, 1e3 / (10 + 2 * std::log2(4 * 32)), 1e-9);
  EXPECT_TRUE(*a.meets_clock);  // 24 MHz < 41.7 MHz
  EXPECT_TRUE(a.fits);
  EXPECT_DOUBLE_EQ(*a.model_lut_error_pct, 7.5);
  // seq: the weight rows the engine stores, not the 24 B of packed weights: 16 / 2 output
  // groups x 3 taps (one input word each) = 24 rows of 2 PEs x 4 lanes x 4 bits.
  EXPECT_DOUBLE_EQ(a.buffers.weights, 24 * 2 * 4 * 4 / 8);
  EXPECT_GT(a.buffers.activations, 0);
  EXPECT_DOUBLE_EQ(a.dsps, 0);
  // 1 x 4: 2 + 4 DSPs fit the 8: no LUT-built multiplier.
  const Engine one = engine("tq", 1, 4, 24);
  const AreaFeatures f1 = area_features(one.net, one.cfg, one.t, device_capacity("up5k"));
  EXPECT_TRUE(f1.dsp_mapped);
  EXPECT_DOUBLE_EQ(f1.lut_mult, 0);
  EXPECT_DOUBLE_EQ(area_report(one.net, one.cfg, one.t, one.clock_mhz, "up5k", area_dir(false)).dsps, 6);
  // Too big for the UP5K: 64 x 64 lanes.
  const Engine big = engine("tq", 64, 64, 24);
  EXPECT_FALSE(area_report(big.net, big.cfg, big.t, big.clock_mhz, "up5k", area_dir(false)).fits);
  // Above Fmax.
  const Engine fast = engine("tq", 2, 4, 200);
  EXPECT_FALSE(*area_report(fast.net, fast.cfg, fast.t, fast.clock_mhz, "up5k", area_dir(false)).meets_clock);
}

TEST(Area, SynthesizedShapeTakesPrecedence) {
  const Engine e = engine("tq", 2, 4, 40);
  const AreaReport a = area_report(e.net, e.cfg, e.t, e.clock_mhz, "up5k", area_dir(true));
  EXPECT_EQ(a.source, "place_and_route");  // the result has a post-route Fmax
  EXPECT_EQ(a.source_file, "t-up5k.json");
  EXPECT_DOUBLE_EQ(a.luts, 4000);
  EXPECT_DOUBLE_EQ(a.ffs, 900);
  EXPECT_DOUBLE_EQ(a.brams, 7);
  EXPECT_DOUBLE_EQ(a.dsps, 2);
  EXPECT_DOUBLE_EQ(*a.fmax_mhz, 30.5);
  EXPECT_FALSE(*a.meets_clock);  // 40 MHz > 30.5 MHz: recomputed for this run's clock
  EXPECT_FALSE(a.model_lut_error_pct.has_value());
  // Another shape of the same arch: the model.
  const Engine o = engine("tq", 4, 4, 40);
  EXPECT_EQ(area_report(o.net, o.cfg, o.t, o.clock_mhz, "up5k", area_dir(true)).source, "model");
}

TEST(Area, UnknownDeviceIsAnInputError) {
  const Engine e = engine("tq", 2, 4);
  EXPECT_THROW(area_report(e.net, e.cfg, e.t, e.clock_mhz, "xc9z", area_dir(false)), InputError);
}

TEST(Area, StaticPowerFromArea) {
  AreaReport a;
  a.device = "xc7a35t";
  a.luts = 1000;
  a.ffs = 2000;
  a.brams = 4;
  a.dsps = 2;
  std::string from;
  const TechTable fpga = TechTable::load("fpga28");
  ASSERT_TRUE(fpga.leakage().from_area);
  const StaticLeakage& l = fpga.leakage();
  EXPECT_NEAR(static_power_mw(fpga, -1, a, &from), 1000 * l.lut_mw + 4 * l.bram_mw + 2 * l.dsp_mw, 1e-12);
  EXPECT_NE(from.find("[static]"), std::string::npos);
  // A whole XC7A35T's resources cost its 70 mW device static.
  AreaReport full;
  full.luts = 20800;
  full.brams = 100;
  full.dsps = 90;
  EXPECT_NEAR(static_power_mw(fpga, -1, full, nullptr), 70.0, 0.1);
  EXPECT_DOUBLE_EQ(static_power_mw(fpga, 5.0, a, &from), 5.0);
  EXPECT_EQ(from, "parameter power.static_mw");
  const TechTable ice = TechTable::load("ice40up");
  EXPECT_EQ(ice.device(), "up5k");
  EXPECT_NEAR(static_power_mw(ice, -1, a, nullptr), ice.leakage().base_mw, 1e-12);  // the device's
  EXPECT_EQ(TechTable::load("asic45").leakage().from_area, true);
}

// A folder with an asic model (GE = 1000 + 100 pe + 2 lane_operand + 5 lut_mult + 50 requant,
// FF = 200 + 10 pe + 1 lane_operand, SRAM = 3000 + 0.5 x buffer bits) and one synthesized asic shape.
std::string asic_dir() {
  const std::string dir = ::testing::TempDir() + "area_asic";
  fs::create_directories(dir + "/synth");
  std::ofstream(dir + "/model.json") << R"({"devices": {"asic": {"ge": [1000, 100, 2, 5, 0, 50], "ff": [200, 10, 1],
    "sram": [3000, 0.5], "held_out_ge_error_pct": 6.5, "held_out_ff_error_pct": 2.5, "held_out": []}}})";
  std::ofstream(dir + "/synth/seq_tq-asic.json") << R"({"arch": "tq", "device": "asic", "engine_top": "seq_engine",
    "params": {"Pe": 1, "Simd": 4}, "utilization": {"ge": 23670, "ff": 1253, "sram_bits": 44438}, "fits": true,
    "flow": "tools/area_synth_shapes.py --device asic: seq_engine alone"})";
  return dir;
}

TEST(Area, AsicGateEquivalentsFromSynthesisElseModel) {
  const Engine one = engine("tq", 1, 4);
  const AreaReport s = area_report(one.net, one.cfg, one.t, one.clock_mhz, "asic", asic_dir());
  EXPECT_EQ(s.source, "synthesis");
  EXPECT_EQ(s.source_file, "seq_tq-asic.json");
  EXPECT_DOUBLE_EQ(*s.gate_equivalents, 23670);
  EXPECT_DOUBLE_EQ(*s.sram_bits, 44438);
  EXPECT_DOUBLE_EQ(s.ffs, 1253);
  EXPECT_DOUBLE_EQ(s.luts, 0);  // standard cells: no LUTs, block RAMs or DSPs
  EXPECT_DOUBLE_EQ(s.dsps, 0);
  EXPECT_TRUE(s.fits);
  EXPECT_FALSE(s.fmax_mhz.has_value());
  EXPECT_FALSE(s.model_ge_error_pct.has_value());
  // 2 x 4: the model, on gate features (every multiplier from gates, even where a UP5K's DSPs
  // would take them).
  const Engine two = engine("tq", 2, 4);
  const AreaFeatures g = gate_features(two.net, two.cfg, two.t);
  EXPECT_FALSE(g.dsp_mapped);
  EXPECT_DOUBLE_EQ(g.lut_mult, 2 * 4 * 8 * 4);
  EXPECT_DOUBLE_EQ(g.requant_lut, 2);
  const AreaReport m = area_report(two.net, two.cfg, two.t, two.clock_mhz, "asic", asic_dir());
  EXPECT_EQ(m.source, "model");
  EXPECT_DOUBLE_EQ(*m.gate_equivalents, 1000 + 100 * 2 + 2 * g.lane_operand + 5 * g.lut_mult + 50 * 2);
  EXPECT_DOUBLE_EQ(m.ffs, 200 + 10 * 2 + g.lane_operand);
  EXPECT_DOUBLE_EQ(*m.sram_bits, std::round(3000 + 0.5 * 8 * (m.buffers.weights + m.buffers.activations)));
  EXPECT_DOUBLE_EQ(*m.model_ge_error_pct, 6.5);
  EXPECT_DOUBLE_EQ(*m.model_ff_error_pct, 2.5);
}

TEST(Area, AsicStaticPowerFromGatesAndSramBits) {
  const TechTable t = TechTable::from_text(R"([tech]
name = "t"
description = "d"
device = "asic"
ref_toggle_rate = 0.5
ref_toggle_rate_source = "s"
default_toggle_rate = 0.5
default_toggle_rate_source = "s"
static_mw = 9
static_source = "s"
[static]
base_mw = 0.25
ge_mw = 2e-5
sram_bit_mw = 1e-6
source = "s"
[action.add]
unit = "bit"
pj = 1
source = "s"
)", "t.toml");
  AreaReport a;
  a.device = "asic";
  a.gate_equivalents = 20000;
  a.sram_bits = 50000;
  a.ffs = 1200;  // no per-FF term: flip-flops are in the gate equivalents
  std::string from;
  EXPECT_NEAR(static_power_mw(t, -1, a, &from), 0.25 + 20000 * 2e-5 + 50000 * 1e-6, 1e-12);
  EXPECT_NE(from.find("gate equivalent"), std::string::npos) << from;
  // Twice the gates and bits: twice the leakage above the base.
  a.gate_equivalents = 40000;
  a.sram_bits = 100000;
  EXPECT_NEAR(static_power_mw(t, -1, a, nullptr), 0.25 + 2 * 0.45, 1e-12);
  // An FPGA table has no per-GE term; a negative one is an error.
  AreaReport fpga_area = a;
  fpga_area.luts = 1000;
  const TechTable fpga = TechTable::load("fpga28");
  EXPECT_NEAR(static_power_mw(fpga, -1, fpga_area, nullptr), 1000 * fpga.leakage().lut_mw, 1e-12);
  const TechTable asic = TechTable::load("asic45");
  EXPECT_GT(asic.leakage().ge_mw, 0);
  EXPECT_GT(asic.leakage().sram_bit_mw, 0);
}

// The committed synthesis results (power/area/synth/*-asic.json) and model: an asic45 engine's
// static power grows with its array; the GE model's held-out error is within 15 %.
TEST(Area, AsicStaticPowerGrowsWithTheArray) {
  const TechTable asic = TechTable::load("asic45");
  double last = 0;
  for (const auto& [pe, simd] : std::vector<std::pair<int, int>>{{1, 4}, {4, 8}, {8, 16}}) {
    const Engine e = engine("qrcnn", pe, simd);
    const AreaReport a = area_report(e.net, e.cfg, e.t, e.clock_mhz, "asic");
    ASSERT_TRUE(a.gate_equivalents);
    EXPECT_EQ(a.source, pe == 8 ? "model" : "synthesis") << pe << "x" << simd;
    const double mw = static_power_mw(asic, -1, a, nullptr);
    EXPECT_GT(mw, last * 1.2) << pe << "x" << simd << ": " << *a.gate_equivalents << " GE";
    last = mw;
  }
  const auto models = load_area_models(default_area_dir() + "/model.json");
  ASSERT_TRUE(models.count("asic"));
  const AreaModel& m = models.at("asic");
  EXPECT_EQ(m.ge.size(), 6u);
  EXPECT_GE(m.held_out.size(), 2u);
  EXPECT_LE(m.ge_error_pct, 15.0);
  EXPECT_LE(m.ff_error_pct, 15.0);
}

TEST(Area, LaneMultipliersOnHardBlocksCostMultDsp) {
  // 1 x 4: 4 lane multipliers on the UP5K's DSPs -> mult_dsp; 4 x 8: 32 lanes do not fit the 8
  // SB_MAC16 -> LUT-built mult; asic45 has no mult_dsp -> mult.
  PowerConfig pc;
  pc.tech = TechTable::load("ice40up");
  ASSERT_TRUE(pc.tech.has("mult_dsp"));
  EXPECT_LT(pc.tech.pj("mult_dsp", 32, 0, "t"), pc.tech.pj("mult", 32, 0, "t"));
  const Engine one = engine("qrcnn", 1, 4);
  EXPECT_DOUBLE_EQ(lane_multipliers(one.net, one.cfg, one.t), 4);
  AreaReport a;
  a.dsps = 6;
  a.ffs = 1000;
  EXPECT_EQ(power_hw_shape(PowerSetup{one.net, one.cfg, one.t, pc, 12.0}, a).mult_action, "mult_dsp");
  a.dsps = 3;  // fewer hard multipliers than lanes: the lanes are LUT-built
  EXPECT_EQ(power_hw_shape(PowerSetup{one.net, one.cfg, one.t, pc, 12.0}, a).mult_action, "mult");
  const Engine big = engine("qrcnn", 4, 8);
  a.dsps = model_dsps(big.net, big.cfg, big.t, device_capacity("up5k"));
  EXPECT_DOUBLE_EQ(a.dsps, 0);
  EXPECT_EQ(power_hw_shape(PowerSetup{big.net, big.cfg, big.t, pc, 12.0}, a).mult_action, "mult");
  pc.tech = TechTable::load("asic45");
  a.dsps = 6;
  EXPECT_EQ(power_hw_shape(PowerSetup{one.net, one.cfg, one.t, pc, 12.0}, a).mult_action, "mult");
  // The counter mapping charges the chosen action.
  HwShape hw;
  hw.mult_action = "mult_dsp";
  EXPECT_EQ(counter_cost("engine.mac.a8w4", hw).terms.front().action, "mult_dsp");
  EXPECT_EQ(counter_cost("engine.mac.a8w4", HwShape{}).terms.front().action, "mult");
}

TEST(Area, RealtimeView) {
  Report r;
  r.hardware.clock_mhz = 10;
  PowerReport p;
  p.static_mw = 0.1;
  p.detail.dynamic_uj_per_beat = 2.0;
  p.detail.clock_pj_per_cycle = 100;  // 1000 flip-flops x 0.1 pJ
  p.detail.blocks["clock"].dynamic_uj_per_beat = 0.5;  // 5000 busy cycles per beat
  r.hardware.power = p;
  r.hardware.config = std::map<std::string, ConfigValue>{{power_param::kBatteryMah.key, 225.0}, {power_param::kBatteryV.key, 3.0}};
  add_realtime_view(r, 1.25);
  ASSERT_TRUE(r.hardware.realtime);
  const RealtimeReport& g = *r.hardware.realtime;
  EXPECT_TRUE(g.idle_clock_gated);
  EXPECT_NEAR(g.average_mw, 0.1 + 2.0 * 1.25 * 1e-3, 1e-12);
  EXPECT_NEAR(g.energy_uj_per_beat, g.average_mw / 1.25 * 1e3, 1e-9);
  EXPECT_NEAR(g.battery_life_h, 675.0 / g.average_mw, 1e-9);
  // Clock running between beats: 10 MHz - 1.25 x 5000 busy cycles/s, 100 pJ each.
  (*r.hardware.config)[power_param::kIdleClockGated.key] = false;
  add_realtime_view(r, 1.25);
  EXPECT_NEAR(r.hardware.realtime->average_mw, 0.1 + 2.5e-3 + 100e-9 * (10e6 - 6250), 1e-9);
  EXPECT_NEAR(r.hardware.realtime->idle_mw, 0.1 + 100e-9 * 10e6, 1e-9);
}

}  // namespace
}  // namespace ecg::power
