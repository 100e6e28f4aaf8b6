// Sweep library tests: spec parsing and validation, point order, sharding, results files,
// and real child runs of a fake ecg_sim (fake_child.sh) for isolation, resume and merge.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "ecg/error.h"
#include "ecg/sweep/results.h"
#include "ecg/sweep/runner.h"
#include "ecg/sweep/spec.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace ecg::sweep;

namespace {

const std::string kDir = SWEEP_TEST_DIR;
const std::string kFake = kDir + "/fake_child.sh";

ValidationEnv test_env() {
  ValidationEnv env;
  env.config_dirs = {kDir + "/data/configs"};
  env.check_records = false;
  return env;
}

Spec toml_spec(const std::string& text) { return parse_spec_text(text, "t.toml", false); }

// The InputError message of f(), "" when it does not throw.
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const ecg::InputError& e) {
    return e.what();
  }
  return "";
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/sweep_test_XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// Rows without the run-to-run timing columns.
std::vector<Row> untimed(std::vector<Row> rows) {
  for (auto& r : rows)
    for (const auto& c : timing_columns()) r.erase(c);
  return rows;
}

// CSV text without the timing columns.
std::string untimed_csv(const std::string& csv) {
  std::stringstream in(csv);
  std::string line, out;
  std::vector<bool> keep;
  while (std::getline(in, line)) {
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (char c : line) {
      if (c == '"') quoted = !quoted;
      if (c == ',' && !quoted)
        cells.emplace_back();
      else
        cells.back() += c;
    }
    if (keep.empty())
      for (const auto& c : cells)
        keep.push_back(std::find(timing_columns().begin(), timing_columns().end(), c) == timing_columns().end());
    for (std::size_t i = 0; i < cells.size(); ++i)
      if (i < keep.size() && keep[i]) out += cells[i] + ",";
    out += "\n";
  }
  return out;
}

RunOptions run_opts(const fs::path& out) {
  RunOptions o;
  o.out_dir = out.string();
  o.exe = kFake;
  o.jobs = 2;
  return o;
}

const char* kSpec = R"(
name = "t"
mode = "tlm"
records = [100, 101]
archs = ["dwsep", "qrcnn"]
[params]
"engine.pe" = [1, 2, 3, 13]
engine.simd = { from = 4, to = 8, mul = 2 }
[arch.qrcnn.params]
"engine.pe" = [2, 4]
)";

}  // namespace

// ---------------------------------------------------------------- spec parsing ----------

TEST(SweepSpec, ListsRangesNestedKeysAndPerArchOverrides) {
  const Spec s = toml_spec(kSpec);
  EXPECT_EQ(s.name, "t");
  EXPECT_EQ(s.mode, "tlm");
  EXPECT_EQ(s.records, "100,101");
  ASSERT_EQ(s.archs.size(), 2u);
  EXPECT_EQ(s.archs[0].arch, "dwsep");
  ASSERT_EQ(s.archs[0].axes.size(), 2u);
  EXPECT_EQ(s.archs[0].axes[0].key, "engine.pe");
  EXPECT_EQ(json(s.archs[0].axes[0].values), json::parse("[1,2,3,13]"));
  EXPECT_EQ(s.archs[0].axes[1].key, "engine.simd");
  EXPECT_EQ(json(s.archs[0].axes[1].values), json::parse("[4,8]"));
  EXPECT_EQ(json(s.archs[1].axes[0].values), json::parse("[2,4]"));  // qrcnn overrides engine.pe
  EXPECT_EQ(json(s.archs[1].axes[1].values), json::parse("[4,8]"));
}

TEST(SweepSpec, RangeForms) {
  const Spec s = toml_spec(R"(
mode = "golden"
split = "ds2"
archs = ["bnn"]
[params]
a = { from = 1, to = 10, step = 3 }
b = { from = 0.1, to = 0.3, step = 0.1 }
c = { from = 1, to = 64, mul = 4 }
d = { from = 5, to = 5 }
e = "28nm"
)");
  const auto& ax = s.archs[0].axes;
  EXPECT_EQ(json(ax[0].values), json::parse("[1,4,7,10]"));
  EXPECT_EQ(json(ax[1].values), json::parse("[0.1,0.2,0.3]"));
  EXPECT_EQ(json(ax[2].values), json::parse("[1,4,16,64]"));
  EXPECT_EQ(json(ax[3].values), json::parse("[5]"));
  EXPECT_EQ(json(ax[4].values), json::parse("[\"28nm\"]"));
  EXPECT_EQ(s.split, "ds2");
}

TEST(SweepSpec, TomlAndJsonGiveTheSameSweep) {
  const Spec t = toml_spec(kSpec);
  const Spec j = parse_spec_text(R"({"name": "t", "mode": "tlm", "records": "100,101", "archs": ["dwsep", "qrcnn"],
    "params": {"engine": {"pe": [1, 2, 3, 13]}, "engine.simd": {"from": 4, "to": 8, "mul": 2}},
    "arch": {"qrcnn": {"params": {"engine.pe": [2, 4]}}}})",
                                 "t.json", true);
  EXPECT_EQ(t.to_json(), j.to_json());
  EXPECT_EQ(t.hash(), j.hash());
  const auto a = expand(t), b = expand(j);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].id, b[i].id);
}

TEST(SweepSpec, BadSpecsAreOneLineErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"mode = \"tlm\"\nrecords = \"100\"\narchs = [\"resnet\"]", "unknown arch 'resnet'"},
      {"mode = \"fast\"\nrecords = \"100\"\narchs = [\"bnn\"]", "unknown mode 'fast'"},
      {"records = \"100\"\narchs = [\"bnn\"]", "mode: missing"},
      {"mode = \"tlm\"\narchs = [\"bnn\"]", "exactly one of records"},
      {"mode = \"tlm\"\nrecords = \"100\"\nsplit = \"ds2\"\narchs = [\"bnn\"]", "exactly one of records"},
      {"mode = \"tlm\"\nrecords = \"100\"\narchs = []", "archs: must be a non-empty list"},
      {"mode = \"tlm\"\nrecords = \"100\"", "archs: no arch given"},
      {"mode = \"tlm\"\nrecords = \"100\"\narchs = [\"bnn\"]\n[params]\n\"engine.pe\" = []", "params.engine.pe: empty value list"},
      {"mode = \"tlm\"\nrecords = \"100\"\narchs = [\"bnn\"]\n[params]\n\"engine.pe\" = {from = 16, to = 1}", "empty range (from 16 > to 1)"},
      {"mode = \"tlm\"\nrecords = \"100\"\narchs = [\"bnn\"]\n[params]\n\"engine.pe\" = {from = 1, to = 8, step = 0}", "step must be > 0"},
      {"mode = \"tlm\"\nrecords = \"100\"\narchs = [\"bnn\"]\n[params]\n\"engine.pe\" = {from = 1, to = 8, mul = 1}", "mul must be > 1"},
      {"mode = \"tlm\"\nrecords = \"100\"\narchs = [\"bnn\"]\n[params]\n\"engine.pe\" = {from = 1, to = 8, stp = 2}", "unknown range key 'stp'"},
      {"mode = \"tlm\"\nrecords = \"100\"\narchs = [\"bnn\"]\n[params]\n\"engine.pe\" = [2, 2]", "value 2 listed twice"},
      {"mode = \"tlm\"\nrecords = \"100\"\narchs = [\"bnn\"]\nparam = 3", "unknown key 'param'"},
      {"mode = \"tlm\"\nrecords = \"100\"\narchs = [\"bnn\"]\n[arch.dwsep.params]\nx = 1", "arch.dwsep: not listed in archs"},
      {"mode = \"tlm\"\nrecords = \"100\"\narchs = [\"bnn\"]\nargs = [\"--json\"]", "set by the sweep itself"},
      {"mode = \"tlm\"\nrecords = [\"100\"\n", "t.toml:"},
      {"name = \"../x\"\nmode = \"tlm\"\nrecords = \"100\"\narchs = [\"bnn\"]", "name: '../x' must be"},
  };
  for (const auto& [text, needle] : cases) {
    const std::string e = error_of([&] { toml_spec(text); });
    EXPECT_NE(e.find(needle), std::string::npos) << "spec:\n" << text << "\nerror: " << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
    EXPECT_EQ(e.rfind("t.toml", 0), 0u) << e;
  }
}

TEST(SweepSpec, ValidationAgainstTheArchConfig) {
  EXPECT_EQ(error_of([] { validate(toml_spec(kSpec), test_env()); }), "");
  auto bad = [](const std::string& params) {
    return error_of([&] {
      validate(toml_spec("mode = \"tlm\"\nrecords = \"100\"\narchs = [\"dwsep\"]\n[params]\n" + params), test_env());
    });
  };
  EXPECT_NE(bad("\"engine.pee\" = [1]").find("unknown parameter 'engine.pee'"), std::string::npos);
  EXPECT_NE(bad("\"engine.pee\" = [1]").find("did you mean 'engine.pe'?"), std::string::npos);
  EXPECT_NE(bad("\"engine.pe\" = [1.5]").find("'engine.pe' is integer"), std::string::npos);
  EXPECT_NE(bad("\"power.tech\" = [28]").find("'power.tech' is string"), std::string::npos);
  EXPECT_EQ(bad("clock_mhz = [50, 62.5]"), "");  // integers are fine for a real parameter
  EXPECT_EQ(bad("\"engine.stage.c1.pe\" = [1, 2]"), "");
  // qrcnn's config has no stage keys.
  EXPECT_NE(error_of([] {
              validate(toml_spec("mode = \"tlm\"\nrecords = \"100\"\narchs = [\"qrcnn\"]\n[params]\n"
                                 "\"engine.stage.c1.pe\" = [1]"),
                       test_env());
            }).find("arch qrcnn: unknown parameter 'engine.stage.c1.pe'"),
            std::string::npos);
  // An arch without a config cannot have its parameters checked.
  EXPECT_NE(error_of([] {
              validate(toml_spec("mode = \"tlm\"\nrecords = \"100\"\narchs = [\"bnn\"]\n[params]\nx = [1]"), test_env());
            }).find("no bnn.toml"),
            std::string::npos);
}

TEST(SweepSpec, EveryPointThroughTheParameterSystemHook) {
  ValidationEnv env = test_env();
  std::size_t calls = 0;
  env.check_point = [&](const Spec&, const Point& p) {
    ++calls;
    if (p.arch == "qrcnn" && p.params["engine.pe"] == 4 && p.params["engine.simd"] == 8)
      throw ecg::InputError("parameter engine.pe: 4 PEs need simd <= 4");
  };
  const std::string e = error_of([&] { validate(toml_spec(kSpec), env); });
  EXPECT_EQ(calls, 12u);
  EXPECT_EQ(e, "t.toml: point 11 (qrcnn engine.pe=4 engine.simd=8): parameter engine.pe: 4 PEs need simd <= 4");
  // With the hook, keys the config file does not list are the hook's business.
  env.check_point = [](const Spec&, const Point&) {};
  EXPECT_EQ(error_of([&] {
              validate(toml_spec("mode = \"tlm\"\nrecords = \"100\"\narchs = [\"bnn\"]\n[params]\nx = [1]"), env);
            }),
            "");
}

TEST(SweepSpec, RecordsAreCheckedAgainstTheData) {
  ValidationEnv env = test_env();
  env.check_records = true;
  auto with = [&](const std::string& rec) {
    return error_of([&] {
      validate(toml_spec("mode = \"golden\"\n" + rec + "\ndata = \"" ECG_TEST_DATA "\"\narchs = [\"bnn\"]"), env);
    });
  };
  EXPECT_EQ(with("records = [100, 101]"), "");
  EXPECT_EQ(with("split = \"ds2\""), "");
  EXPECT_NE(with("records = [100, 999]").find("999"), std::string::npos);
  EXPECT_NE(with("split = \"ds9\"").find("ds9"), std::string::npos);
}

TEST(SweepSpec, ExampleSpecsInTheRepoParse) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(fs::path(ECG_SIM_SOURCE_DIR) / "configs" / "sweeps")) {
    if (e.path().extension() != ".toml") continue;
    const Spec s = load_spec(e.path().string());
    EXPECT_EQ(s.mode, "tlm") << e.path();
    EXPECT_GT(expand(s).size(), 1u) << e.path();
    ++n;
  }
  EXPECT_GE(n, 6u);
  // The benchmark sweep: 50 points over 3 records.
  const Spec d = load_spec(std::string(ECG_SIM_SOURCE_DIR) + "/configs/sweeps/dwsep.toml");
  EXPECT_EQ(expand(d).size(), 50u);
  EXPECT_EQ(d.records, "100,119,208");
  EXPECT_EQ(expand(load_spec(std::string(ECG_SIM_SOURCE_DIR) + "/configs/sweeps/cross_arch.toml")).size(), 120u);
  // qrcnn's PE x SIMD x clock x tech x idle clock gating (docs/sweeps.md): booleans are an axis too.
  const auto q = expand(load_spec(std::string(ECG_SIM_SOURCE_DIR) + "/configs/sweeps/qrcnn.toml"));
  EXPECT_EQ(q.size(), 480u);
  EXPECT_EQ(q[0].params.at("power.idle_clock_gated"), json(true));
  EXPECT_EQ(q[2].params.at("power.idle_clock_gated"), json(false));
}

TEST(SweepSpec, PointOrderAndIds) {
  const auto pts = expand(toml_spec(kSpec));
  ASSERT_EQ(pts.size(), 8u + 4u);
  // dwsep first, engine.pe outer, engine.simd inner (last key fastest).
  EXPECT_EQ(pts[0].params, json::parse(R"({"engine.pe":1,"engine.simd":4})"));
  EXPECT_EQ(pts[1].params, json::parse(R"({"engine.pe":1,"engine.simd":8})"));
  EXPECT_EQ(pts[2].params, json::parse(R"({"engine.pe":2,"engine.simd":4})"));
  EXPECT_EQ(pts[8].arch, "qrcnn");
  EXPECT_EQ(pts[8].params, json::parse(R"({"engine.pe":2,"engine.simd":4})"));
  std::set<std::string> ids;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    EXPECT_EQ(pts[i].index, i);
    ids.insert(pts[i].id);
  }
  EXPECT_EQ(ids.size(), pts.size());
  EXPECT_NE(pts[0].id, pts[8].id);
  // The id depends on the inputs only: the same point in an edited spec keeps its id.
  const auto more = expand(toml_spec(std::string(kSpec) + "\"engine.simd\" = [4, 8, 16]\n"));
  EXPECT_EQ(more[8].id, pts[8].id);
}

TEST(SweepSpec, RestrictArchs) {
  Spec s = toml_spec(kSpec);
  const auto all = expand(s);
  restrict_archs(s, {"qrcnn"}, "--archs");
  const auto q = expand(s);
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[0].id, all[8].id);  // same inputs, same id
  EXPECT_EQ(error_of([&] { restrict_archs(s, {"dwsep"}, "--archs"); }),
            "--archs dwsep: the spec has no arch 'dwsep' (archs: qrcnn)");
}

TEST(SweepSpec, ShardsPartitionThePoints) {
  const auto pts = expand(toml_spec(kSpec));
  std::multiset<std::size_t> seen;
  for (std::size_t i = 0; i < 5; ++i)
    for (const auto& p : shard(pts, i, 5)) {
      EXPECT_EQ(p.index % 5, i);
      seen.insert(p.index);
    }
  EXPECT_EQ(seen.size(), pts.size());
  EXPECT_EQ(std::set<std::size_t>(seen.begin(), seen.end()).size(), pts.size());
  EXPECT_EQ(parse_shard("2/4", "--shard"), std::make_pair(std::size_t{2}, std::size_t{4}));
  for (const char* bad : {"4/4", "1/0", "a/b", "1", "/2", "1/2/3", "-1/2"})
    EXPECT_NE(error_of([&] { parse_shard(bad, "--shard"); }).find("--shard"), std::string::npos) << bad;
}

TEST(SweepSpec, ChildCommandLine) {
  const Spec s = toml_spec(kSpec);
  const auto pts = expand(s);
  const auto a = child_args(s, pts[3], "/tmp/x.json");
  const std::vector<std::string> want = {"--arch", "dwsep",           "--mode", "tlm",           "--records",
                                         "100,101", "-p", "engine.pe=2", "-p", "engine.simd=8", "-j", "1",
                                         "--json", "/tmp/x.json"};
  EXPECT_EQ(a, want);
  Spec t = s;
  t.args = {"--threads=2", "--no-golden-check"};
  const auto b = child_args(t, pts[3], "/tmp/x.json");
  EXPECT_EQ(std::count(b.begin(), b.end(), "-j"), 0);
  EXPECT_EQ(b[b.size() - 3], "--no-golden-check");
  EXPECT_EQ(value_text(json("28nm")), "28nm");
  EXPECT_EQ(value_text(json(62.5)), "62.5");
  EXPECT_EQ(value_text(json(true)), "true");
}

// ---------------------------------------------------------------- results ---------------

TEST(SweepResults, MetricsFromAReport) {
  const json report = json::parse(R"({"classes": ["N", "V"], "beats": 10, "accuracy": 0.9,
    "per_class": {"N": {"se": 0.95, "ppv": 0.9}, "V": {"se": 0.5, "ppv": 0.25, "f1": 0.33}},
    "hardware": {"clock_mhz": 100, "latency_cycles": {"min": 1, "mean": 2.5, "max": 4},
                 "latency_us": {"min": 0.01, "mean": 0.025, "max": 0.04}, "throughput_fps": 366,
                 "initiation_interval_cycles": 300, "power_mw": {"total": 1.5}, "energy_uj_per_beat": 0.2,
                 "weight_storage_bytes": 1024, "latency_cycles_extra": null},
    "sim": {"wall_s": 1.5, "beats_per_s": 6.7}})");
  const Row m = metrics_from_report(report);
  EXPECT_EQ(m["accuracy"], 0.9);
  EXPECT_EQ(m["latency_cycles_mean"], 2.5);
  EXPECT_EQ(m["latency_us_max"], 0.04);
  EXPECT_EQ(m["fps"], 366);
  EXPECT_EQ(m["ii_cycles"], 300);
  EXPECT_EQ(m["power_mw_total"], 1.5);
  EXPECT_TRUE(m["power_mw_static"].is_null());
  EXPECT_EQ(m["energy_uj_per_beat"], 0.2);
  EXPECT_EQ(m["weight_storage_bytes"], 1024);
  EXPECT_EQ(m["se_V"], 0.5);
  EXPECT_EQ(m["ppv_N"], 0.9);
  EXPECT_TRUE(m["f1_N"].is_null());
  EXPECT_EQ(m["f1_V"], 0.33);
  EXPECT_EQ(m["sim_wall_s"], 1.5);
  EXPECT_TRUE(metrics_from_report(json::object())["fps"].is_null());
}

TEST(SweepResults, CsvQuotesAndColumns) {
  const Spec s = toml_spec(kSpec);
  const auto pts = expand(s);
  std::vector<Row> rows = {make_row(s, pts[0], "failed", "ecg_sim: bad \"x\", y", 2, 0.5, nullptr)};
  const std::string csv = csv_text(rows);
  EXPECT_NE(csv.find("\"ecg_sim: bad \"\"x\"\", y\""), std::string::npos) << csv;
  EXPECT_EQ(csv.rfind("point,id,arch,mode,records,split,status,exit_code,error,param.engine.pe,param.engine.simd,beats,", 0), 0u)
      << csv;
}

TEST(SweepResults, JsonlToleratesATruncatedLastLineOnly) {
  TempDir d;
  const auto p = d.path / "r.jsonl";
  std::ofstream(p) << R"({"id":"a","point":0,"status":"ok"})" << "\n" << R"({"id":"b","poi)";
  EXPECT_EQ(read_jsonl(p.string()).size(), 1u);
  std::ofstream(p) << R"({"id":"a","poi)" << "\n" << R"({"id":"b","point":1,"status":"ok"})" << "\n";
  EXPECT_NE(error_of([&] { read_jsonl(p.string()); }).find("r.jsonl:1: not valid JSON"), std::string::npos);
}

// ---------------------------------------------------------------- runs (fake child) ------

TEST(SweepRun, EveryPointRunsAndFailuresAreIsolated) {
  TempDir d;
  const Spec s = toml_spec(kSpec);
  const RunSummary sum = run_sweep(s, run_opts(d.path / "out"));
  EXPECT_EQ(sum.points, 12u);
  EXPECT_EQ(sum.ok, 8u);
  EXPECT_EQ(sum.failed, 4u);  // pe=3 (error) and pe=13 (crash), two simd values each
  const auto rows = read_jsonl((d.path / "out" / kResultsJsonl).string());
  ASSERT_EQ(rows.size(), 12u);
  for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(rows[i]["point"], i);
  // pe=2, simd=4: cycles = 100000/8 + 50 (fake_child.sh formula).
  EXPECT_EQ(rows[2]["status"], "ok");
  EXPECT_EQ(rows[2]["latency_cycles_mean"], 12550);
  EXPECT_EQ(rows[2]["config"]["engine.simd"], 4);
  EXPECT_EQ(rows[2]["se_S"], 0.2);
  EXPECT_EQ(rows[4]["status"], "failed");
  EXPECT_EQ(rows[4]["exit_code"], 2);
  EXPECT_EQ(rows[4]["error"], "ecg_sim: parameter engine.pe: 3 is not a power of two");
  EXPECT_TRUE(rows[4]["fps"].is_null());
  EXPECT_EQ(rows[6]["status"], "failed");
  EXPECT_NE(rows[6]["error"].get<std::string>().find("killed by signal 11"), std::string::npos) << rows[6];
  EXPECT_TRUE(fs::exists(d.path / "out" / "logs" / "p4.log"));
  EXPECT_FALSE(fs::exists(d.path / "out" / ".tmp"));
  const std::string csv = read(d.path / "out" / kResultsCsv);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 13);
  EXPECT_NE(csv.find("config.power.tech"), std::string::npos);
  // The folder is not silently overwritten.
  EXPECT_NE(error_of([&] { run_sweep(s, run_opts(d.path / "out")); }).find("already holds sweep results"),
            std::string::npos);
}

TEST(SweepRun, ResumeRunsOnlyUnfinishedPoints) {
  TempDir d;
  const Spec s = toml_spec(kSpec);
  const fs::path out = d.path / "out";
  run_sweep(s, run_opts(out));
  const auto full = read_jsonl((out / kResultsJsonl).string());
  // Keep 5 rows, as if the sweep had been stopped; put them out of order with a torn last line.
  {
    std::ofstream f(out / kResultsJsonl, std::ios::trunc);
    for (std::size_t i : {7, 0, 3, 4, 11}) f << full[i].dump() << "\n";
    f << R"({"point": 5, "id": ")";
  }
  const std::string log = (d.path / "children.log").string();
  setenv("FAKE_CHILD_LOG", log.c_str(), 1);
  RunOptions o = run_opts(out);
  o.resume = true;
  const RunSummary sum = run_sweep(s, o);
  unsetenv("FAKE_CHILD_LOG");
  EXPECT_EQ(sum.skipped, 5u);
  EXPECT_EQ(sum.ok + sum.failed, 7u);
  const std::string ran = read(log);
  EXPECT_EQ(std::count(ran.begin(), ran.end(), '\n'), 7) << ran;
  EXPECT_EQ(untimed(read_jsonl((out / kResultsJsonl).string())), untimed(full));

  // Failed points are finished too, unless --retry-failed.
  fs::remove(log);
  setenv("FAKE_CHILD_LOG", log.c_str(), 1);
  o.retry_failed = true;
  const RunSummary again = run_sweep(s, o);
  unsetenv("FAKE_CHILD_LOG");
  EXPECT_EQ(again.skipped, 8u);
  EXPECT_EQ(again.failed, 4u);
  EXPECT_EQ(untimed(read_jsonl((out / kResultsJsonl).string())), untimed(full));
}

TEST(SweepRun, MergedShardsEqualASingleRun) {
  TempDir d;
  const Spec s = toml_spec(kSpec);
  run_sweep(s, run_opts(d.path / "single"));
  std::vector<std::string> shards;
  for (std::size_t i = 0; i < 3; ++i) {
    RunOptions o = run_opts(d.path / ("shard" + std::to_string(i)));
    o.shard_i = i;
    o.shard_n = 3;
    o.jobs = 1;
    const RunSummary sum = run_sweep(s, o);
    EXPECT_EQ(sum.points, 4u);
    shards.push_back(o.out_dir);
  }
  // Merging an incomplete set reports the missing points.
  EXPECT_EQ(merge({shards[0], shards[2]}, (d.path / "partial").string()).missing, 4u);
  const MergeSummary m = merge(shards, (d.path / "merged").string());
  EXPECT_EQ(m.missing, 0u);
  EXPECT_EQ(m.rows, 12u);
  EXPECT_EQ(untimed(read_jsonl((d.path / "merged" / kResultsJsonl).string())),
            untimed(read_jsonl((d.path / "single" / kResultsJsonl).string())));
  EXPECT_EQ(untimed_csv(read(d.path / "merged" / kResultsCsv)), untimed_csv(read(d.path / "single" / kResultsCsv)));
  EXPECT_EQ(read(d.path / "merged" / kMeta), read(d.path / "single" / kMeta));

  // A shard of another spec is refused.
  Spec other = toml_spec(std::string(kSpec) + "\"engine.simd\" = [16]\n");
  RunOptions o = run_opts(d.path / "other");
  o.shard_i = 0;
  o.shard_n = 3;
  run_sweep(other, o);
  EXPECT_NE(error_of([&] { merge({shards[0], o.out_dir}, (d.path / "bad").string()); }).find("different sweep spec"),
            std::string::npos);
  EXPECT_NE(error_of([&] { merge({d.path.string()}, (d.path / "bad").string()); }).find("not a sweep output folder"),
            std::string::npos);
}

TEST(SweepRun, PointsRunInParallelAndTimeOut) {
  TempDir d;
  setenv("FAKE_SLEEP", "0.6", 1);
  Spec s = toml_spec("mode = \"tlm\"\nrecords = \"100\"\narchs = [\"dwsep\"]\n[params]\n\"engine.pe\" = [1, 2, 4, 8, 16, 32]");
  RunOptions o = run_opts(d.path / "par");
  o.jobs = 6;
  const RunSummary par = run_sweep(s, o);
  EXPECT_EQ(par.ok, 6u);
  EXPECT_LT(par.wall_s, 6 * 0.6 / 2) << "6 sleeping children with -j 6 should overlap";
  s.timeout_s = 0.2;
  o.out_dir = (d.path / "timeout").string();
  o.jobs = 2;
  const RunSummary to = run_sweep(s, o);
  unsetenv("FAKE_SLEEP");
  EXPECT_EQ(to.failed, 6u);
  const auto rows = read_jsonl((d.path / "timeout" / kResultsJsonl).string());
  EXPECT_EQ(rows[0]["error"], "timed out after 0.2 s");
}
