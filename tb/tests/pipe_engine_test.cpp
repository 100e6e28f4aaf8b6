// The Verilated pipe engine (rtl/pipe/) on the dwsep networks: outputs bit-exact against the
// trained vectors and the golden interpreter, cycles per beat equal to the TLM pipe model
// (hw/src/engine_model.cpp pipe_timing), random output backpressure changes nothing but
// time, back-to-back streaming overlaps beats at the model's II and stream latency, and a
// short cosim on record 100 per Verilated shape. One SystemC bench per process.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <systemc>  // declares extern "C" sc_main
#include <unistd.h>
#include <vector>

#include "ecg/error.h"
#include "pipe_check.h"
#include "test_vectors.h"
#include "vcd_changes.h"

namespace ecg::rtl {
namespace {

const std::string kSrc = ECG_SIM_SOURCE_DIR;
const std::string kDwsep = kSrc + "/weights/dwsep/model.json";
const std::string kTiny = kSrc + "/models/tests/data/t_dwsep.json";

TestVectors load_vectors() { return load_test_vectors(kSrc + "/weights/dwsep/vectors.json"); }

std::unique_ptr<EngineBench> make_bench(const PipeSetup& s, double backpressure,
                                      const std::string& trace = "") {
  BenchOptions opt;
  opt.clock_mhz = s.clock_mhz;
  opt.backpressure = backpressure;
  opt.trace_file = trace;
  auto bench = find_variant("pipe", "dwsep", s.cfg.pe, s.cfg.simd).make(opt);
  bench->load(compile_pipe(s.net, bench->pipe_hw(), s.cfg.line_buffer_cols));
  return bench;
}

// The trained vectors, each three times (no state may carry over from one beat to the next).
void trained_vectors(const std::vector<std::string>& params, double backpressure) {
  const PipeSetup s = pipe_setup(kDwsep, params);
  const TestVectors v = load_vectors();
  ASSERT_FALSE(v.beats.empty());
  std::vector<Beat> beats;
  for (int rep = 0; rep < 3; ++rep) beats.insert(beats.end(), v.beats.begin(), v.beats.end());
  auto bench = make_bench(s, backpressure);
  // The Verilated stages are exactly as large as the network needs at this shape (the weight
  // RAM rows of every stage, generated from pipe_engine's Stage* parameters).
  const PipeHw hw = bench->pipe_hw();
  const std::vector<PipeStageHw> need = pipe_stage_hw(s.net, s.cfg.pe, s.cfg.simd, hw.lb_cols);
  ASSERT_EQ(hw.st.size(), need.size());
  for (std::size_t i = 0; i < need.size(); ++i) {
    EXPECT_EQ(hw.st[i].kind, need[i].kind) << "stage " << i;
    EXPECT_EQ(hw.st[i].cin, need[i].cin) << "stage " << i;
    EXPECT_EQ(hw.st[i].cout, need[i].cout) << "stage " << i;
    EXPECT_EQ(hw.st[i].wgt_rows, need[i].wgt_rows) << "stage " << i;
  }
  std::vector<BeatResult> out;
  bench->run(beats, out, nullptr);
  ASSERT_EQ(out.size(), beats.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::size_t k = i % v.beats.size();
    EXPECT_EQ(out[i].logits, v.logits[k]) << "beat " << i;
    EXPECT_EQ(out[i].predicted, v.classes[k]) << "beat " << i;
  }
  expect_golden(s.net, beats, out, s.tlm, backpressure == 0.0);
  EXPECT_EQ(bench->read_reg(pipe::csr_addr(pipe::kCsrBeats)), beats.size());
  ::testing::Test::RecordProperty("cycles_per_beat", std::to_string(out[0].cycles));
}

TEST(PipeEngine, DwsepTrainedVectors) { trained_vectors({}, 0.0); }
TEST(PipeEngine, DwsepTrainedVectorsBackpressure) { trained_vectors({}, 0.5); }
TEST(PipeEngine, DwsepTrainedVectorsP4S4) {
  trained_vectors({"engine.pe=4", "engine.simd=4"}, 0.0);
}
TEST(PipeEngine, DwsepTrainedVectorsP8S8) {
  trained_vectors({"engine.pe=8", "engine.simd=8"}, 0.0);
}
// The hand-made test network (same stage list, other weights) on the vectors' inputs.
TEST(PipeEngine, TinyDwsepGolden) {
  const PipeSetup s = pipe_setup(kTiny, {});
  const TestVectors v = load_vectors();
  auto bench = make_bench(s, 0.0);
  std::vector<BeatResult> out;
  bench->run(v.beats, out, nullptr);
  expect_golden(s.net, v.beats, out, s.tlm, true);
}

// Back to back: beats overlap; the start-to-start interval settles at the model's II and a
// beat's latency at the model's stream latency; the first beat takes the isolated latency.
// Outputs stay bit-exact, also with output backpressure (which only slows the stream).
void back_to_back(double backpressure, const std::vector<std::string>& params = {}) {
  const PipeSetup s = pipe_setup(kDwsep, params);
  const TestVectors v = load_vectors();
  std::vector<Beat> beats;
  for (int rep = 0; rep < 3; ++rep) beats.insert(beats.end(), v.beats.begin(), v.beats.end());
  auto bench = make_bench(s, backpressure);
  std::vector<BeatResult> out;
  bench->stream(beats, out);
  expect_golden(s.net, beats, out, s.tlm, false);
  if (backpressure > 0.0) return;
  ASSERT_GE(beats.size(), 8u);
  EXPECT_EQ(out[0].cycles, static_cast<std::uint64_t>(s.tlm.latency_cycles));
  const double period = 1.0 / (s.clock_mhz * 1e6);
  for (std::size_t i = 6; i < out.size(); ++i) {
    const auto ii = static_cast<std::int64_t>((out[i].start_s - out[i - 1].start_s) / period + 0.5);
    EXPECT_EQ(ii, s.tlm.ii_cycles) << "beat " << i;
    EXPECT_EQ(out[i].cycles, static_cast<std::uint64_t>(s.tlm.stream_latency_cycles)) << "beat " << i;
  }
  EXPECT_LT(s.tlm.ii_cycles, s.tlm.latency_cycles);  // beats really overlap
  ::testing::Test::RecordProperty("ii_cycles", std::to_string(s.tlm.ii_cycles));
}

TEST(PipeEngine, BackToBackInitiationInterval) { back_to_back(0.0); }
TEST(PipeEngine, BackToBackBackpressure) { back_to_back(0.6); }
// A line buffer wider than the kernels (8 columns in every conv/pool stage): the input runs
// further ahead and a streamed beat waits longer in the stages; the RTL takes exactly the
// model's cycles.
TEST(PipeEngine, BackToBackLineBuffer8) {
  const PipeSetup k = pipe_setup(kDwsep, {});
  const PipeSetup wide = pipe_setup(kDwsep, {"engine.line_buffer_cols=8"});
  EXPECT_NE(k.tlm.stream_latency_cycles, wide.tlm.stream_latency_cycles);
  back_to_back(0.0, {"engine.line_buffer_cols=8"});
}

// Short cosim (CI): the first beats of record 100, golden outputs and model cycles, per shape.
void short_cosim(const std::vector<std::string>& params) {
  const PipeSetup s = pipe_setup(kDwsep, params);
  const std::vector<Beat> beats = record100(s.net, 30);
  ASSERT_EQ(beats.size(), 30u);
  auto bench = make_bench(s, 0.0);
  std::vector<BeatResult> out;
  bench->run(beats, out, nullptr);
  expect_golden(s.net, beats, out, s.tlm, true);
}

TEST(PipeCosim, DwsepRecord100) { short_cosim({}); }
TEST(PipeCosim, DwsepRecord100P4S4) { short_cosim({"engine.pe=4", "engine.simd=4"}); }
TEST(PipeCosim, DwsepRecord100P8S8) { short_cosim({"engine.pe=8", "engine.simd=8"}); }

// A network the engine cannot run is a clean InputError; the stage hardware of dwsep at
// pe = simd = 1 holds exactly its 11 552 weight bytes.
TEST(PipeProgram, RejectsOtherNetworks) {
  const Network d = load_network(kDwsep);
  PipeHw hw;
  hw.st = pipe_stage_hw(d, 1, 1);
  std::size_t bytes = 0;
  for (const PipeStageHw& st : hw.st)
    if (st.kind != pipe::kKindPool) bytes += static_cast<std::size_t>(st.wgt_rows);
  EXPECT_EQ(bytes, 11552u);
  EXPECT_EQ(hw.st[11].wgt_rows, 32 * (8 * 32 + 4));  // fc1: 8 columns x 32 channels + 4 aux
  EXPECT_NO_THROW(compile_pipe(d, hw, 8));
  EXPECT_THROW(compile_pipe(d, hw, 9), InputError);  // line_buffer_cols beyond the ring
  const Network q = load_network(kSrc + "/weights/qrcnn/model.json");
  EXPECT_THROW(compile_pipe(q, hw), InputError);
  PipeHw small = hw;
  small.st[11].wgt_rows -= 1;  // fc1 needs every row
  EXPECT_THROW(compile_pipe(d, small), InputError);
  PipeHw other = hw;
  other.st[2].kind = pipe::kKindMac;  // dw1 on a conv/dense stage
  EXPECT_THROW(compile_pipe(d, other), InputError);
}

// --trace: the waveform shows the stream handshakes and the stages at work.
TEST(PipeEngine, TraceShowsHandshakesAndStages) {
  const PipeSetup s = pipe_setup(kDwsep, {});
  const TestVectors v = load_vectors();
  const auto vcd = std::filesystem::temp_directory_path() /
                   ("ecg_sim_pipe_trace_" + std::to_string(::getpid()) + ".vcd");
  auto bench = make_bench(s, 0.0, vcd.string());
  std::vector<Beat> beats(v.beats.begin(), v.beats.begin() + 3);
  std::vector<BeatResult> out;
  bench->run(beats, out, nullptr);
  bench->close_trace();
  const auto changes = vcd_changes(vcd.string());
  ASSERT_TRUE(changes.count("in_valid_i"));
  EXPECT_GE(changes.at("in_valid_i"), 2 * static_cast<int>(beats.size()));
  EXPECT_GE(changes.at("out_valid_o"), 2 * static_cast<int>(beats.size()));
  ASSERT_TRUE(changes.count("col_valid"));
  EXPECT_GE(changes.at("col_valid"), 100);
  EXPECT_EQ(out[0].logits, v.logits[0]);
  if (!std::getenv("ECG_KEEP_VCD")) std::filesystem::remove(vcd);
}

}  // namespace
}  // namespace ecg::rtl

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
