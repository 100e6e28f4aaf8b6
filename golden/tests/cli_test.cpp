// `ecg_sim --arch X --mode golden ...` end to end: bad weight files and flags exit 2 with one
// line naming the file/flag; a real run's report agrees with the interpreter run directly.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "ecg/beats.h"
#include "ecg/infer.h"
#include "ecg/metrics.h"
#include "ecg/qnet.h"
#include "ecg/report.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kData = ECG_GOLDEN_TEST_DATA;

struct Result {
  int rc = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("ecg_golden_cli_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(m_dir / "weights");
  }
  void TearDown() override { fs::remove_all(m_dir); }

  Result run(const std::string& args) {
    const std::string cmd = std::string(ECG_SIM_EXE) + " " + args + " >" + (m_dir / "out.txt").string() + " 2>" +
                            (m_dir / "err.txt").string();
    const int status = std::system(cmd.c_str());
    Result r;
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(m_dir / "out.txt");
    r.err = slurp(m_dir / "err.txt");
    return r;
  }

  // weights/<arch>/model.json = tiny_mixed after `mutate`
  void write_model(const std::string& arch, const std::function<void(json&)>& mutate) {
    json m = json::parse(slurp(kData + "/tiny_mixed/model.json"));
    mutate(m);
    fs::create_directories(m_dir / "weights" / arch);
    std::ofstream(m_dir / "weights" / arch / "model.json") << m.dump();
  }

  std::string weights() const { return "--weights " + (m_dir / "weights").string(); }

  void expect_exit2(const Result& r, const std::string& substring) {
    EXPECT_EQ(r.rc, 2) << r.err;
    EXPECT_NE(r.err.find(substring), std::string::npos) << "stderr: " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line expected: " << r.err;
  }

  fs::path m_dir;
};

TEST_F(Cli, MissingWeightFile) {
  fs::create_directories(m_dir / "weights" / "qrcnn");  // folder without model.json
  expect_exit2(run("--arch qrcnn " + weights()), "--arch qrcnn: no " + (m_dir / "weights/qrcnn/model.json").string());
}

TEST_F(Cli, WrongShape) {
  write_model("qrcnn", [](json& m) { m["tensors"]["w2"]["shape"] = {4, 5}; });
  expect_exit2(run("--arch qrcnn " + weights()),
               (m_dir / "weights/qrcnn/model.json").string() + ": tensors.w2.data: has 24 values, shape [4,5] needs 20");
}

TEST_F(Cli, LayerShapeMismatch) {
  write_model("qrcnn", [](json& m) { m["tensors"]["w2"]["shape"] = {3, 8}; });
  expect_exit2(run("--arch qrcnn " + weights()), "layers[5].weight: tensor 'w2' shape [3,8] expects 8 inputs, the layer gets 6");
}

TEST_F(Cli, OutOfRangeValue) {
  write_model("qrcnn", [](json& m) { m["tensors"]["w0"]["data"][3] = -9; });
  expect_exit2(run("--arch qrcnn " + weights()),
               "model.json: tensors.w0.data[3]: value -9 outside 4-bit signed range [-8, 7]");
}

TEST_F(Cli, NotJson) {
  fs::create_directories(m_dir / "weights" / "bnn");
  std::ofstream(m_dir / "weights" / "bnn" / "model.json") << "{\"format\": \"ecg_sim.qnet/1\", ";
  expect_exit2(run("--arch bnn " + weights()), "bnn/model.json: not valid JSON");
}

TEST_F(Cli, BadJsonPathFailsBeforeRunning) {
  write_model("qrcnn", [](json&) {});
  const std::string bad = (m_dir / "missing" / "r.json").string();
  expect_exit2(run("--arch qrcnn " + weights() + " --json " + bad), "--json " + bad + ": directory");
  EXPECT_FALSE(fs::exists(bad));
}

TEST_F(Cli, UnavailableAndUnknownModes) {
  write_model("qrcnn", [](json&) {});
  const Result r = run("--arch qrcnn " + weights() + " --mode rtl");
  // rtl is a valid mode name; a build without it says so (a build with it gets further).
  if (r.err.find("not available") != std::string::npos) expect_exit2(r, "--mode rtl: not available in this build");
  expect_exit2(run("--arch qrcnn " + weights() + " --mode fast"), "--mode: fast not in");
}

TEST_F(Cli, SplitAndRecordsExclusive) {
  write_model("qrcnn", [](json&) {});
  expect_exit2(run("--arch qrcnn " + weights() + " --split ds2 --records 100"), "excludes");
}

// A real run on MIT-BIH: report keys, and the numbers equal a direct interpreter run.
TEST_F(Cli, GoldenRunReportMatchesInterpreter) {
  const std::string mitdb = ECG_TEST_DATA;
  if (!fs::exists(mitdb + "/100.hea"))
    GTEST_FAIL() << "no MIT-BIH data in " << mitdb << ": run scripts/download_mitdb.sh or set $ECG_SIM_DATA, then rerun";
  write_model("qrcnn", [](json& m) { m["arch"] = "qrcnn"; });
  const std::string report = (m_dir / "r.json").string();
  const Result r = run("--arch qrcnn --mode golden " + weights() + " --data " + mitdb + " --records 100,105 -j 2 --json " + report);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << "no progress bar when stderr is not a terminal: " << r.err;
  EXPECT_NE(r.out.find("confusion (rows = reference"), std::string::npos) << r.out;
  const json j = json::parse(slurp(report));
  for (const char* k : {"arch", "mode", "records", "classes", "beats", "accuracy", "confusion", "per_class", "hardware", "sim"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["mode"], "golden");
  EXPECT_EQ(j["records"], json({"100", "105"}));
  EXPECT_FALSE(j.contains("split"));
  EXPECT_GT(j["sim"]["beats_per_s"].get<double>(), 0);
  for (const auto& e : fs::directory_iterator(m_dir)) EXPECT_EQ(e.path().string().find(".tmp"), std::string::npos);

  const ecg::Network net = ecg::load_network((m_dir / "weights/qrcnn/model.json").string());
  const auto beats = ecg::load_beats(mitdb, {"100", "105"}, net.input, 1);
  ecg::Interpreter interp(net, ecg::Interpreter::Options{false});
  std::vector<int> ref, pred;
  std::vector<std::int32_t> logits;
  for (const auto& b : beats) {
    ref.push_back(b.label);
    pred.push_back(interp.run(b, logits));
  }
  const ecg::Metrics m = ecg::compute_metrics(net.classes, ref, pred);
  EXPECT_EQ(j["beats"], m.beats);
  EXPECT_EQ(j["confusion"], json(m.confusion));
  EXPECT_DOUBLE_EQ(j["accuracy"].get<double>(), m.accuracy);
}

}  // namespace
