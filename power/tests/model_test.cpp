// The energy arithmetic against hand-computed numbers.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ecg/error.h"
#include "ecg/power/model.h"

namespace ecg::power {
namespace {

// Round numbers so the expected values can be checked by hand.
TechTable table(bool with_clock = true) {
  std::string t = R"(
[tech]
name = "hand"
description = "hand-computable"
ref_toggle_rate = 0.5
ref_toggle_rate_source = "s"
default_toggle_rate = 0.25
default_toggle_rate_source = "s"
static_mw = 1.0
static_source = "s"
[action.mult]
unit = "bit2"
pj = 0.01
source = "s"
[action.add]
unit = "bit"
pj = 0.001
source = "s"
[action.sram_read]
unit = "bit"
pj = 0.1
ref_bytes = 1024
size_exponent = 0.5
min_pj = 0.01
source = "s"
)";
  if (with_clock) t += "[action.clock]\nunit = \"flop_cycle\"\npj = 0.002\nsource = \"s\"\n";
  return TechTable::from_text(t, "hand.toml");
}

Activity activity() {
  Activity a;
  a.counters = {{"engine.mac.a8w4", 1000},
                {"mem.weight.read.32b", 100},
                {"engine.cycles.busy", 500},
                {"engine.beats", 2},
                {"engine.cycles.idle", 7}};
  a.beats = 2;
  a.seconds = 1e-6;
  a.ops_per_beat = 2000;
  return a;
}

HwShape shape() {
  HwShape h;
  h.mem_bytes["weight"] = 4096;
  h.clocked_bits = 100;
  return h;
}

TEST(PowerModel, HandComputedUncalibrated) {
  Estimate e = estimate(activity(), shape(), table(), {}, -1, "table default");
  // MAC a8w4: mult 8*4 bit2 * 0.01 + add 12 bits * 0.001 = 0.332 pJ; x1000 = 332 pJ at the
  // reference rate 0.5; default rate 0.25 -> x0.5 = 166 pJ.
  EXPECT_NEAR(e.blocks.at("datapath").nominal_pj, 332.0, 1e-9);
  EXPECT_NEAR(e.blocks.at("datapath").pj, 166.0, 1e-9);
  // Weight read: 0.1 pJ/bit * sqrt(4096/1024) = 0.2 pJ/bit * 32 bits * 100 = 640 -> 320 pJ.
  EXPECT_NEAR(e.blocks.at("mem.weight").pj, 320.0, 1e-9);
  // Clock: 500 cycles * 100 flops * 0.002 = 100 pJ, not scaled by the toggle rate.
  EXPECT_NEAR(e.blocks.at("clock").pj, 100.0, 1e-9);
  EXPECT_NEAR(e.dynamic_pj, 586.0, 1e-9);
  // 586 pJ in 1 us = 0.586 mW; static 1 mW from the table.
  EXPECT_NEAR(e.dynamic_mw, 0.586, 1e-12);
  EXPECT_NEAR(e.static_mw, 1.0, 1e-12);
  EXPECT_NEAR(e.total_mw, 1.586, 1e-12);
  // Per beat: dynamic 586e-6 uJ / 2; total adds 1 mW * 1 us = 1e-3 uJ.
  EXPECT_NEAR(e.dynamic_energy_uj_per_beat, 293e-6, 1e-15);
  EXPECT_NEAR(e.energy_uj_per_beat, (586e-6 + 1e-3) / 2, 1e-15);
  // 2 beats * 2000 ops in 1 us = 4 GOPS; / 1.586 mW.
  EXPECT_NEAR(e.gops_per_w, 4.0 / 1.586e-3, 1e-6);
  EXPECT_NEAR(e.dynamic_gops_per_w, 4.0 / 0.586e-3, 1e-6);
  const PowerReport p = e.report();
  EXPECT_NEAR(p.total_mw, 1.586, 1e-12);
  EXPECT_EQ(p.detail.blocks.at("datapath").toggle_rate, 0.25);
  EXPECT_FALSE(p.detail.blocks.at("clock").toggle_rate.has_value());
}

TEST(PowerModel, CalibratedRatesAndStaticOverride) {
  Estimate e = estimate(activity(), shape(), table(), {{"datapath", 0.5}, {"mem.weight", 1.0}}, 0.0, "calib");
  EXPECT_NEAR(e.blocks.at("datapath").pj, 332.0, 1e-9);    // rate = reference: nominal energy
  EXPECT_NEAR(e.blocks.at("mem.weight").pj, 1280.0, 1e-9);  // rate 1.0 = 2x reference
  EXPECT_NEAR(e.dynamic_pj, 332 + 1280 + 100, 1e-9);
  EXPECT_NEAR(e.static_mw, 0.0, 1e-12);
  EXPECT_NEAR(e.total_mw, e.dynamic_mw, 1e-12);
}

TEST(PowerModel, ToggleRatesFromMeasuredToggles) {
  // Nominal bits: MAC a8w4 = 2*(8+4) = 24 per MAC -> 24000; weight reads 32 * 100 = 3200.
  auto bits = nominal_bits(activity(), shape());
  EXPECT_DOUBLE_EQ(bits.at("datapath"), 24000);
  EXPECT_DOUBLE_EQ(bits.at("mem.weight"), 3200);
  EXPECT_EQ(bits.count("clock"), 0u);
  auto r = toggle_rates({{"datapath", 12000}, {"mem.weight", 800}}, activity(), shape());
  EXPECT_DOUBLE_EQ(r.at("datapath"), 0.5);
  EXPECT_DOUBLE_EQ(r.at("mem.weight"), 0.25);
  // Toggles in a block no counter feeds: the block mapping is wrong.
  EXPECT_THROW(toggle_rates({{"mem.act", 10}}, activity(), shape()), InputError);
  EXPECT_EQ(toggle_rates({{"-", 10}, {"unassigned", 3}}, activity(), shape()).size(), 0u);
}

TEST(PowerModel, MissingActionIsAnInputErrorNamingFileAndAction) {
  try {
    estimate(activity(), shape(), table(false), {}, -1, "");
    FAIL() << "no error";
  } catch (const InputError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("hand.toml"), std::string::npos) << m;
    EXPECT_NE(m.find("\"clock\""), std::string::npos) << m;
    EXPECT_NE(m.find("engine.cycles.busy"), std::string::npos) << m;
  }
}

TEST(PowerModel, UnknownCounterAndUnknownMemory) {
  Activity a = activity();
  a.counters["engine.frobnicate"] = 1;
  EXPECT_THROW(estimate(a, shape(), table(), {}, -1, ""), InputError);
  Activity b = activity();
  b.counters["mem.act.read.64b"] = 1;  // no size for "act"
  EXPECT_THROW(estimate(b, shape(), table(), {}, -1, ""), InputError);
}

TEST(PowerModel, CounterCosts) {
  HwShape h = shape();
  h.mem_bytes["act"] = 2048;
  CounterCost k = counter_cost("engine.shift_add.a8", h);
  ASSERT_EQ(k.terms.size(), 2u);
  EXPECT_EQ(k.terms[0].action, "shift");
  EXPECT_EQ(k.terms[1].action, "add");
  EXPECT_EQ(counter_cost("engine.xnor_popcount", h).terms[0].action, "xnor_popcount");
  EXPECT_EQ(counter_cost("engine.reg.acc.32b", h).terms.size(), 2u);  // add + register
  EXPECT_EQ(counter_cost("mem.linebuf.write.64b", h).terms[0].action, "regfile_write");
  CounterCost m = counter_cost("mem.act.write.16b", h);
  EXPECT_EQ(m.block, "mem.act");
  EXPECT_EQ(m.terms[0].size_bytes, 2048);
  EXPECT_EQ(m.terms[0].units, 16);
  EXPECT_FALSE(counter_cost("engine.beats", h).energy);
  EXPECT_EQ(counter_cost("bus.bytes", h).block, "platform");
}

TEST(PowerModel, NoTimeNoPower) {
  Activity a = activity();
  a.seconds = 0;
  Estimate e = estimate(a, shape(), table(), {}, -1, "");
  EXPECT_EQ(e.dynamic_mw, 0);
  EXPECT_EQ(e.gops_per_w, 0);
}

}  // namespace
}  // namespace ecg::power
