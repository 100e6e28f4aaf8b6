// The TLM seq cycle model against the RTL loader's own count (tb/seq_program.h:
// SeqProgram::cycles_per_beat, which tb/tests/seq_engine_test.cpp checks against the Verilated
// engine cycle by cycle): TLM == RTL formula == RTL, for every seq arch's trained network
// and test network, at the configs' array shape and at other shapes; and the weight bits the
// TLM model sizes the weight buffer with == the rows the loader stores x the row width.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "ecg/error.h"
#include "ecg/hw/engine_model.h"
#include "ecg/hw/net_geometry.h"
#include "ecg/models/tlm_run.h"
#include "seq_program.h"

namespace ecg {
namespace {

struct Flavour {
  const char* arch;
  int mac_kind, wbits, abits;  // as in rtl/CMakeLists.txt's seq variants
};

TEST(RtlFormula, SeqLatencyEqualsTheRtlLoadersCount) {
  int checked = 0;
  for (const Flavour f : {Flavour{"qrcnn", 0, 4, 8}, Flavour{"bnn", 1, 8, 16},
                          Flavour{"int2kd", 0, 2, 8}, Flavour{"logq", 2, 4, 8},
                          Flavour{"dwsep", 0, 8, 8}}) {
    std::vector<std::string> models = {std::string(ECG_MODELS_TEST_DATA) + "/t_" + f.arch + ".json"};
    const std::string trained = std::string(ECG_SIM_SOURCE_DIR) + "/weights/" + f.arch + "/model.json";
    if (std::filesystem::exists(trained)) models.push_back(trained);
    for (const auto& path : models) {
      const Network net = load_network(path);
      const NetGeom g = net_geometry(net);
      for (auto [pe, simd] : {std::pair{4, 8}, std::pair{2, 4}, std::pair{8, 8}, std::pair{4, 4},
                              std::pair{2, 16}, std::pair{1, 1}}) {
        rtl::SeqHw hw;
        hw.pe = pe;
        hw.simd = simd;
        hw.mac_kind = f.mac_kind;
        hw.wbits = f.wbits;
        hw.abits = f.abits;
        hw.xnor_lanes = f.mac_kind == rtl::seq::kMacXnor ? simd * f.abits / 2 : 0;
        hw.wgt_rows = 1 << 20;
        hw.par_depth = 1 << 12;
        hw.act_depth_a = hw.act_depth_b = 1 << 15;
        std::uint64_t rtl_cycles = 0;
        std::int64_t rtl_weight_bits = 0;
        try {
          const rtl::SeqProgram prog = rtl::compile_seq(net, hw);
          rtl_cycles = prog.cycles_per_beat();
          rtl_weight_bits = std::int64_t{prog.weight_rows} * pe * std::max(hw.xnor_lanes, simd * hw.wbits);
        } catch (const InputError& e) {
          // A network the RTL variant cannot run (e.g. non-binary layers on the XNOR array)
          // has no RTL count to compare with; say so and go on.
          std::printf("no RTL count: %s\n", e.what());
          break;
        }
        EngineConfig c;
        c.style = "seq";
        c.pe = pe;
        c.simd = simd;
        c.layer_overhead = hw.num_df + 1;
        c.drain_cycles = hw.drain;
        c.xnor_lanes = hw.xnor_lanes;
        const EngineTiming t = seq_timing(g, c);
        EXPECT_EQ(static_cast<std::uint64_t>(t.latency_cycles), rtl_cycles)
            << path << " pe " << pe << " simd " << simd;
        EXPECT_EQ(t.weight_bits_needed, rtl_weight_bits) << path << " pe " << pe << " simd " << simd;
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 24);
}

}  // namespace
}  // namespace ecg
