// Parsers of the synthesis flow (synth/src/flow.cpp) on excerpts of the tools' real outputs
// (Yosys 0.23 dump / select / stat -json, nextpnr-ice40 0.4 --report).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "ecg/error.h"
#include "ecg/synth/flow.h"

namespace ecg::synth {
namespace {

TEST(SynthFlow, ParsesMemoryDump) {
  const std::string dump = R"(
  attribute \src "synth_mini_engine.sv:28.23-28.30"
  cell $mem_v2 \u_engine.wgt_mem
    parameter \ABITS 11
    parameter \INIT 32768'x
    parameter \MEMID "\\u_engine.wgt_mem"
    parameter \OFFSET 0
    parameter \SIZE 2048
    parameter \WIDTH 16
  end
  cell $mem_v2 \u_link.fifo
    parameter \SIZE 4
    parameter \WIDTH 32
  end
)";
  const auto m = parse_memory_dump(dump);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].name, "u_engine.wgt_mem");
  EXPECT_EQ(m[0].bits(), 2048 * 16);
  EXPECT_EQ(m[1].name, "u_link.fifo");
  EXPECT_EQ(m[1].bits(), 128);
  EXPECT_TRUE(parse_memory_dump("").empty());
}

TEST(SynthFlow, ParsesSelectCount) {
  EXPECT_EQ(parse_select_count("0 objects.\n"), 0);
  EXPECT_EQ(parse_select_count("\n17 objects.\n"), 17);
  EXPECT_EQ(parse_select_count("garbage"), -1);
}

TEST(SynthFlow, SizesArraysTurnedIntoRegisters) {
  const std::string log =
      "Warning: Replacing memory \\r with list of registers. See m2r.sv:5\n"
      "Warning: Replacing memory \\desc with list of registers. See e.sv:9\n";
  const std::string wires = "  wire width 8 \\u_engine.r[0]\n  wire width 8 \\u_engine.r[1]\n"
                            "  wire width 8 \\u_engine.r[2]\n  wire \\u_engine.desc[0]\n  wire \\u_engine.desc[1]\n"
                            "  wire width 8 \\u_engine.other[0]\n  wire width 8 $auto$r[0]\n";
  // r[0..2] and desc[0] are flip-flop outputs; desc[1] is a wire (combinational).
  const std::string ffs = "  cell $adff $auto$1\n    connect \\Q \\u_engine.r[0]\n  end\n"
                          "  cell $dffe $auto$2\n    connect \\Q { \\u_engine.r[2] \\u_engine.r[1] \\u_engine.desc[0] }\n  end\n";
  const auto m = parse_mem2reg(log, wires, ffs);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].name, "u_engine.desc");
  EXPECT_EQ(m[0].bits(), 1);
  EXPECT_EQ(m[1].name, "u_engine.r");
  EXPECT_EQ(m[1].bits(), 24);
  EXPECT_TRUE(parse_mem2reg(log, wires, "").empty());  // no flip-flops: only wires
}

TEST(SynthFlow, UtilizationFromStat) {
  const auto stat = nlohmann::json::parse(R"({"design": {"num_cells_by_type": {
      "SB_CARRY": 50, "SB_DFF": 45, "SB_DFFER": 185, "SB_DFFES": 1, "SB_LUT4": 706, "SB_MAC16": 1,
      "SB_RAM40_4K": 8, "SB_SPRAM256KA": 2}}})");
  const auto u = utilization_from_stat(stat, "ice40");
  EXPECT_EQ(u["lut"], 706);
  EXPECT_EQ(u["ff"], 231);
  EXPECT_EQ(u["ebr"], 8);
  EXPECT_EQ(u["spram"], 2);
  EXPECT_EQ(u["dsp"], 1);
  EXPECT_EQ(u["carry"], 50);
  const auto x = utilization_from_stat(nlohmann::json::parse(R"({"design": {"num_cells_by_type": {
      "LUT2": 10, "LUT6": 5, "LUT6_2": 1, "FDRE": 7, "FDCE": 3, "DSP48E1": 2, "RAMB18E1": 1, "RAMB36E1": 4,
      "RAM64M": 2, "SRL16E": 1, "CARRY4": 9, "MUXF7": 3}}})"), "xc7");
  EXPECT_EQ(x["lut"], 15);
  EXPECT_EQ(x["ff"], 10);
  EXPECT_EQ(x["dsp"], 2);
  EXPECT_EQ(x["ramb18"], 1);
  EXPECT_EQ(x["ramb36"], 4);
  EXPECT_EQ(x["lutram"], 2);
  EXPECT_EQ(x["srl"], 1);
}

TEST(SynthFlow, MultipliersByModule) {
  const auto stat = nlohmann::json::parse(R"({"modules": {
      "$paramod\\seq_pe\\Pe=32'00000000000000000000000000001000": {"num_cells_by_type": {"$mul": 8, "$add": 3}},
      "$paramod$8f2a\\xnor_lane": {"num_cells_by_type": {"$xnor": 32}},
      "\\board_top": {"num_cells_by_type": {"$mul": 1}}}})");
  const auto m = mul_cells_by_module(stat);
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(m["seq_pe"], 8);
  EXPECT_EQ(m["board_top"], 1);
  EXPECT_FALSE(m.contains("xnor_lane"));
}

TEST(SynthFlow, FmaxIsTheSlowestClock) {
  const auto rep = nlohmann::json::parse(
      R"({"fmax": {"clk_i$SB_IO_IN_$glb_clk": {"achieved": 46.9, "constraint": 24}, "b": {"achieved": 30.5, "constraint": 24}}})");
  EXPECT_DOUBLE_EQ(fmax_from_report(rep), 30.5);
  EXPECT_EQ(fmax_from_report(nlohmann::json::object()), 0);
}

TEST(SynthFlow, FirstErrorLine) {
  EXPECT_EQ(first_error("Info: x\nERROR: Unable to place cell 'a', no BELs remaining\nERROR: b\n"),
            "ERROR: Unable to place cell 'a', no BELs remaining");
  EXPECT_EQ(first_error("Info: fine\n"), "");
}

TEST(SynthFlow, DevicesAndVariantRegistry) {
  EXPECT_EQ(find_device("up5k").capacity["ebr"], 30);
  EXPECT_EQ(find_device("xc7a35t").capacity["dsp"], 90);
  EXPECT_THROW(find_device("ecp5"), InputError);
  EXPECT_THROW(load_variants("/nonexistent/rtl_variants.json"), InputError);
  const std::string path = ::testing::TempDir() + "/rtl_variants_test.json";
  {
    std::ofstream f(path);
    f << R"([{"name": "seq_qrcnn", "style": "seq", "arch": "qrcnn", "top": "seq_engine", "sources": ["/a.sv"], "params": ["Pe=8", "Simd=4"]}])";
  }
  const auto v = load_variants(path);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].style, "seq");
  EXPECT_EQ(v[0].param_int("Pe"), 8);
  EXPECT_EQ(v[0].param_int("Simd"), 4);
  EXPECT_EQ(v[0].param_int("WBits"), -1);
  {
    std::ofstream f(path);
    f << R"([{"name": "x", "style": "seq", "arch": "qrcnn", "top": "t", "sources": [], "params": ["Pe"]}])";
  }
  EXPECT_THROW(load_variants(path), InputError);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace ecg::synth
