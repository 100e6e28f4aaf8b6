// The SystemC platform on a few hundred real beats (one platform per test process).
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "ecg/beats.h"
#include "ecg/error.h"
#include "ecg/infer.h"
#include "ecg/models/tlm_run.h"

namespace ecg {
namespace {

std::string net_path(const std::string& arch) { return std::string(ECG_MODELS_TEST_DATA) + "/t_" + arch + ".json"; }
std::string config_path(const std::string& arch) {
  return std::string(ECG_SIM_SOURCE_DIR) + "/configs/" + arch + ".toml";
}

std::vector<Beat> some_beats(const Network& net, const std::string& record, std::size_t n) {
  std::vector<Beat> b = load_beats(ECG_TEST_MITDB, {record}, net.input, 1);
  if (b.size() > n) b.resize(n);
  return b;
}

void expect_equal_to_golden(const Network& net, const std::vector<Beat>& beats, const TlmRun& run) {
  Interpreter interp(net);
  std::vector<std::int32_t> logits;
  for (std::size_t i = 0; i < beats.size(); ++i) {
    const int cls = interp.run(beats[i], logits);
    ASSERT_EQ(run.result.trace[i].cls, cls) << "beat " << i;
    ASSERT_EQ(run.result.trace[i].logits, logits) << "beat " << i;
  }
}

TEST(Platform, SeqBackToBackMatchesGoldenAndFormulas) {
  const Network net = load_network(net_path("qrcnn"));
  const std::vector<Beat> beats = some_beats(net, "100", 300);
  TlmOptions opt;
  opt.config_file = config_path("qrcnn");
  opt.params = {"source.pace=back_to_back", "engine.pe=4", "clock_mhz=100"};
  TlmRun run;
  run_tlm(net, beats, opt, run);
  expect_equal_to_golden(net, beats, run);
  const PlatformResult& r = run.result;
  // Engine latency per beat = the model's formula.
  EXPECT_EQ(r.engine_cycles.min, static_cast<double>(r.timing.latency_cycles));
  EXPECT_EQ(r.engine_cycles.max, static_cast<double>(r.timing.latency_cycles));
  // seq: one input buffer, so the engine is the bottleneck and II = engine latency.
  EXPECT_EQ(r.timing.ii_cycles, r.timing.latency_cycles);
  EXPECT_DOUBLE_EQ(r.ii_cycles, static_cast<double>(r.timing.latency_cycles));
  EXPECT_NEAR(r.ii_measured_cycles, r.ii_cycles, 1e-6);
  EXPECT_NEAR(r.throughput_fps, 100e6 / r.ii_cycles, 1e-6);
  // Service latency by hand (docs/timing.md): 128 UINT8 samples + 4 aux = 132 bytes in
  // 64-byte bursts over a 32-bit bus (latency 2) into a 1-cycle SRAM: (2+16+1)*2 + (2+1+1)
  // = 42; START 2+1+1 = 4; engine; RESULT read 2+1+1 = 4.
  EXPECT_EQ(r.latency_cycles.min, static_cast<double>(42 + 4 + r.timing.latency_cycles + 4));
  EXPECT_EQ(r.latency_cycles.max, r.latency_cycles.min);
  EXPECT_EQ(r.dma_path_cycles, 42u + 4u + 132u);
  // Stats: one engine beat per beat, activity = per-beat model x beats.
  EXPECT_EQ(run.stats.value("engine.beats"), beats.size());
  EXPECT_EQ(run.stats.value("engine.mac.a8w4"), r.timing.activity.at("engine.mac.a8w4") * beats.size());
  EXPECT_EQ(run.stats.value("engine.cycles.busy") + run.stats.value("engine.cycles.idle"), r.simulated_cycles);
  // The weight image went over the bus into the weight memory: 32-bit writes.
  EXPECT_EQ(run.stats.value("mem.weight.write.32b"), static_cast<std::uint64_t>((run.config.geom.weight_storage_bytes + 3) / 4));
  // The input buffer: 128 UINT8 samples + 4 aux bytes per beat, 32-bit port.
  EXPECT_EQ(run.stats.value("mem.input.write.32b"), beats.size() * 33);
}

TEST(Platform, QuantumAndBusParametersEnterTheFormula) {
  const Network net = load_network(net_path("qrcnn"));
  const std::vector<Beat> beats = some_beats(net, "100", 50);
  TlmOptions opt;
  opt.config_file = config_path("qrcnn");
  // A 1-cycle quantum syncs after every transaction: same timing. A 64-bit bus with
  // latency 5 and 32-byte bursts: 132 bytes = 4 full bursts + 4 bytes:
  // 4*(5+4+1) + (5+1+1) = 47; START 5+1+1 = 7; RESULT 5+1+1 = 7.
  opt.params = {"source.pace=back_to_back", "sim.quantum_cycles=1", "bus.width_bits=64",
                "bus.latency_cycles=5", "dma.burst_bytes=32"};
  TlmRun run;
  run_tlm(net, beats, opt, run);
  const PlatformResult& r = run.result;
  EXPECT_EQ(r.latency_cycles.min, static_cast<double>(47 + 7 + r.timing.latency_cycles + 7));
  EXPECT_EQ(r.dma_path_cycles, 47u + 7u + 132u);
  EXPECT_NEAR(r.ii_measured_cycles, static_cast<double>(r.timing.latency_cycles), 1e-6);
  EXPECT_EQ(run.stats.value("bus.transactions"), 50u * (5 + 1 + 1) + (run.config.geom.weight_storage_bytes + 31) / 32);
}

TEST(Platform, PipeOverlapsBeatsAndMatchesGolden) {
  const Network net = load_network(net_path("dwsep"));
  const std::vector<Beat> beats = some_beats(net, "119", 300);
  TlmOptions opt;
  opt.config_file = config_path("dwsep_pipe");
  opt.params = {"source.pace=back_to_back"};
  TlmRun run;
  run_tlm(net, beats, opt, run);
  expect_equal_to_golden(net, beats, run);
  const PlatformResult& r = run.result;
  EXPECT_LT(r.timing.ii_cycles, r.timing.latency_cycles);  // beats overlap in the pipeline
  EXPECT_DOUBLE_EQ(r.ii_cycles, static_cast<double>(std::max<std::int64_t>(
                                    r.timing.ii_cycles, static_cast<std::int64_t>(r.dma_path_cycles))));
  EXPECT_NEAR(r.ii_measured_cycles, r.ii_cycles, 1e-6);
}

TEST(Platform, PipeEngineBoundWhenStagesAreSlow) {
  const Network net = load_network(net_path("dwsep"));
  const std::vector<Beat> beats = some_beats(net, "100", 100);
  TlmOptions opt;
  opt.config_file = config_path("dwsep_pipe");
  opt.params = {"source.pace=back_to_back", "engine.pe=1", "engine.simd=1"};
  TlmRun run;
  run_tlm(net, beats, opt, run);
  const PlatformResult& r = run.result;
  EXPECT_GT(static_cast<std::uint64_t>(r.timing.ii_cycles), r.dma_path_cycles);
  EXPECT_NEAR(r.ii_measured_cycles, static_cast<double>(r.timing.ii_cycles), 1e-6);
}

TEST(Platform, RealtimePacingAndDeadlineMisses) {
  const Network net = load_network(net_path("int2kd"));
  const std::vector<Beat> beats = some_beats(net, "100", 200);
  TlmOptions opt;
  opt.config_file = config_path("int2kd");
  opt.realtime = true;
  // 200 Hz clock: a beat (hundreds of cycles) takes longer than the ~0.8 s between beats.
  opt.params = {"clock_mhz=0.0002"};
  TlmRun run;
  run_tlm(net, beats, opt, run);
  expect_equal_to_golden(net, beats, run);
  const PlatformResult& r = run.result;
  EXPECT_GT(r.latency_cycles.min / 200.0, 0.8);
  EXPECT_GT(r.deadline_misses, beats.size() / 2);
  // Paced: every beat enters at its recording time.
  for (std::size_t i = 0; i < beats.size(); ++i)
    ASSERT_NEAR(r.trace[i].t_avail.to_seconds(), beats[i].available_s, 1e-9);
}

TEST(Platform, RealtimeAtNominalClockMissesNothing) {
  const Network net = load_network(net_path("bnn"));
  const std::vector<Beat> beats = some_beats(net, "208", 400);
  TlmOptions opt;
  opt.config_file = config_path("bnn");
  opt.realtime = true;
  TlmRun run;
  run_tlm(net, beats, opt, run);
  expect_equal_to_golden(net, beats, run);
  EXPECT_EQ(run.result.deadline_misses, 0u);
  // Paced: latency is the unloaded latency, the same for every beat.
  EXPECT_NEAR(run.result.latency_cycles.min, run.result.latency_cycles.max, 1e-6);
}

TEST(Platform, WeightMemoryHoldsThePackedWeights) {
  const Network net = load_network(net_path("logq"));
  std::vector<Beat> beats = load_beats(ECG_TEST_MITDB, {"201"}, net.input, 1);
  ASSERT_GE(beats.size(), 10u);
  beats.resize(10);
  TlmOptions opt;
  opt.config_file = config_path("logq");
  TlmRun run;
  run_tlm(net, beats, opt, run);
  expect_equal_to_golden(net, beats, run);
  EXPECT_EQ(run.stats.value("dma.bytes"),
            net.weight_storage_bytes() + 10 * (256 + 4));  // weights + 256 UINT8 samples + START per window
  EXPECT_GT(run.result.boot_cycles, 0u);
  // pow2 codes: every non-zero weight has a non-zero code.
  const auto img = weight_image(net);
  EXPECT_EQ(img.size(), net.weight_storage_bytes());
}

TEST(Platform, UnknownEngineKindIsAnInputError) {
  const Network net = load_network(net_path("qrcnn"));
  const std::vector<Beat> beats = some_beats(net, "100", 2);
  TlmOptions opt;
  opt.config_file = config_path("qrcnn");
  opt.engine_kind = "nope";
  TlmRun run;
  try {
    run_tlm(net, beats, opt, run);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos);
  }
}

}  // namespace
}  // namespace ecg
