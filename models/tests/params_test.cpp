// Parameter system and stats registry (pure C++ parts of models/).
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ecg/error.h"
#include "ecg/hw/params.h"
#include "ecg/models/platform.h"
#include "ecg/hw/stats.h"
#include "ecg/hw/net_geometry.h"
#include "ecg/models/tlm_run.h"

namespace ecg {
namespace {

ParamSet sample() {
  ParamSet ps;
  ps.declare_int("engine.pe", 8, "PEs", 1, 64);
  ps.declare_real("clock_mhz", 100.0, "clock", 0.001);
  ps.declare_bool("sim.trace", false, "trace");
  ps.declare_string("source.pace", "realtime", "pace", {"realtime", "back_to_back"});
  return ps;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Params, DefaultsAndTypedReads) {
  ParamSet ps = sample();
  EXPECT_EQ(ps.get_int("engine.pe"), 8);
  EXPECT_DOUBLE_EQ(ps.get_real("clock_mhz"), 100.0);
  EXPECT_DOUBLE_EQ(ps.get_real("engine.pe"), 8.0);  // ints read as reals
  EXPECT_FALSE(ps.get_bool("sim.trace"));
  EXPECT_EQ(ps.get_string("source.pace"), "realtime");
  EXPECT_EQ(ps.param("engine.pe").origin, "default");
  EXPECT_THROW(ps.declare_int("engine.pe", 1, "again"), std::logic_error);
}

TEST(Params, TomlThenOverridesInOrder) {
  ParamSet ps = sample();
  ps.load_toml_text("clock_mhz = 50\n[engine]\npe = 4\n[source]\npace = \"back_to_back\"\n", "x.toml");
  EXPECT_EQ(ps.get_int("engine.pe"), 4);
  EXPECT_DOUBLE_EQ(ps.get_real("clock_mhz"), 50.0);
  EXPECT_EQ(ps.param("engine.pe").origin, "x.toml");
  ps.set_override("engine.pe=16");
  ps.set_override("engine.pe=0x20");
  ps.set_override("sim.trace=true");
  ps.set_override("clock_mhz=12.5");
  EXPECT_EQ(ps.get_int("engine.pe"), 32);
  EXPECT_TRUE(ps.get_bool("sim.trace"));
  EXPECT_DOUBLE_EQ(ps.get_real("clock_mhz"), 12.5);
  EXPECT_EQ(ps.param("engine.pe").origin, "-p");
  nlohmann::json j = ps.to_json();
  EXPECT_EQ(j["engine.pe"], 32);
  EXPECT_EQ(j["source.pace"], "back_to_back");
  EXPECT_EQ(j.size(), 4u);
}

TEST(Params, ErrorsNameTheKeyAndOrigin) {
  ParamSet ps = sample();
  std::string e = error_of([&] { ps.set_override("engine.pee=4"); });
  EXPECT_NE(e.find("engine.pee"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown parameter"), std::string::npos) << e;
  EXPECT_NE(e.find("engine.pe"), std::string::npos) << e;  // suggestion
  e = error_of([&] { ps.set_override("engine.pe=0"); });
  EXPECT_NE(e.find("-p engine.pe"), std::string::npos) << e;
  EXPECT_NE(e.find("below the minimum"), std::string::npos) << e;
  e = error_of([&] { ps.set_override("engine.pe=four"); });
  EXPECT_NE(e.find("expected integer"), std::string::npos) << e;
  e = error_of([&] { ps.set_override("engine.pe=4.5"); });
  EXPECT_NE(e.find("expected integer"), std::string::npos) << e;
  e = error_of([&] { ps.set_override("source.pace=fast"); });
  EXPECT_NE(e.find("not one of realtime|back_to_back"), std::string::npos) << e;
  e = error_of([&] { ps.set_override("noequals"); });
  EXPECT_NE(e.find("key=value"), std::string::npos) << e;
  e = error_of([&] { ps.load_toml_text("[engine]\npe = \"8\"\n", "a.toml"); });
  EXPECT_NE(e.find("a.toml: parameter engine.pe: expected integer"), std::string::npos) << e;
  e = error_of([&] { ps.load_toml_text("[engine]\npe = [1, 2]\n", "a.toml"); });
  EXPECT_NE(e.find("engine.pe"), std::string::npos) << e;
  e = error_of([&] { ps.load_toml_text("[engine\npe = 1\n", "b.toml"); });
  EXPECT_NE(e.find("b.toml:1"), std::string::npos) << e;
  e = error_of([&] { ps.load_toml_text("[engine]\nfoo = 1\n", "c.toml"); });
  EXPECT_NE(e.find("c.toml: parameter engine.foo: unknown parameter"), std::string::npos) << e;
  e = error_of([&] { ps.load_toml_file("/nonexistent/x.toml"); });
  EXPECT_NE(e.find("/nonexistent/x.toml"), std::string::npos) << e;
}

TEST(Params, TomlRoundTrip) {
  ParamSet ps = sample();
  ps.set_override("engine.pe=3");
  ps.set_override("source.pace=back_to_back");
  ParamSet back = sample();
  back.load_toml_text(ps.to_toml(), "generated");
  EXPECT_EQ(back.to_json(), ps.to_json());
  EXPECT_NE(ps.to_toml().find("# PEs (integer, range 1..64; default 8)\npe = 3"), std::string::npos)
      << ps.to_toml();
}

TEST(Stats, RegisterAddDump) {
  StatsRegistry s;
  auto& a = s.counter("mem.act.read.32b", "reads");
  auto& b = s.counter("mem.act.write.32b", "writes");
  auto& a2 = s.counter("mem.act.read.32b", "shared");
  EXPECT_EQ(&a, &a2);
  a.add(3);
  a2.add(2);
  b.add(7);
  s.counter("engine.beats", "beats").add(1);
  EXPECT_EQ(s.value("mem.act.read.32b"), 5u);
  EXPECT_EQ(s.sum("mem.act."), 12u);
  EXPECT_EQ(s.to_json()["mem.act.write.32b"], 7);
  EXPECT_NE(s.to_text().find("mem.act.read.32b"), std::string::npos);
  EXPECT_THROW(s.value("nope"), std::logic_error);
  s.reset();
  EXPECT_EQ(s.sum(""), 0u);
}

// Every configs/<arch>.toml (and dwsep's pipe config, configs/dwsep_pipe.toml) sets exactly
// the declared platform parameters (stage keys are per network and optional), with values the
// network accepts. Every arch's default runs on the seq engine (the UP5K builds).
TEST(Configs, EveryArchConfigListsEveryParameter) {
  struct Cfg {
    const char *name, *arch, *style;
  };
  for (const Cfg c : {Cfg{"qrcnn", "qrcnn", "seq"}, Cfg{"bnn", "bnn", "seq"}, Cfg{"int2kd", "int2kd", "seq"},
                      Cfg{"logq", "logq", "seq"}, Cfg{"dwsep", "dwsep", "seq"}, Cfg{"dwsep_pipe", "dwsep", "pipe"}}) {
    const std::string arch = c.arch;
    SCOPED_TRACE(c.name);
    const std::string path = std::string(ECG_SIM_SOURCE_DIR) + "/configs/" + c.name + ".toml";
    ASSERT_TRUE(std::filesystem::exists(path));
    // The config must fit the trained network too, when it exists.
    const std::string trained = std::string(ECG_SIM_SOURCE_DIR) + "/weights/" + arch + "/model.json";
    if (std::filesystem::exists(trained)) {
      const NetGeom tg = net_geometry(load_network(trained));
      ParamSet tps;
      declare_run_params(tps, tg);
      tps.load_toml_file(path);
      EXPECT_NO_THROW(validate_platform_params(tps, tg)) << trained;
    }
    const Network net = load_network(std::string(ECG_MODELS_TEST_DATA) + "/t_" + arch + ".json");
    const NetGeom g = net_geometry(net);
    ParamSet ps;
    declare_run_params(ps, g);
    ps.load_toml_file(path);
    validate_platform_params(ps, g);
    for (const auto& [k, p] : ps.all()) {
      if (k.rfind("engine.stage.", 0) != 0) {
        EXPECT_EQ(p.origin, path) << k << " missing from " << path;
      }
    }
    EXPECT_EQ(ps.get_string("engine.style"), c.style);
  }
}

TEST(Configs, InvalidValuesNameTheKey) {
  const Network net = load_network(std::string(ECG_MODELS_TEST_DATA) + "/t_dwsep.json");
  const NetGeom g = net_geometry(net);
  auto run = [&](std::vector<std::string> p) {
    TlmOptions opt;
    opt.config_file = std::string(ECG_SIM_SOURCE_DIR) + "/configs/dwsep_pipe.toml";
    opt.params = std::move(p);
    return error_of([&] { make_platform_params(net, g, opt); });
  };
  EXPECT_EQ(run({}), "");
  EXPECT_NE(run({"engine.pe=0"}).find("engine.pe"), std::string::npos);
  EXPECT_NE(run({"engine.stage.c0.pe=0", "engine.stage.dw1.simd=100000"}).find("engine.stage.dw1.simd"),
            std::string::npos);
  std::string e = run({"engine.line_buffer_cols=3"});  // c0 has a 7-column kernel
  EXPECT_NE(e.find("engine.line_buffer_cols"), std::string::npos) << e;
  EXPECT_NE(e.find("smaller than a kernel"), std::string::npos) << e;
  EXPECT_EQ(run({"engine.line_buffer_cols=7"}), "");
  e = run({"engine.weight_buffer_bits=64"});
  EXPECT_NE(e.find("engine.weight_buffer_bits"), std::string::npos) << e;
  e = run({"engine.style=seq", "engine.act_buffer_bits=100"});
  EXPECT_NE(e.find("engine.act_buffer_bits"), std::string::npos) << e;
  e = run({"clock_mhz=0"});
  EXPECT_NE(e.find("clock_mhz"), std::string::npos) << e;
  e = run({"bus.widht_bits=64"});
  EXPECT_NE(e.find("bus.widht_bits"), std::string::npos) << e;
  TlmOptions opt;
  opt.config_file = "/nonexistent.toml";
  EXPECT_NE(error_of([&] { make_platform_params(net, g, opt); }).find("/nonexistent.toml"),
            std::string::npos);
}

}  // namespace
}  // namespace ecg
