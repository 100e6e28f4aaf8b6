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
#include "ecg/run/report.h"

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
  const json r = ecg::to_json(ecg::make_report(net, "golden", {"100"}, "", m));
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
  ecg::Report typed =
      ecg::make_report(net, "golden", {"100", "101"}, "", ecg::compute_metrics({"N", "L", "R", "V"}, {0, 1, 3}, {0, 1, 1}));
  ecg::set_sim_timing(typed, 0.5, 3);
  json r = ecg::to_json(typed);
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
  ecg::set_latency(typed, {100, 300, 200}, 50.0);
  typed.hardware.throughput_fps = 50e6 / 300;
  r = ecg::to_json(typed);
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

// A report with every optional block set, as a timed mode with power and cosim fills it.
ecg::Report full_report() {
  ecg::Network net = ecg::load_network(std::string(ECG_GOLDEN_TEST_DATA) + "/tiny_mixed/model.json");
  ecg::Report r = ecg::make_report(net, "cosim", {"100"}, "ds2", ecg::compute_metrics(kNSV, kRef, kPred));
  ecg::set_latency(r, {100, 300, 200}, 50.0);
  ecg::set_sim_timing(r, 2.0, 9);
  r.sim.simulated_cycles = 123456;
  r.hardware.throughput_fps = 1000.0;
  r.hardware.initiation_interval_cycles = 50000.0;
  r.hardware.realtime_deadline_misses = 2;
  r.hardware.config = std::map<std::string, ecg::ConfigValue>{{"engine.pe", std::int64_t{4}}, {"clock_mhz", 50.0},
                                                              {"power.tech", std::string("fpga28")}};
  ecg::PowerReport p;
  p.dynamic_mw = 1.5;
  p.static_mw = 0.5;
  p.total_mw = 2.0;
  p.energy_uj_per_beat = 0.25;
  p.gops_per_w = 7.0;
  p.detail.tech = "fpga28";
  p.detail.blocks["clock"] = {1.0, 2.0, 3.0, std::nullopt, std::nullopt};
  p.detail.blocks["datapath"] = {1.0, 2.0, 3.0, 0.25, 64.0};
  p.detail.rtl_activity_note = "not measured";
  r.hardware.power = p;
  ecg::AreaReport a;
  a.device = "up5k";
  a.source = "model";
  a.luts = 2314.4;
  a.ffs = 1195;
  a.brams = 13;
  a.dsps = 6;
  a.fmax_mhz = 31.5;
  a.fits = true;
  a.meets_clock = false;
  a.bram_kind = "EBR";
  a.buffers.weights = 467;
  r.hardware.area = a;
  ecg::RealtimeReport rt;
  rt.beats_per_s = 1.2;
  rt.average_mw = 0.5;
  rt.energy_uj_per_beat = 416.7;
  rt.battery_mah = 225;
  rt.battery_v = 3;
  rt.battery_life_h = 1350;
  rt.battery_life_days = 56.25;
  r.hardware.realtime = rt;
  r.cosim = ecg::CosimReport{9, 1, 2000.0, 2010.0, 0.5, std::nullopt};
  return r;
}

// Every summary field (the sweep's CSV columns) is a number where to_json() writes it.
TEST(Report, EveryFieldIsANumberWhereTheWriterPutsIt) {
  const json j = ecg::to_json(full_report());
  for (const auto& f : ecg::report_fields()) {
    const json* cur = &j;
    for (const char* k : f.path) {
      ASSERT_TRUE(cur->is_object() && cur->contains(k)) << f.column << ": no " << k << " in " << j.dump();
      cur = &(*cur)[k];
    }
    const std::string col = f.column;
    if (col == "area_device" || col == "area_source")
      EXPECT_TRUE(cur->is_string()) << col << ": " << cur->dump();
    else if (col == "fits" || col == "meets_clock")
      EXPECT_TRUE(cur->is_boolean()) << col << ": " << cur->dump();
    else
      EXPECT_TRUE(cur->is_number()) << col << ": " << cur->dump();
  }
  for (const char* stat : ecg::per_class_field_stats())
    for (const auto& c : kNSV) EXPECT_TRUE(j["per_class"][c][stat].is_number()) << c << " " << stat;
}

TEST(Report, WriterKeepsTypesAndLeavesUnsetBlocksOut) {
  const json j = ecg::to_json(full_report());
  EXPECT_TRUE(j["hardware"]["latency_cycles"]["min"].is_number_unsigned());
  EXPECT_TRUE(j["hardware"]["latency_cycles"]["mean"].is_number_float());
  EXPECT_EQ(j["hardware"]["config"]["engine.pe"], 4);
  EXPECT_EQ(j["hardware"]["config"]["power.tech"], "fpga28");
  EXPECT_EQ(j["hardware"]["power_mw"], json({{"dynamic", 1.5}, {"static", 0.5}, {"total", 2.0}}));
  EXPECT_FALSE(j["hardware"]["power"]["blocks"]["clock"].contains("toggle_rate"));
  EXPECT_EQ(j["hardware"]["power"]["blocks"]["datapath"]["toggle_rate"], 0.25);
  EXPECT_EQ(j["hardware"]["power"]["rtl_activity"], "not measured");
  EXPECT_EQ(j["cosim"]["rtl_cycles_total"], 2000.0);
  EXPECT_FALSE(j["cosim"].contains("power"));
  EXPECT_EQ(j["split"], "ds2");
  EXPECT_FALSE(j.contains("golden_check"));
  EXPECT_FALSE(j["hardware"].contains("engine"));
  const std::string table = ecg::format_hardware_table(full_report(), "beats");
  EXPECT_NE(table.find("latency       200 cycles = 4.00 us per beat (min 100, max 300 cycles)"), std::string::npos)
      << table;
  EXPECT_NE(table.find("power fpga28  1.50 mW dynamic + 0.50 mW static = 2.00 mW"), std::string::npos) << table;
  EXPECT_NE(table.find("cosim         9 beats compared, 1 output mismatches"), std::string::npos) << table;
  // Area (integer counts in the JSON), Fmax, the real-time view and the battery.
  EXPECT_EQ(j["hardware"]["area"]["luts"], 2314);
  EXPECT_TRUE(j["hardware"]["area"]["luts"].is_number_integer());
  EXPECT_EQ(j["hardware"]["area"]["meets_clock"], false);
  EXPECT_EQ(j["hardware"]["area"]["buffers_bytes"]["weights"], 467);
  EXPECT_EQ(j["hardware"]["realtime"]["battery_life_h"], 1350.0);
  EXPECT_NE(table.find("area up5k     2314 LUTs, 1195 FFs, 13 EBR, 0 SPRAM, 6 DSP (model); fits"), std::string::npos)
      << table;
  EXPECT_NE(table.find("fmax          31.5 MHz, clock MISSED (50.0 MHz)"), std::string::npos) << table;
  EXPECT_NE(table.find("battery       225 mAh at 3.0 V: 1350 h = 56.2 days"), std::string::npos) << table;
}

}  // namespace
