// Slow (label `slow`): for every weights/<arch>/ and weights/aami/<arch>/ whose manifest.json records the PyTorch
// integer simulation's DS2 confusion matrix (inter.int.confusion), the golden model over all
// DS2 beats, fed by the C++ data path, must give exactly that matrix.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ecg/beats.h"
#include "ecg/data.h"
#include "ecg/infer.h"
#include "ecg/metrics.h"
#include "ecg/qnet.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// weights/<arch>/ (each paper's task) and weights/aami/<arch>/ (the AAMI-5 inter-patient task).
std::vector<std::string> archs() {
  std::vector<std::string> out;
  const fs::path root = fs::path(ECG_SIM_SOURCE_DIR) / "weights";
  for (const std::string sub : {"", "aami"}) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root / sub, ec))
      if (fs::exists(e.path() / "model.json")) out.push_back((fs::path(sub) / e.path().filename()).string());
  }
  std::sort(out.begin(), out.end());
  if (out.empty()) out.push_back("(none)");
  return out;
}

class Ds2 : public ::testing::TestWithParam<std::string> {};

TEST_P(Ds2, ConfusionEqualsIntegerSimulation) {
  const std::string arch = GetParam();
  if (arch == "(none)") GTEST_SKIP() << "no weights/<arch>/model.json yet";
  const fs::path dir = fs::path(ECG_SIM_SOURCE_DIR) / "weights" / arch;
  std::ifstream in(dir / "manifest.json");
  if (!in) GTEST_SKIP() << arch << ": no manifest.json";
  std::stringstream ss;
  ss << in.rdbuf();
  const json manifest = json::parse(ss.str());
  const json expected = manifest.value("/inter/int/confusion"_json_pointer, json());
  if (expected.is_null() || manifest.value("/inter/split/test"_json_pointer, std::string()) != "DS2")
    GTEST_SKIP() << arch << ": manifest has no inter.int.confusion on DS2";
  const std::string data = ECG_TEST_DATA;
  if (!fs::exists(data + "/100.hea"))
    GTEST_FAIL() << "no MIT-BIH data in " << data << ": run scripts/download_mitdb.sh or set $ECG_SIM_DATA, then rerun";

  const ecg::Network net = ecg::load_network((dir / "model.json").string());
  const auto beats = ecg::load_beats(data, ecg::resolve_records("ds2", data), net.input, 0);
  std::vector<int> pred, ref;
  std::vector<std::vector<std::int32_t>> logits;
  const auto t0 = std::chrono::steady_clock::now();
  ecg::classify_beats(net, beats, pred, logits, 1);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const auto& b : beats) ref.push_back(b.label);
  const ecg::Metrics m = ecg::compute_metrics(net.classes, ref, pred);
  EXPECT_EQ(json(m.confusion), expected) << arch;
  RecordProperty("golden_ds2_seconds", std::to_string(s));
  std::printf("%s: %zu DS2 beats, accuracy %.4f, golden %.2f s on 1 thread (%.0f beats/s)\n", arch.c_str(),
              beats.size(), m.accuracy, s, static_cast<double>(beats.size()) / s);
}

INSTANTIATE_TEST_SUITE_P(Weights, Ds2, ::testing::ValuesIn(archs()));

}  // namespace
