// Loading and validation of model.json: shapes, costs, and one clear error per defect.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "ecg/error.h"
#include "ecg/qnet.h"

namespace {

using nlohmann::json;

const std::string kData = ECG_GOLDEN_TEST_DATA;

json read_json(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

// Parses `model` after `mutate` and returns the InputError message ("" if it loaded).
std::string load_error(const std::function<void(json&)>& mutate, const std::string& base = "tiny_mixed") {
  json model = read_json(kData + "/" + base + "/model.json");
  mutate(model);
  try {
    ecg::parse_network(model.dump(), "m.json");
  } catch (const ecg::InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Qnet, LoadsTinyMixedWithShapesAndCosts) {
  const ecg::Network net = ecg::load_network(kData + "/tiny_mixed/model.json");
  EXPECT_EQ(net.arch, "tiny_mixed");
  EXPECT_EQ(net.classes, (std::vector<std::string>{"N", "L", "R", "V"}));
  ASSERT_EQ(net.layers.size(), 6u);
  const auto& L = net.layers;
  EXPECT_EQ(L[0].type, ecg::LayerType::kConv1d);
  EXPECT_EQ(L[0].out.c, 2);
  EXPECT_EQ(L[0].out.l, 8);
  EXPECT_EQ(L[0].macs, 2u * 8u * 1u * 3u);
  EXPECT_EQ(L[0].in_bits, 8);
  EXPECT_FALSE(L[0].in_signed);
  EXPECT_EQ(L[0].weight_bits, 4);
  EXPECT_EQ(L[2].out.l, 5);  // maxpool k2 s2 pads 1+1 on 8
  EXPECT_EQ(L[3].out.c, 2);  // depthwise, stride 2, pad_right 1
  EXPECT_EQ(L[3].out.l, 3);
  EXPECT_EQ(L[3].macs, 2u * 3u * 1u * 2u);
  EXPECT_EQ(L[5].out.c, 4);
  EXPECT_EQ(L[5].out.l, 1);
  EXPECT_EQ(L[5].macs, 24u);
  EXPECT_EQ(L[5].weight_encoding, ecg::Encoding::kBinary);
  // w0 6x4b=3B, b0 2x32b=8B, w1 4x8b=4B, w2 24x1b=3B, b2 4x16b=8B
  EXPECT_EQ(net.weight_storage_bytes(), 3u + 8u + 4u + 3u + 8u);
  EXPECT_EQ(net.macs_per_beat(), 48u + 12u + 24u);
  EXPECT_GT(net.ops_per_beat(), 2 * net.macs_per_beat());
  EXPECT_EQ(net.max_activation(), 16u);
}

TEST(Qnet, SharedTensorStoredOnce) {
  // Two conv layers naming the same weight (QRCNN-style reuse) count its storage once.
  json model = read_json(kData + "/tiny_bnn/model.json");
  json again = model["layers"][1];
  again["name"] = "bconv_again";
  model["tensors"]["wb1"] = {{"shape", {5, 5, 3}}, {"bits", 1}, {"signed", true}, {"encoding", "binary"},
                             {"data", std::vector<int>(75, 1)}};
  again["weight"] = "wb1";
  json layers = json::array({model["layers"][0], model["layers"][1], again, again, model["layers"][2]});
  layers[3]["name"] = "bconv_third";
  model["layers"] = layers;
  const ecg::Network net = ecg::parse_network(model.dump(), "m.json");
  EXPECT_EQ(net.layers[2].weight, net.layers[3].weight);
  EXPECT_EQ(net.weight_storage_bytes(), 2u + 10u);  // 15 bits + 75 bits
}

TEST(Qnet, MissingFileNamesIt) {
  try {
    ecg::load_network("/nonexistent/model.json");
    FAIL();
  } catch (const ecg::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model.json"), std::string::npos);
  }
}

TEST(Qnet, NotJson) {
  try {
    ecg::parse_network("{\"format\": ", "m.json");
    FAIL();
  } catch (const ecg::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("m.json: not valid JSON"), std::string::npos);
  }
}

struct BadCase {
  const char* what;
  std::function<void(json&)> mutate;
  const char* expect;  // substring of the one-line message
};

TEST(Qnet, StructuralErrorsNameTheKey) {
  const std::vector<BadCase> cases = {
      {"format", [](json& m) { m["format"] = "other/2"; }, "m.json: format: unsupported format"},
      {"no tensors", [](json& m) { m.erase("tensors"); }, "m.json: tensors: missing key"},
      {"no layers", [](json& m) { m["layers"] = json::array(); }, "m.json: layers: expected a non-empty array"},
      {"classes", [](json& m) { m["classes"] = {"N", "S", "V", "F"}; }, "m.json: classes:"},
      {"shape vs data", [](json& m) { m["tensors"]["w0"]["shape"] = {2, 1, 4}; },
       "m.json: tensors.w0.data: has 6 values, shape [2,1,4] needs 8"},
      {"int4 range", [](json& m) { m["tensors"]["w0"]["data"][2] = 8; },
       "m.json: tensors.w0.data[2]: value 8 outside 4-bit signed range [-8, 7]"},
      {"float value", [](json& m) { m["tensors"]["w0"]["data"][0] = 0.5; },
       "m.json: tensors.w0.data[0]: expected an integer"},
      {"binary value", [](json& m) { m["tensors"]["w2"]["data"][3] = 0; },
       "m.json: tensors.w2.data[3]: value 0 is not -1/+1"},
      {"binary bits", [](json& m) { m["tensors"]["w2"]["bits"] = 2; }, "m.json: tensors.w2.bits: binary"},
      {"encoding", [](json& m) { m["tensors"]["w0"]["encoding"] = "float"; },
       "m.json: tensors.w0.encoding: unknown encoding 'float'"},
      {"missing bits", [](json& m) { m["tensors"]["w1"].erase("bits"); }, "m.json: tensors.w1.bits: missing key"},
      {"layer type", [](json& m) { m["layers"][2]["type"] = "avgpool"; },
       "m.json: layers[2].type: unknown layer type 'avgpool'"},
      {"unknown key", [](json& m) { m["layers"][0]["dilation"] = 2; },
       "m.json: layers[0].dilation: unknown key for a conv1d layer"},
      {"unknown tensor", [](json& m) { m["layers"][0]["weight"] = "nope"; },
       "m.json: layers[0].weight: unknown tensor 'nope'"},
      {"conv in channels", [](json& m) { m["layers"][3]["groups"] = 1; },
       "m.json: layers[3].weight: tensor 'w1' shape [2,1,2] expects 1 input channels, the layer gets 2"},
      {"bias shape", [](json& m) { m["layers"][5]["bias"] = "b0"; },
       "m.json: layers[5].bias: tensor 'b0' has shape [2], expected [4]"},
      {"dense inputs", [](json& m) { m["layers"].erase(4); m["layers"][3]["pad_right"] = 3; },
       "m.json: layers[4].weight: tensor 'w2' shape [4,6] expects 6 inputs, the layer gets 8"},
      {"requant len", [](json& m) { m["layers"][1]["mult"] = {1, 2, 3}; },
       "m.json: layers[1].mult: has 3 values, expected 2 (channels)"},
      {"requant shift", [](json& m) { m["layers"][1]["shift"] = {7, 63}; },
       "m.json: layers[1].shift[1]: value 63 outside [0, 62]"},
      {"requant hi vs out_bits", [](json& m) { m["layers"][1]["hi"] = 8; },
       "m.json: layers[1].hi: value 8 outside [-8, 7]"},
      {"threshold dir", [](json& m) { m["layers"][4]["dir"] = {1, 0}; }, "m.json: layers[4].dir[1]"},
      {"out_bits missing", [](json& m) { m["layers"][2].erase("out_bits"); },
       "m.json: layers[2].out_bits: missing key"},
      {"maxpool pad", [](json& m) { m["layers"][2]["pad_left"] = 2; },
       "m.json: layers[2].pad_left: value 2 outside [0, 1]"},
      {"stride 0", [](json& m) { m["tensors"]["w1"]["shape"] = {2, 1, 1}; m["tensors"]["w1"]["data"] = {1, 1};
                                        m["layers"][3]["stride"] = 0; },
       "m.json: layers[3].stride: value 0 outside"},
      {"last layer", [](json& m) { m["layers"].erase(5); }, "m.json: layers[4]: the last layer outputs 2x3, expected 4x1"},
      {"duplicate name", [](json& m) { m["layers"][1]["name"] = "conv0"; }, "duplicate layer name 'conv0'"},
      {"pad_value range", [](json& m) { m["layers"][3]["pad_value"] = 8; },
       "m.json: layers[3].pad_value: value 8 outside [-8, 7]"},
  };
  for (const BadCase& c : cases) {
    const std::string msg = load_error(c.mutate);
    EXPECT_NE(msg.find(c.expect), std::string::npos) << c.what << ": got '" << msg << "'";
    EXPECT_EQ(msg.find('\n'), std::string::npos) << c.what << ": message must be one line";
  }
}

TEST(Qnet, Pow2AndAuxErrors) {
  EXPECT_NE(load_error([](json& m) { m["tensors"]["wp"]["data"][0] = 3; }, "tiny_pow2_aux")
                .find("m.json: tensors.wp.data[0]: value 3 is not 0 or +-2^e with e in [0, 7]"),
            std::string::npos);
  EXPECT_NE(load_error([](json& m) { m["tensors"]["wp"]["data"][0] = 256; }, "tiny_pow2_aux")
                .find("tensors.wp.data[0]: value 256 is not"),
            std::string::npos);
  EXPECT_NE(load_error([](json& m) { m["layers"][1]["count"] = 3; }, "tiny_pow2_aux")
                .find("m.json: layers[1].count: count 3 but input.aux 'rr4' provides 4"),
            std::string::npos);
  EXPECT_NE(load_error([](json& m) { m["layers"][3]["shift"] = "bp"; }, "tiny_pow2_aux")
                .find("m.json: layers[3].shift: tensor 'bp' value 12000 at [1] outside [0, 62]"),
            std::string::npos);
  EXPECT_EQ(load_error([](json&) {}, "tiny_pow2_aux"), "");
}

TEST(Qnet, ModelPath) { EXPECT_EQ(ecg::model_path("w", "bnn"), "w/bnn/model.json"); }

}  // namespace
