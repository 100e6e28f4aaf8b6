// Short co-simulation per arch (CI): the first beats of record 100 through the Verilated seq
// engine of the arch's default config (configs/<arch>.toml), compared beat by beat with the
// golden interpreter (logits, class) and with the TLM engine model's cycles per beat.
// The full-record runs are `ecg_sim --arch X --mode cosim` (docs/rtl.md).
#include <gtest/gtest.h>

#include <string>
#include <systemc>  // declares extern "C" sc_main
#include <vector>

#include "ecg/beats.h"
#include "ecg/infer.h"
#include "ecg/hw/net_geometry.h"
#include "ecg/models/tlm_run.h"
#include "ecg/qnet.h"
#include "engine_bench.h"
#include "seq_program.h"

namespace ecg::rtl {
namespace {

constexpr std::size_t kBeats = 40;

void short_cosim(const std::string& arch, const std::vector<std::string>& params = {}) {
  const Network net = load_network(std::string(ECG_SIM_SOURCE_DIR) + "/weights/" + arch + "/model.json");
  std::vector<Beat> beats = load_beats(ECG_TEST_DATA, {"100"}, net.input, 1);
  ASSERT_GE(beats.size(), kBeats);
  beats.resize(kBeats);

  const NetGeom geom = net_geometry(net);
  TlmOptions topt;
  topt.params = params;
  const ParamSet ps = make_platform_params(net, geom, topt);
  const EngineConfig cfg = engine_config(ps, geom);
  const EngineTiming tlm = engine_timing(geom, cfg);

  BenchOptions opt;
  opt.clock_mhz = ps.get(platform_param::kClockMhz);
  auto bench = find_variant("seq", arch, cfg.pe, cfg.simd).make(opt);
  const SeqProgram prog = compile_seq(net, bench->seq_hw());
  bench->load(prog);
  std::vector<BeatResult> out;
  bench->run(beats, out, nullptr);

  Interpreter golden(net);
  std::vector<std::int32_t> logits;
  for (std::size_t i = 0; i < beats.size(); ++i) {
    const int cls = golden.run(beats[i], logits);
    EXPECT_EQ(out[i].logits, logits) << arch << " beat " << i;
    EXPECT_EQ(out[i].predicted, cls) << arch << " beat " << i;
    EXPECT_EQ(out[i].cycles, static_cast<std::uint64_t>(tlm.latency_cycles)) << arch << " beat " << i;
  }
}

TEST(SeqCosim, Qrcnn) { short_cosim("qrcnn"); }
TEST(SeqCosim, Bnn) { short_cosim("bnn"); }
TEST(SeqCosim, Int2kd) { short_cosim("int2kd"); }
TEST(SeqCosim, Logq) { short_cosim("logq"); }
TEST(SeqCosim, Dwsep) { short_cosim("dwsep"); }  // its default: the seq engine, depthwise as OpDw passes
// The other Verilated shape of each MAC flavour (rtl/CMakeLists.txt).
TEST(SeqCosim, QrcnnP4S8) { short_cosim("qrcnn", {"engine.pe=4", "engine.simd=8"}); }
TEST(SeqCosim, BnnP4S8) {
  short_cosim("bnn", {"engine.pe=4", "engine.simd=8", "engine.xnor_lanes=64"});
}
TEST(SeqCosim, Int2kdP4S8) { short_cosim("int2kd", {"engine.pe=4", "engine.simd=8"}); }
TEST(SeqCosim, LogqP4S8) { short_cosim("logq", {"engine.pe=4", "engine.simd=8"}); }
}  // namespace
}  // namespace ecg::rtl

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
