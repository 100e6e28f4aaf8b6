// TLM outputs == golden outputs on every beat of three full MIT-BIH records, per arch:
// the hand-made test networks always, the trained weights/<arch> when they exist. Slow.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "ecg/beats.h"
#include "ecg/infer.h"
#include "ecg/models/tlm_run.h"

namespace ecg {
namespace {

void check_three_records(const std::string& model, const std::string& arch) {
  const Network net = load_network(model);
  // AF records for the rhythm (AF) task, else the first three MIT-BIH records with V beats.
  const std::vector<std::string> records =
      net.input.labels == "afib2" ? std::vector<std::string>{"201", "203", "210"}
                                  : std::vector<std::string>{"100", "119", "208"};
  const std::vector<Beat> beats = load_beats(ECG_TEST_MITDB, records, net.input, 2);
  ASSERT_GT(beats.size(), 50u);
  TlmOptions opt;
  opt.config_file = std::string(ECG_SIM_SOURCE_DIR) + "/configs/" + arch + ".toml";
  opt.params = {"source.pace=back_to_back"};
  TlmRun run;
  run_tlm(net, beats, opt, run);
  Interpreter interp(net);
  std::vector<std::int32_t> logits;
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < beats.size(); ++i) {
    const int cls = interp.run(beats[i], logits);
    if (run.result.trace[i].cls != cls || run.result.trace[i].logits != logits) ++mismatches;
    EXPECT_EQ(run.result.trace[i].engine_cycles, static_cast<std::uint64_t>(run.result.timing.latency_cycles));
  }
  EXPECT_EQ(mismatches, 0u) << "of " << beats.size() << " beats";
  std::printf("%s: %zu beats of %s, %s, %s identical to golden\n", arch.c_str(), beats.size(),
              records[0].c_str(), records[1].c_str(), records[2].c_str());
}

class Equivalence : public testing::TestWithParam<std::string> {};

TEST_P(Equivalence, TestNetworkThreeRecords) {
  check_three_records(std::string(ECG_MODELS_TEST_DATA) + "/t_" + GetParam() + ".json", GetParam());
}

TEST_P(Equivalence, TrainedWeightsThreeRecords) {
  const std::string model = std::string(ECG_SIM_SOURCE_DIR) + "/weights/" + GetParam() + "/model.json";
  if (!std::filesystem::exists(model)) GTEST_SKIP() << model << " not trained yet";
  check_three_records(model, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Arch, Equivalence, testing::Values("qrcnn", "bnn", "int2kd", "logq", "dwsep"));

}  // namespace
}  // namespace ecg
