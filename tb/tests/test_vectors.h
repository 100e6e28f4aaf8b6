#pragma once
// A network's test vectors (weights/<arch>/vectors.json, docs/qnet-format.md): the beats
// (input + aux) and their expected logits and class. For the RTL engine tests.
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ecg/beats.h"

namespace ecg::rtl {

struct TestVectors {
  std::vector<Beat> beats;
  std::vector<std::vector<std::int32_t>> logits;
  std::vector<int> classes;
};

inline TestVectors load_test_vectors(const std::string& vectors_json) {
  TestVectors t;
  std::ifstream in(vectors_json);
  const auto j = nlohmann::json::parse(in);
  for (const auto& v : j.at("vectors")) {
    Beat b;
    b.input = v.at("input").get<std::vector<std::int32_t>>();
    b.aux = v.at("aux").get<std::vector<std::int32_t>>();
    t.beats.push_back(b);
    t.logits.push_back(v.at("logits").get<std::vector<std::int32_t>>());
    t.classes.push_back(v.at("class").get<int>());
  }
  return t;
}

}  // namespace ecg::rtl
