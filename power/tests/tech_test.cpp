// Technology tables: the committed tables load, every action names a source, bad tables and
// unknown names are clear InputErrors, the SRAM size law reproduces Horowitz's anchors.
#include <gtest/gtest.h>

#include "ecg/error.h"
#include "ecg/power/tech.h"

namespace ecg::power {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

// The actions the counter mapping of model.cpp uses.
const char* kActions[] = {"add",   "mult",         "compare",       "shift",      "xnor_popcount",
                          "requant", "reg",        "clock",         "regfile_read", "regfile_write",
                          "sram_read", "sram_write", "bus",         "dma",        "csr"};

TEST(TechTable, CommittedTablesHaveEveryActionWithASource) {
  for (const char* name : {"asic45", "fpga28", "ice40up"}) {
    TechTable t = TechTable::load(name);
    EXPECT_EQ(t.name(), name);
    EXPECT_GT(t.ref_toggle_rate(), 0);
    EXPECT_FALSE(t.static_source().empty());
    for (const char* a : kActions) {
      ASSERT_TRUE(t.has(a)) << name << " lacks " << a;
      EXPECT_GT(t.action(a, "test").pj, 0) << name << "." << a;
      EXPECT_GT(t.action(a, "test").source.size(), 20u) << name << "." << a;
    }
  }
}

TEST(TechTable, Asic45MatchesHorowitzAnchors) {
  TechTable t = TechTable::load("asic45");
  EXPECT_NEAR(t.pj("add", 32, 0, "t"), 0.1, 1e-9);        // 32-bit add 0.1 pJ
  EXPECT_NEAR(t.pj("mult", 32 * 32, 0, "t"), 3.1, 0.01);  // 32-bit mult 3.1 pJ
  EXPECT_NEAR(t.pj("mult", 8 * 8, 0, "t"), 0.2, 0.01);    // 8-bit mult 0.2 pJ
  EXPECT_NEAR(t.pj("sram_read", 64, 8192, "t"), 10.0, 1e-9);   // 64-bit read, 8 KB
  EXPECT_NEAR(t.pj("sram_read", 64, 32768, "t"), 20.0, 1e-9);  // 64-bit read, 32 KB
  // Floor for tiny macros: 0.02 pJ/bit.
  EXPECT_NEAR(t.pj("sram_read", 10, 16, "t"), 0.2, 1e-9);
}

TEST(TechTable, FpgaIsCostlierThanAsicPerAction) {
  TechTable a = TechTable::load("asic45"), f = TechTable::load("fpga28");
  for (const char* act : kActions)
    EXPECT_GT(f.pj(act, 8, 4096, "t"), a.pj(act, 8, 4096, "t")) << act;
  EXPECT_DOUBLE_EQ(f.default_toggle_rate(), 0.125);  // XPE default toggle rate
}

TEST(TechTable, UnknownNameListsTheKnownOnes) {
  std::string msg = error_of([] { TechTable::load("asic7"); });
  EXPECT_NE(msg.find("unknown technology \"asic7\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("asic45"), std::string::npos) << msg;
  EXPECT_NE(msg.find("fpga28"), std::string::npos) << msg;
  msg = error_of([] { TechTable::load("/nonexistent/x.toml"); });
  EXPECT_NE(msg.find("/nonexistent/x.toml"), std::string::npos) << msg;
}

const char* kHeader = R"(
[tech]
name = "t"
description = "test"
ref_toggle_rate = 0.5
ref_toggle_rate_source = "s"
default_toggle_rate = 0.25
default_toggle_rate_source = "s"
static_mw = 1.0
static_source = "s"
)";

TEST(TechTable, MissingActionNamesFileActionAndCounter) {
  TechTable t = TechTable::from_text(std::string(kHeader) + R"(
[action.add]
unit = "bit"
pj = 0.1
source = "s"
)",
                                     "my_table.toml");
  std::string msg = error_of([&] { t.pj("mult", 32, 0, "counter engine.mac.a8w4"); });
  EXPECT_NE(msg.find("my_table.toml"), std::string::npos) << msg;
  EXPECT_NE(msg.find("\"mult\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("engine.mac.a8w4"), std::string::npos) << msg;
}

TEST(TechTable, BadTablesAreInputErrors) {
  // No source.
  EXPECT_NE(error_of([] {
              TechTable::from_text(std::string(kHeader) + "[action.add]\nunit=\"bit\"\npj=0.1\n", "x.toml");
            }).find("source"),
            std::string::npos);
  // Negative energy.
  EXPECT_NE(error_of([] {
              TechTable::from_text(std::string(kHeader) +
                                       "[action.add]\nunit=\"bit\"\npj=-1\nsource=\"s\"\n",
                                   "x.toml");
            }).find("pj"),
            std::string::npos);
  // Syntax error, with line number.
  EXPECT_NE(error_of([] { TechTable::from_text("[tech\nname=1", "bad.toml"); }).find("bad.toml:1"),
            std::string::npos);
  // Missing [tech].
  EXPECT_NE(error_of([] { TechTable::from_text("[action.add]\n", "y.toml"); }).find("[tech]"),
            std::string::npos);
}

}  // namespace
}  // namespace ecg::power
