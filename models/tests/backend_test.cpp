// The `tlm` execution mode through the sim/backend.h registry: a report that conforms to
// report.schema.json, with the hardware block the platform fills.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "backend.h"
#include "ecg/beats.h"
#include "ecg/error.h"
#include "ecg/metrics.h"
#include "ecg/report.h"

namespace ecg {
namespace {

TEST(TlmBackend, ReportConformsToTheSchema) {
  ASSERT_TRUE(backend_registry().count("tlm"));
  const Network net = load_network(std::string(ECG_MODELS_TEST_DATA) + "/t_qrcnn.json");
  std::vector<Beat> beats = load_beats(ECG_TEST_MITDB, {"100", "119"}, net.input, 1);
  BackendContext ctx;
  ctx.arch = "qrcnn";
  ctx.mode = "tlm";
  ctx.realtime = true;
  ctx.params = {"engine.pe=4"};
  auto backend = backend_registry().at("tlm")(ctx);
  std::vector<BeatOutcome> out;
  NullProgress progress;
  backend->run(net, beats, out, progress);
  ASSERT_EQ(out.size(), beats.size());
  std::vector<int> ref, pred;
  std::vector<std::uint64_t> cycles;
  for (std::size_t i = 0; i < beats.size(); ++i) {
    ref.push_back(beats[i].label);
    pred.push_back(out[i].predicted);
    cycles.push_back(out[i].cycles);
    ASSERT_GT(out[i].done_s, out[i].start_s);
  }
  nlohmann::json report = make_report(net, "tlm", {"100", "119"}, "", compute_metrics(net.classes, ref, pred));
  EXPECT_GT(backend->clock_mhz(), 0.0);
  set_latency(report, cycles, backend->clock_mhz());
  set_sim_timing(report, 1.0, beats.size());
  backend->fill_report(report);
  const std::string schema_path = std::string(ECG_SIM_SOURCE_DIR) + "/schema/report.schema.json";
  std::ifstream in(schema_path);
  ASSERT_TRUE(in.good()) << schema_path << ": cannot open (it is part of the repository)";
  std::stringstream ss;
  ss << in.rdbuf();
  const auto problems = schema_problems(report, nlohmann::json::parse(ss.str()));
  for (const auto& p : problems) ADD_FAILURE() << p;
  const auto& hw = report["hardware"];
  EXPECT_EQ(hw["config"]["engine.pe"], 4);
  EXPECT_EQ(hw["config"]["source.pace"], "realtime");
  EXPECT_EQ(hw["realtime_deadline_misses"], 0);
  EXPECT_GT(hw["throughput_fps"].get<double>(), 0.0);
  EXPECT_EQ(hw["initiation_interval_cycles"], hw["engine"]["ii_cycles"]);  // seq: engine-bound
  EXPECT_EQ(hw["activity"]["engine.beats"], beats.size());
  EXPECT_GT(report["sim"]["simulated_cycles"].get<double>(), 0.0);
}

TEST(TlmBackend, BadParameterIsAnInputErrorNamingTheKey) {
  const Network net = load_network(std::string(ECG_MODELS_TEST_DATA) + "/t_qrcnn.json");
  std::vector<Beat> beats = load_beats(ECG_TEST_MITDB, {"100"}, net.input, 1);
  BackendContext ctx;
  ctx.arch = "qrcnn";
  ctx.mode = "tlm";
  ctx.params = {"engine.act_buffer_bits=8"};
  auto backend = backend_registry().at("tlm")(ctx);
  std::vector<BeatOutcome> out;
  NullProgress progress;
  try {
    backend->run(net, beats, out, progress);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("engine.act_buffer_bits"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ecg
