// Metrics (hand-counted example), the report's conformance to schema/report.schema.json, atomic JSON writing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "ecg/error.h"
#include "ecg/metrics.h"
#include "ecg/qnet.h"
#include "ecg/report.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::vector<std::string> kNSV = {"N", "S", "V"};
// reference / predicted; confusion rows N [2 1 0], S [1 1 0], V [1 0 3]
const std::vector<int> kRef = {0, 0, 0, 1, 1, 2, 2, 2, 2};
const std::vector<int> kPred = {0, 0, 1, 1, 0, 2, 2, 0, 2};

TEST(Metrics, HandCountedExample) {
  const ecg::Metrics m = ecg::compute_metrics(kNSV, kRef, kPred);
  EXPECT_EQ(m.confusion, (std::vector<std::vector<long>>{{2, 1, 0}, {1, 1, 0}, {1, 0, 3}}));
  EXPECT_EQ(m.beats, 9);
  EXPECT_DOUBLE_EQ(m.accuracy, 6.0 / 9.0);
  EXPECT_DOUBLE_EQ(m.per_class[0].se, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.per_class[0].ppv, 2.0 / 4.0);
  EXPECT_DOUBLE_EQ(m.per_class[0].f1, 4.0 / 7.0);
  EXPECT_DOUBLE_EQ(m.per_class[1].se, 0.5);
  EXPECT_DOUBLE_EQ(m.per_class[1].ppv, 0.5);
  EXPECT_DOUBLE_EQ(m.per_class[2].se, 0.75);
  EXPECT_DOUBLE_EQ(m.per_class[2].ppv, 1.0);
  EXPECT_DOUBLE_EQ(m.per_class[2].f1, 6.0 / 7.0);
  const std::string table = ecg::format_metrics_table(m);
  EXPECT_NE(table.find("accuracy  66.67%"), std::string::npos) << table;
  EXPECT_NE(table.find("V             4   75.00  100.00   85.71"), std::string::npos) << table;
}

TEST(Metrics, UndefinedRatiosAreNaNAndListedInJson) {
  // No S reference beats and none predicted: Se, +P, F1 of S are undefined.
  const ecg::Metrics m = ecg::compute_metrics(kNSV, {0, 2}, {0, 0});
  EXPECT_TRUE(std::isnan(m.per_class[1].se));
  EXPECT_TRUE(std::isnan(m.per_class[1].ppv));
  EXPECT_TRUE(std::isnan(m.per_class[2].ppv));  // V never predicted
  EXPECT_EQ(m.per_class[2].se, 0.0);
  const ecg::Network net = ecg::load_network(std::string(ECG_GOLDEN_TEST_DATA) + "/tiny_mixed/model.json");
  const json r = ecg::make_report(net, "golden", {"100"}, "", m);
  EXPECT_EQ(r["per_class"]["S"]["se"], 0.0);
  EXPECT_EQ(r["per_class"]["S"]["undefined"], json({"se", "ppv", "f1"}));
  EXPECT_EQ(r["per_class"]["V"]["undefined"], json({"ppv"}));
  EXPECT_FALSE(r["per_class"]["N"].contains("undefined"));
  EXPECT_FALSE(r.contains("split"));
}

TEST(Metrics, RejectsOutOfRangeClasses) {
  EXPECT_THROW(ecg::compute_metrics(kNSV, {0, 3}, {0, 0}), std::invalid_argument);
  EXPECT_THROW(ecg::compute_metrics(kNSV, {0}, {0, 0}), std::invalid_argument);
}

// The project's own report format (schema/report.schema.json, part of the repository: never skipped).
json report_schema() {
  const std::string path = std::string(ECG_SIM_SOURCE_DIR) + "/schema/report.schema.json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open (it is part of the repository)");
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

TEST(Report, GoldenReportConformsExceptUnknownHardwareTiming) {
  const json schema = report_schema();
  ecg::Network net = ecg::load_network(std::string(ECG_GOLDEN_TEST_DATA) + "/tiny_mixed/model.json");
  net.arch = "qrcnn";  // the schema's enum of arch keys
  json r = ecg::make_report(net, "golden", {"100", "101"}, "", ecg::compute_metrics({"N", "L", "R", "V"}, {0, 1, 3}, {0, 1, 1}));
  ecg::set_sim_timing(r, 0.5, 3);
  EXPECT_EQ(r["sim"]["beats_per_s"], 6.0);
  EXPECT_EQ(r["hardware"]["weight_storage_bytes"], net.weight_storage_bytes());
  EXPECT_EQ(r["hardware"]["ops_per_beat"], net.ops_per_beat());
  EXPECT_EQ(r["per_class"]["V"]["se"], 0.0);
  // The golden model has no clock: those four required numbers are null (documented).
  EXPECT_EQ(ecg::schema_problems(r, schema),
            (std::vector<std::string>{"hardware.clock_mhz: null, expected \"number\"",
                                      "hardware.latency_cycles: null, expected \"object\"",
                                      "hardware.latency_us: null, expected \"object\"",
                                      "hardware.throughput_fps: null, expected \"number\""}));
  // A timed backend fills them, and the report conforms.
  ecg::set_latency(r, {100, 300, 200}, 50.0);
  r["hardware"]["throughput_fps"] = 50e6 / 300;
  EXPECT_TRUE(ecg::schema_problems(r, schema).empty());
  EXPECT_EQ(r["hardware"]["latency_cycles"]["mean"], 200.0);
  EXPECT_EQ(r["hardware"]["latency_us"]["max"], 6.0);
  // and the validator does catch defects
  r["mode"] = "fast";
  r.erase("beats");
  r["per_class"]["N"].erase("ppv");
  EXPECT_EQ(ecg::schema_problems(r, schema).size(), 3u);
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ecg_golden_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(TempDir, BadPathsAreClearErrors) {
  auto msg = [](const std::string& p) {
    try {
      ecg::check_output_path(p, "--json");
    } catch (const ecg::InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(msg((dir_ / "no/such/r.json").string()),
            "--json " + (dir_ / "no/such/r.json").string() + ": directory " + (dir_ / "no/such").string() + " does not exist");
  EXPECT_EQ(msg(dir_.string()), "--json " + dir_.string() + ": is a directory");
  EXPECT_EQ(msg(""), "--json: empty file name");
  EXPECT_EQ(msg((dir_ / "ok.json").string()), "");
  if (::geteuid() != 0) {  // root ignores permissions
    fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec);
    EXPECT_NE(msg((dir_ / "r.json").string()).find("is not writable"), std::string::npos);
    fs::permissions(dir_, fs::perms::owner_all);
  }
}

}  // namespace
