// The golden interpreter against test vectors: the hand-computed tiny networks in
// golden/tests/data/* and every exported network in weights/*/ (PyTorch integer simulation),
// at every layer; and the fast kernels against the reference loops on random inputs.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "ecg/error.h"
#include "ecg/infer.h"
#include "ecg/qnet.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Network directories holding model.json + vectors.json (two levels below each root).
std::vector<std::string> network_dirs() {
  std::vector<std::string> dirs;
  for (const std::string& root : {std::string(ECG_GOLDEN_TEST_DATA), std::string(ECG_SIM_SOURCE_DIR) + "/weights"}) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) continue;
    // <arch>/ and variants below it (e.g. weights/qrcnn/intra/)
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
      if (it.depth() >= 1) it.disable_recursion_pending();
      if (it->is_directory() && fs::exists(it->path() / "model.json")) dirs.push_back(it->path().string());
    }
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

std::string dir_name(const std::string& dir) {
  const std::string parent = fs::path(dir).parent_path().filename().string();
  std::string n = parent + "_" + fs::path(dir).filename().string();
  for (char& c : n)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

json read_json(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

class Vectors : public ::testing::TestWithParam<std::string> {};

TEST_P(Vectors, EveryLayerMatches) {
  const std::string dir = GetParam();
  const ecg::Network net = ecg::load_network(dir + "/model.json");
  ASSERT_TRUE(fs::exists(dir + "/vectors.json")) << dir << " has no vectors.json";
  const json vj = read_json(dir + "/vectors.json");
  const json& vectors = vj.at("vectors");
  ASSERT_FALSE(vectors.empty()) << dir << "/vectors.json has no vectors";
  for (const bool fast : {true, false}) {
    ecg::Interpreter interp(net, ecg::Interpreter::Options{fast});
    std::vector<std::vector<std::int32_t>> layers;
    for (std::size_t v = 0; v < vectors.size(); ++v) {
      const json& vec = vectors[v];
      const auto input = vec.at("input").get<std::vector<std::int32_t>>();
      const auto aux = vec.contains("aux") ? vec.at("aux").get<std::vector<std::int32_t>>() : std::vector<std::int32_t>{};
      const int cls = interp.run_traced(input, aux, layers);
      const std::string where = fmt::format("{} vector {} ({}:{}) fast={}", dir, v, vec.value("record", "?"),
                                            vec.value("sample", 0L), fast);
      std::size_t matched = 0;
      for (std::size_t i = 0; i < net.layers.size(); ++i) {
        const auto it = vec.at("layers").find(net.layers[i].name);
        if (it == vec.at("layers").end()) continue;
        ++matched;
        const auto expect = it->get<std::vector<std::int32_t>>();
        ASSERT_EQ(layers[i].size(), expect.size()) << where << " layer " << net.layers[i].name;
        for (std::size_t j = 0; j < expect.size(); ++j)
          ASSERT_EQ(layers[i][j], expect[j]) << where << " layer " << net.layers[i].name << " ("
                                             << ecg::layer_type_name(net.layers[i].type) << ") element " << j << " of "
                                             << expect.size();
      }
      EXPECT_EQ(matched, vec.at("layers").size()) << where << ": vectors name layers the model lacks";
      EXPECT_EQ(matched, net.layers.size()) << where << ": some layers have no expected output";
      EXPECT_EQ(layers.back(), vec.at("logits").get<std::vector<std::int32_t>>()) << where;
      EXPECT_EQ(cls, vec.at("class").get<int>()) << where;
    }
  }
}

// Fast kernels (acc32, xnor, phase-split strides) equal the reference loops on random
// inputs spanning the whole input range.
TEST_P(Vectors, FastEqualsReferenceOnRandomInputs) {
  const ecg::Network net = ecg::load_network(GetParam() + "/model.json");
  ecg::Interpreter fast(net), ref(net, ecg::Interpreter::Options{false});
  const ecg::Range r = ecg::int_range(net.input.bits, net.input.is_signed);
  std::mt19937 rng(1234);
  std::uniform_int_distribution<std::int64_t> in(r.lo, r.hi), au(0, 255);
  std::vector<std::int32_t> x(static_cast<std::size_t>(net.input.length)), a(static_cast<std::size_t>(net.input.aux_count()));
  std::vector<std::vector<std::int32_t>> lf, lr;
  int compared = 0;
  for (int n = 0; n < 200; ++n) {
    for (auto& v : x) v = static_cast<std::int32_t>(in(rng));
    for (auto& v : a) v = static_cast<std::int32_t>(au(rng));
    std::string ef, er;
    int cf = -1, cr = -1;
    try { cf = fast.run_traced(x, a, lf); } catch (const ecg::InputError& e) { ef = e.what(); }
    try { cr = ref.run_traced(x, a, lr); } catch (const ecg::InputError& e) { er = e.what(); }
    // Random inputs may drive a layer out of its declared range: both must then say so.
    ASSERT_EQ(ef.empty(), er.empty()) << "fast: '" << ef << "' reference: '" << er << "'";
    if (!ef.empty()) continue;
    ASSERT_EQ(cf, cr);
    ASSERT_EQ(lf, lr) << "input " << n;
    ++compared;
  }
  EXPECT_GT(compared, 0);
}

INSTANTIATE_TEST_SUITE_P(Networks, Vectors, ::testing::ValuesIn(network_dirs()),
                         [](const ::testing::TestParamInfo<std::string>& i) { return dir_name(i.param); });

TEST(Interpreter, KernelsChosen) {
  const ecg::Network bnn = ecg::load_network(std::string(ECG_GOLDEN_TEST_DATA) + "/tiny_bnn/model.json");
  ecg::Interpreter ib(bnn);
  EXPECT_EQ(ib.kernel(0), "-");
  EXPECT_EQ(ib.kernel(1), "acc32");  // binary, but 1 input channel: the MAC path is faster
  const ecg::Network mixed = ecg::load_network(std::string(ECG_GOLDEN_TEST_DATA) + "/tiny_mixed/model.json");
  ecg::Interpreter im(mixed);
  EXPECT_EQ(im.kernel(0), "acc32");
  EXPECT_EQ(im.kernel(5), "xnor");
  ecg::Interpreter rm(mixed, ecg::Interpreter::Options{false});
  EXPECT_EQ(rm.kernel(5), "acc32");
}

TEST(Interpreter, ArgmaxFirst) {
  const std::int32_t v[] = {3, 7, 7, -1};
  EXPECT_EQ(ecg::argmax_first(v, 4), 1);
  const std::int32_t w[] = {-5};
  EXPECT_EQ(ecg::argmax_first(w, 1), 0);
}

TEST(Interpreter, OutputRangeViolationIsReported) {
  // Narrow the dense layer's declared output to 2-bit signed: logit 3 or 4 does not fit.
  json m = read_json(std::string(ECG_GOLDEN_TEST_DATA) + "/tiny_mixed/model.json");
  m["layers"][5]["out_bits"] = 2;
  const ecg::Network net = ecg::parse_network(m.dump(), "m.json");
  ecg::Interpreter interp(net);
  std::vector<std::vector<std::int32_t>> layers;
  try {
    interp.run_traced({10, 200, 0, 255, 37, 5, 90, 128}, {}, layers);
    FAIL() << "no error";
  } catch (const ecg::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("m.json: layer 'fc' (dense) output 3 at [0][0] outside its 2-bit signed range [-2, 1]"),
              std::string::npos)
        << e.what();
  }
}

TEST(Interpreter, InputOutsideSpecIsReported) {
  const ecg::Network net = ecg::load_network(std::string(ECG_GOLDEN_TEST_DATA) + "/tiny_mixed/model.json");
  ecg::Interpreter interp(net);
  std::vector<std::vector<std::int32_t>> layers;
  EXPECT_THROW(interp.run_traced({10, 256, 0, 255, 37, 5, 90, 128}, {}, layers), ecg::InputError);
  EXPECT_THROW(interp.run_traced({10, 20}, {}, layers), ecg::InputError);
}

TEST(Interpreter, ClassifyBeatsMatchesSingleRunsWithThreads) {
  const ecg::Network net = ecg::load_network(std::string(ECG_GOLDEN_TEST_DATA) + "/tiny_pow2_aux/model.json");
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> d(0, 255);
  std::vector<ecg::Beat> beats(1000);
  for (std::size_t i = 0; i < beats.size(); ++i) {
    beats[i].record = "r";
    beats[i].sample = static_cast<long>(i);
    for (int t = 0; t < 4; ++t) beats[i].input.push_back(d(rng));
    for (int t = 0; t < 4; ++t) beats[i].aux.push_back(d(rng));
  }
  std::vector<int> pred;
  std::vector<std::vector<std::int32_t>> logits;
  std::size_t last = 0;
  ecg::classify_beats(net, beats, pred, logits, 2, [&](std::size_t n) { last = n; });
  EXPECT_EQ(last, beats.size());
  ecg::Interpreter interp(net, ecg::Interpreter::Options{false});
  std::vector<std::int32_t> l;
  for (std::size_t i = 0; i < beats.size(); ++i) {
    ASSERT_EQ(interp.run(beats[i], l), pred[i]);
    ASSERT_EQ(l, logits[i]);
  }
}

}  // namespace

namespace {

TEST(Interpreter, Acc64WhenSumsMayOverflow32) {
  // A bias near 2^31 makes the worst-case dense sum exceed int32: the 64-bit kernel is used
  // and the in-range result is exact (hand value: -12160 + 2147480000).
  json m = read_json(std::string(ECG_GOLDEN_TEST_DATA) + "/tiny_pow2_aux/model.json");
  m["tensors"]["bp"]["data"][1] = 2147480000;
  m["layers"][2]["out_bits"] = 32;
  m["layers"][3]["hi"] = 32767;
  const ecg::Network net = ecg::parse_network(m.dump(), "m.json");
  ecg::Interpreter interp(net);
  EXPECT_EQ(interp.kernel(2), "acc64");
  std::vector<std::vector<std::int32_t>> layers;
  interp.run_traced({100, 20, 255, 3}, {10, 200, 0, 77}, layers);
  EXPECT_EQ(layers[2], (std::vector<std::int32_t>{313, 2147467840, 284, 313, 312}));
  EXPECT_EQ(layers[3][1], 32767);  // clamped by requant hi
  // Where the sum really overflows the declared 32 bits, it is an error, not a wrap.
  try {
    interp.run_traced({0, 20, 255, 3}, {255, 200, 0, 77}, layers);  // -128*20 + 64*255 + bias
    FAIL() << "no error";
  } catch (const ecg::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("layer 'fc' (dense) output 2147493760"), std::string::npos) << e.what();
  }
}

}  // namespace

namespace {

// Random networks built here exercise the fast kernels at sizes the hand-made ones do not
// reach (multi-word XNOR, strided binary conv, pruned and wide weights, 64-bit sums); the
// reference loops are the format's formulas, so equality on random inputs is the check.
json tensor(std::vector<int> shape, int bits, const std::string& enc, std::mt19937& rng, int lo, int hi,
            double zero_frac = 0) {
  std::size_t n = 1;
  for (int d : shape) n *= static_cast<std::size_t>(d);
  std::uniform_int_distribution<int> d(lo, hi);
  std::uniform_real_distribution<double> z(0, 1);
  std::vector<int> data(n);
  for (auto& v : data) {
    if (enc == "binary") v = d(rng) % 2 ? 1 : -1;
    else if (enc == "pow2") v = z(rng) < zero_frac ? 0 : (d(rng) % 2 ? 1 : -1) * (1 << (d(rng) & 3));
    else v = z(rng) < zero_frac ? 0 : d(rng);
  }
  return {{"shape", shape}, {"bits", bits}, {"signed", true}, {"encoding", enc}, {"data", data}};
}

json synthetic_bnn(std::mt19937& rng) {
  json m = {{"format", "ecg_sim.qnet/1"}, {"arch", "syn_bnn"}, {"classes", {"N", "S", "V", "F", "Q"}},
            {"input", {{"labels", "aami5"}, {"length", 300}, {"norm", "zscore"}, {"bits", 8}, {"signed", true}}}};
  json& t = m["tensors"];
  json layers = json::array();
  layers.push_back({{"name", "sign"}, {"type", "threshold"}, {"t", 0}, {"dir", 1}, {"lo", -1}, {"hi", 1}, {"out_bits", 2}, {"out_signed", true}});
  const int ch[] = {1, 16, 70, 70, 40};
  for (int i = 0; i < 4; ++i) {
    t["w" + std::to_string(i)] = tensor({ch[i + 1], ch[i], 5}, 1, "binary", rng, 0, 1);
    layers.push_back({{"name", "c" + std::to_string(i)}, {"type", "conv1d"}, {"weight", "w" + std::to_string(i)},
                      {"stride", i == 2 ? 2 : 1}, {"pad_left", 2}, {"pad_right", i == 1 ? 3 : 2}, {"pad_value", i % 2 ? -1 : 1},
                      {"out_bits", 16}, {"out_signed", true}});
    layers.push_back({{"name", "p" + std::to_string(i)}, {"type", "maxpool"}, {"k", 3}, {"stride", 2}, {"pad_left", 1}, {"pad_right", 1},
                      {"out_bits", 16}, {"out_signed", true}});
    std::vector<int> th(static_cast<std::size_t>(ch[i + 1])), dir(th.size());
    for (std::size_t c = 0; c < th.size(); ++c) {
      th[c] = static_cast<int>(rng() % 7) - 3;
      dir[c] = rng() % 2 ? 1 : -1;
    }
    layers.push_back({{"name", "t" + std::to_string(i)}, {"type", "threshold"}, {"t", th}, {"dir", dir}, {"lo", -1}, {"hi", 1},
                      {"out_bits", 2}, {"out_signed", true}});
  }
  // 40 channels x 10 samples = 400 binary inputs (7 words) -> binary dense with bias
  t["fw"] = tensor({5, 400}, 1, "binary", rng, 0, 1);
  t["fb"] = tensor({5}, 16, "int", rng, -50, 50);
  layers.push_back({{"name", "fc"}, {"type", "dense"}, {"weight", "fw"}, {"bias", "fb"}, {"out_bits", 16}, {"out_signed", true}});
  m["layers"] = layers;
  return m;
}

json synthetic_int(std::mt19937& rng) {
  json m = {{"format", "ecg_sim.qnet/1"}, {"arch", "syn_int"}, {"classes", {"N", "L", "R", "V"}},
            {"input", {{"labels", "nlrv4"}, {"length", 181}, {"norm", "minmax"}, {"bits", 8}, {"signed", false}}}};
  json& t = m["tensors"];
  t["w0"] = tensor({12, 1, 7}, 8, "int", rng, -128, 127, 0.2);
  t["b0"] = tensor({12}, 32, "int", rng, -5000, 5000);
  t["dw"] = tensor({12, 1, 5}, 4, "pow2", rng, 0, 7, 0.3);
  // grouped pointwise (2 groups) with non-positive weights on non-negative inputs and a bias
  // near 2^31: the sums fit int32 but the worst-case bound does not, forcing 64-bit sums
  t["pw"] = tensor({24, 6, 1}, 8, "int", rng, -128, 0, 0.5);
  t["big"] = tensor({24}, 32, "int", rng, 2147470000, 2147480000);
  t["fw"] = tensor({4, 24 * 23}, 8, "int", rng, -128, 127);
  const std::vector<int> ones12(12, 1), sh12(12, 9), ones24(24, 3), sh24(24, 30);
  m["layers"] = {
      {{"name", "c0"}, {"type", "conv1d"}, {"weight", "w0"}, {"bias", "b0"}, {"stride", 2}, {"pad_left", 3}, {"pad_right", 2},
       {"out_bits", 32}, {"out_signed", true}},
      {{"name", "r0"}, {"type", "requant"}, {"mult", ones12}, {"shift", sh12}, {"lo", 0}, {"hi", 15}, {"out_bits", 4}, {"out_signed", false}},
      {{"name", "dw"}, {"type", "conv1d"}, {"weight", "dw"}, {"groups", 12}, {"stride", 1}, {"pad_left", 2}, {"pad_right", 2},
       {"pad_value", 3}, {"out_bits", 16}, {"out_signed", true}},
      {{"name", "r1"}, {"type", "requant"}, {"mult", 77}, {"shift", 4}, {"lo", 0}, {"hi", 127}, {"out_bits", 8}, {"out_signed", true}},
      {{"name", "pw"}, {"type", "conv1d"}, {"weight", "pw"}, {"bias", "big"}, {"groups", 2}, {"stride", 4}, {"out_bits", 32}, {"out_signed", true}},
      {{"name", "r2"}, {"type", "requant"}, {"mult", ones24}, {"shift", sh24}, {"lo", 0}, {"hi", 255}, {"out_bits", 9}, {"out_signed", true}},
      {{"name", "fc"}, {"type", "dense"}, {"weight", "fw"}, {"out_bits", 32}, {"out_signed", true}},
  };
  return m;
}

void expect_fast_equals_reference(const ecg::Network& net, int n_inputs) {
  ecg::Interpreter fast(net), ref(net, ecg::Interpreter::Options{false});
  const ecg::Range r = ecg::int_range(net.input.bits, net.input.is_signed);
  std::mt19937 rng(99);
  std::uniform_int_distribution<std::int64_t> in(r.lo, r.hi);
  std::vector<std::int32_t> x(static_cast<std::size_t>(net.input.length));
  std::vector<std::vector<std::int32_t>> lf, lr;
  for (int n = 0; n < n_inputs; ++n) {
    for (auto& v : x) v = static_cast<std::int32_t>(in(rng));
    ASSERT_EQ(fast.run_traced(x, {}, lf), ref.run_traced(x, {}, lr));
    for (std::size_t i = 0; i < lf.size(); ++i) ASSERT_EQ(lf[i], lr[i]) << net.arch << " layer " << net.layers[i].name << " input " << n;
  }
}

TEST(Interpreter, SyntheticBinaryNetworkXnorEqualsReference) {
  std::mt19937 rng(5);
  const ecg::Network net = ecg::parse_network(synthetic_bnn(rng).dump(), "syn_bnn");
  ecg::Interpreter interp(net);
  EXPECT_EQ(interp.kernel(1), "acc32");  // 1 input channel
  EXPECT_EQ(interp.kernel(4), "xnor");   // 16 channels
  EXPECT_EQ(interp.kernel(7), "xnor");   // 70 channels: 2 words, stride 2
  EXPECT_EQ(interp.kernel(13), "xnor");  // dense over 400 inputs
  expect_fast_equals_reference(net, 100);
}

TEST(Interpreter, SyntheticIntNetworkEqualsReference) {
  std::mt19937 rng(6);
  const ecg::Network net = ecg::parse_network(synthetic_int(rng).dump(), "syn_int");
  ecg::Interpreter interp(net);
  EXPECT_EQ(interp.kernel(0), "acc32");
  EXPECT_EQ(interp.kernel(4), "acc64");
  expect_fast_equals_reference(net, 100);
}

}  // namespace
