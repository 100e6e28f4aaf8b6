#include "ecg/run/report.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "ecg/error.h"

namespace ecg {

using nlohmann::json;
namespace fs = std::filesystem;

Report make_report(const Network& net, const std::string& mode, const std::vector<std::string>& records,
                   const std::string& split, const Metrics& m) {
  Report r;
  r.arch = net.arch;
  r.mode = mode;
  r.records = records;
  r.split = split;
  r.metrics = m;
  NetworkReport& n = r.network;
  n.model = net.origin;
  n.task = net.input.task;
  n.labels = net.input.labels;
  n.input_length = net.input.length;
  n.input_bits = net.input.bits;
  for (const Tensor& t : net.tensors) n.params += t.numel();
  for (const Layer& l : net.layers) {
    LayerReport lr;
    lr.name = l.name;
    lr.type = layer_type_name(l.type);
    lr.in_c = l.in.c;
    lr.in_l = l.in.l;
    lr.out_c = l.out.c;
    lr.out_l = l.out.l;
    lr.out_bits = l.out_bits;
    lr.macs = l.macs;
    lr.ops = l.ops;
    if (l.weight >= 0) lr.weight_bits = l.weight_bits;
    n.layers.push_back(lr);
  }
  r.hardware.ops_per_beat = net.ops_per_beat();
  r.hardware.macs_per_beat = net.macs_per_beat();
  r.hardware.weight_storage_bytes = net.weight_storage_bytes();
  return r;
}

void set_latency(Report& report, const std::vector<std::uint64_t>& cycles, double clock_mhz) {
  HardwareReport& hw = report.hardware;
  hw.clock_mhz = clock_mhz;
  if (cycles.empty()) return;
  const auto [lo, hi] = std::minmax_element(cycles.begin(), cycles.end());
  double sum = 0;
  for (std::uint64_t c : cycles) sum += static_cast<double>(c);
  const double mean = sum / static_cast<double>(cycles.size());
  hw.latency_cycles = CycleSpan{*lo, *hi, mean};
  hw.latency_us = Span{static_cast<double>(*lo) / clock_mhz, mean / clock_mhz, static_cast<double>(*hi) / clock_mhz};
}

void set_sim_timing(Report& report, double wall_s, std::size_t beats) {
  report.sim.wall_s = wall_s;
  report.sim.beats_per_s = wall_s > 0 ? std::optional<double>(static_cast<double>(beats) / wall_s) : std::nullopt;
}

void check_output_path(const std::string& path, const std::string& flag) {
  if (path.empty()) throw InputError(fmt::format("{}: empty file name", flag));
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw InputError(fmt::format("{} {}: is a directory", flag, path));
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (!fs::is_directory(dir, ec)) throw InputError(fmt::format("{} {}: directory {} does not exist", flag, path, dir.string()));
  if (::access(dir.c_str(), W_OK) != 0)
    throw InputError(fmt::format("{} {}: directory {} is not writable", flag, path, dir.string()));
  if (fs::exists(path, ec) && ::access(path.c_str(), W_OK) != 0)
    throw InputError(fmt::format("{} {}: file is not writable", flag, path));
}

namespace {

bool has_type(const json& v, const std::string& t) {
  if (t == "object") return v.is_object();
  if (t == "array") return v.is_array();
  if (t == "string") return v.is_string();
  if (t == "integer") return v.is_number_integer() || (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>());
  if (t == "number") return v.is_number();
  if (t == "boolean") return v.is_boolean();
  if (t == "null") return v.is_null();
  return false;
}

void check(const json& v, const json& s, const std::string& path, std::vector<std::string>& out) {
  const std::string where = path.empty() ? "(top level)" : path;
  if (auto t = s.find("type"); t != s.end()) {
    bool ok = false;
    if (t->is_string()) ok = has_type(v, t->get<std::string>());
    for (const auto& alt : t->is_array() ? *t : json::array()) ok = ok || has_type(v, alt.get<std::string>());
    if (!ok) {
      out.push_back(fmt::format("{}: {}, expected {}", where, v.type_name(), t->dump()));
      return;
    }
  }
  if (auto e = s.find("enum"); e != s.end() && std::find(e->begin(), e->end(), v) == e->end())
    out.push_back(fmt::format("{}: {} not in {}", where, v.dump(), e->dump()));
  if (v.is_number()) {
    if (auto mn = s.find("minimum"); mn != s.end() && v.get<double>() < mn->get<double>())
      out.push_back(fmt::format("{}: {} below minimum {}", where, v.dump(), mn->dump()));
    if (auto mx = s.find("maximum"); mx != s.end() && v.get<double>() > mx->get<double>())
      out.push_back(fmt::format("{}: {} above maximum {}", where, v.dump(), mx->dump()));
  }
  if (v.is_object()) {
    for (const auto& k : s.value("required", json::array()))
      if (!v.contains(k.get<std::string>())) out.push_back(fmt::format("{}: missing required key {}", where, k.dump()));
    const json props = s.value("properties", json::object());
    for (auto it = v.begin(); it != v.end(); ++it) {
      const std::string sub = path.empty() ? it.key() : path + "." + it.key();
      if (props.contains(it.key()))
        check(it.value(), props[it.key()], sub, out);
      else if (s.contains("additionalProperties") && s["additionalProperties"].is_object())
        check(it.value(), s["additionalProperties"], sub, out);
    }
  }
  if (v.is_array() && s.contains("items"))
    for (std::size_t i = 0; i < v.size(); ++i) check(v[i], s["items"], fmt::format("{}[{}]", where, i), out);
}

}  // namespace

std::vector<std::string> schema_problems(const json& doc, const json& schema) {
  std::vector<std::string> out;
  check(doc, schema, "", out);
  return out;
}

}  // namespace ecg
