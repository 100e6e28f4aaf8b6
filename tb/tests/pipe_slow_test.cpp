// Full-record cosim of the Verilated pipe engine (ctest label `slow`): every beat of record
// 100 through the default dwsep variant, one beat at a time as the TLM-to-pins bridge runs
// them: outputs equal the golden interpreter's, cycles equal the TLM pipe model's latency.
#include <gtest/gtest.h>

#include <systemc>  // declares extern "C" sc_main

#include "pipe_check.h"

namespace ecg::rtl {
namespace {

TEST(PipeCosimSlow, DwsepFullRecord100) {
  const PipeSetup s = pipe_setup(std::string(ECG_SIM_SOURCE_DIR) + "/weights/dwsep/model.json", {});
  const std::vector<Beat> beats = record100(s.net, 0);
  ASSERT_GT(beats.size(), 2000u);
  BenchOptions opt;
  opt.clock_mhz = s.clock_mhz;
  auto bench = find_variant("pipe", "dwsep", s.cfg.pe, s.cfg.simd).make(opt);
  bench->load(compile_pipe(s.net, bench->pipe_hw(), s.cfg.line_buffer_cols));
  std::vector<BeatResult> out;
  bench->run(beats, out, nullptr);
  expect_golden(s.net, beats, out, s.tlm, true);
}

}  // namespace
}  // namespace ecg::rtl

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
