// The Verilated seq engine against the golden test vectors: logits and class bit-exact,
// cycles per beat equal to the docs/engines.md formula (and to the engine's own CSR count),
// random output backpressure changes nothing but time. One SystemC bench per process.
#include <gtest/gtest.h>
#include <fmt/format.h>

#include <systemc>  // declares extern "C" sc_main
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "ecg/error.h"
#include "ecg/qnet.h"
#include "engine_bench.h"
#include "seq_program.h"
#include "test_vectors.h"
#include "vcd_changes.h"
#include <filesystem>
#include <unistd.h>

namespace ecg::rtl {
namespace {

struct Case : TestVectors {
  Network net;
};

Case load_case(const std::string& dir) {
  Case c;
  c.net = load_network(dir + "/model.json");
  static_cast<TestVectors&>(c) = load_test_vectors(dir + "/vectors.json");
  return c;
}

std::string tiny(const std::string& name) { return std::string(ECG_GOLDEN_TEST_DATA) + "/" + name; }
std::string trained(const std::string& arch) { return std::string(ECG_SIM_SOURCE_DIR) + "/weights/" + arch; }

void check_case(const std::string& arch, const std::string& dir, double backpressure) {
  const Case c = load_case(dir);
  ASSERT_FALSE(c.beats.empty());
  BenchOptions opt;
  opt.backpressure = backpressure;
  auto bench = default_variant("seq", arch).make(opt);
  const SeqProgram prog = compile_seq(c.net, bench->seq_hw());
  bench->load(prog);
  // Each vector three times: the engine must not carry state from one beat to the next.
  std::vector<Beat> beats;
  for (int rep = 0; rep < 3; ++rep) beats.insert(beats.end(), c.beats.begin(), c.beats.end());
  std::vector<BeatResult> out;
  bench->run(beats, out, nullptr);
  ASSERT_EQ(out.size(), beats.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::size_t v = i % c.beats.size();
    EXPECT_EQ(out[i].logits, c.logits[v]) << "beat " << i;
    EXPECT_EQ(out[i].predicted, c.classes[v]) << "beat " << i;
    if (backpressure == 0.0) {
      EXPECT_EQ(out[i].cycles, prog.cycles_per_beat()) << "beat " << i;
    } else {
      EXPECT_GE(out[i].cycles, prog.cycles_per_beat()) << "beat " << i;
    }
    EXPECT_EQ(out[i].csr_cycles, out[i].cycles) << "beat " << i;
  }
  EXPECT_EQ(bench->read_reg(seq::csr_addr(seq::kCsrBeats)), beats.size());
  ::testing::Test::RecordProperty("cycles_per_beat", std::to_string(out[0].cycles));
  ::testing::Test::RecordProperty("logit0", std::to_string(out[0].logits.at(0)));
}

TEST(SeqEngine, TinyMixedOnInt4) { check_case("qrcnn", tiny("tiny_mixed"), 0.0); }
TEST(SeqEngine, TinyMixedOnInt4Backpressure) { check_case("qrcnn", tiny("tiny_mixed"), 0.6); }
TEST(SeqEngine, QrcnnTrainedVectors) { check_case("qrcnn", trained("qrcnn"), 0.0); }
TEST(SeqEngine, QrcnnTrainedVectorsBackpressure) { check_case("qrcnn", trained("qrcnn"), 0.5); }
TEST(SeqEngine, TinyBnnOnXnor) { check_case("bnn", tiny("tiny_bnn"), 0.0); }
TEST(SeqEngine, TinyBnnOnXnorBackpressure) { check_case("bnn", tiny("tiny_bnn"), 0.6); }
TEST(SeqEngine, BnnTrainedVectors) { check_case("bnn", trained("bnn"), 0.0); }
TEST(SeqEngine, Int2kdTrainedVectors) { check_case("int2kd", trained("int2kd"), 0.0); }
TEST(SeqEngine, LogqTrainedVectorsOnShiftAdd) { check_case("logq", trained("logq"), 0.0); }
TEST(SeqEngine, LogqTrainedVectorsBackpressure) { check_case("logq", trained("logq"), 0.6); }
// dwsep on the seq engine (its UP5K default): the depthwise convolutions run as lane-wise
// OpDw passes (one tap per chunk).
TEST(SeqEngine, DwsepTrainedVectorsDepthwise) { check_case("dwsep", trained("dwsep"), 0.0); }
TEST(SeqEngine, DwsepTrainedVectorsBackpressure) { check_case("dwsep", trained("dwsep"), 0.6); }
// Its memories are exactly what the trained network needs; the 3272 x 32-bit weight rows
// (400 of them the depthwise layers': 80 channels x 5 taps) exceed HugeBits and sit in SPRAM.
// Each depthwise layer is one OpDw pass of k chunks per output (as full convolutions with zero
// weights outside each channel's group they took k x ceil(C / simd) chunks and 2880 rows).
TEST(SeqEngine, DwsepVariantIsSizedFromItsNetwork) {
  const Case c = load_case(trained("dwsep"));
  const Variant& v = default_variant("seq", "dwsep");
  const SeqProgram p = compile_seq(c.net, v.seq_hw());
  EXPECT_EQ(p.weight_rows, v.wgt_rows);
  EXPECT_EQ(p.weight_rows, 3272);
  int ndw = 0;
  for (const SeqPass& s : p.passes) {
    if ((s.desc[seq::kDfCtrl] & 3) != static_cast<std::int32_t>(seq::kOpDw)) continue;
    SCOPED_TRACE(s.layers);
    ++ndw;
    EXPECT_EQ(s.nchunk, 5u);                  // k = 5 taps, one word each
    EXPECT_EQ(s.desc[seq::kDfNCw], 1);
    EXPECT_EQ(s.nog * v.pe, s.cout);          // pe 1: one group per channel
  }
  EXPECT_EQ(ndw, 3);
  EXPECT_EQ(p.param_entries, v.par_depth);
  EXPECT_EQ(p.act_words_a, v.act_a);
  EXPECT_EQ(p.act_words_b, v.act_b);
  EXPECT_EQ(v.pe * v.simd * v.wbits, 32);
  EXPECT_GT(v.wgt_rows * 32, 65536);  // seq_engine's HugeBits default: single-port SPRAM
}
// dwsep's larger seq shape (pe 4 x simd 8, the xc7a35t-class shape of the other four archs,
// bench/cosim_full.sh -L): its memories are the larger of what its two trained networks need
// (the AAMI-5 default, weights/aami/dwsep, and the paper's, weights/dwsep), and both run on it.
TEST(SeqEngine, DwsepP4s8VariantIsSizedFromItsNetworks) {
  const Variant& v = find_variant("seq", "dwsep", 4, 8);
  int rows = 0, par = 0, a = 0, b = 0;
  for (const std::string& dir : {trained("aami/dwsep"), trained("dwsep")}) {
    SCOPED_TRACE(dir);
    const SeqProgram p = compile_seq(load_network(dir + "/model.json"), v.seq_hw());
    std::cout << dir << ": weight rows " << p.weight_rows << ", parameters " << p.param_entries
              << ", activation words A " << p.act_words_a << " B " << p.act_words_b << "\n";
    rows = std::max(rows, p.weight_rows);
    par = std::max(par, p.param_entries);
    a = std::max(a, p.act_words_a);
    b = std::max(b, p.act_words_b);
  }
  EXPECT_EQ(rows, v.wgt_rows);
  EXPECT_EQ(par, v.par_depth);
  EXPECT_EQ(a, v.act_a);
  EXPECT_EQ(b, v.act_b);
}
// One registry for both engines: every variant names its style; a lookup finds it by (style,
// arch, shape); the default of a (style, arch) is the first listed; asking an arch for a style
// it does not have names the styles it has.
TEST(Variants, OneRegistryServesBothEngines) {
  ASSERT_FALSE(variants().empty());
  for (const Variant& v : variants()) {
    SCOPED_TRACE(v.name);
    ASSERT_TRUE(v.style == "seq" || v.style == "pipe");
    EXPECT_EQ(v.name.rfind(v.style + "_", 0), 0u);  // rtl/CMakeLists.txt names them so
    EXPECT_TRUE(v.make != nullptr);
    EXPECT_EQ(v.style == "pipe", v.stages > 0);
    EXPECT_EQ(v.style == "seq", v.wbits > 0);
    EXPECT_EQ(find_variant(v.style, v.arch, v.pe, v.simd).name, v.name);
    EXPECT_TRUE(has_variant(v.arch, v.style));
    EXPECT_TRUE(has_variant(v.arch));
    for (const Variant& d : variants())
      if (d.style == v.style && d.arch == v.arch) {
        EXPECT_EQ(default_variant(v.style, v.arch).name, d.name);
        break;
      }
    const std::string other = v.style == "seq" ? "pipe" : "seq";
    if (!has_variant(v.arch, other)) {
      try {
        find_variant(other, v.arch, v.pe, v.simd);
        ADD_FAILURE() << "expected InputError";
      } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("has engine.style " + v.style), std::string::npos) << e.what();
      }
    }
    try {
      find_variant(v.style, v.arch, 999, 999);
      ADD_FAILURE() << "expected InputError";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(fmt::format("pe={} simd={};", v.pe, v.simd)), std::string::npos)
          << e.what();
    }
  }
  EXPECT_FALSE(has_variant("nonet"));
  EXPECT_THROW(default_variant("seq", "nonet"), InputError);
}

// The logq engine's 4-bit codes {sign, e + 1} hold exponents up to 6 (logq's weights reach
// 2^6); the tiny test network has a 2^7 weight: the loader says so instead of running it.
TEST(SeqEngine, TinyPow2WithExponent7IsRejectedBy4BitCodes) {
  const Case c = load_case(tiny("tiny_pow2_aux"));
  SeqHw hw = default_variant("seq", "logq").seq_hw();
  try {
    compile_seq(c.net, hw);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("weight -128 needs a wider shift code"), std::string::npos)
        << e.what();
  }
}

// --trace: the waveform shows the stream handshakes and the sequencer at work.
TEST(SeqEngine, TraceShowsHandshakesAndPasses) {
  const Case c = load_case(trained("qrcnn"));
  BenchOptions opt;
  const auto vcd = std::filesystem::temp_directory_path() /
                   ("ecg_sim_seq_trace_" + std::to_string(::getpid()) + ".vcd");
  opt.trace_file = vcd.string();
  auto bench = default_variant("seq", "qrcnn").make(opt);
  const SeqProgram prog = compile_seq(c.net, bench->seq_hw());
  bench->load(prog);
  std::vector<BeatResult> out;
  bench->run(c.beats, out, nullptr);
  bench->close_trace();
  const auto changes = vcd_changes(vcd.string());
  ASSERT_TRUE(changes.count("in_valid_i"));
  EXPECT_GE(changes.at("in_valid_i"), 2 * static_cast<int>(c.beats.size()));
  EXPECT_GE(changes.at("out_valid_o"), 2 * static_cast<int>(c.beats.size()));
  ASSERT_TRUE(changes.count("state_q"));
  EXPECT_GE(changes.at("state_q"), static_cast<int>(c.beats.size() * prog.passes.size() * 2));
  EXPECT_EQ(out[0].logits, c.logits[0]);
  if (!std::getenv("ECG_KEEP_VCD")) std::filesystem::remove(vcd);
}

}  // namespace
}  // namespace ecg::rtl

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
