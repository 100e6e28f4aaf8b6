#include "ecg/power/model.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ecg/error.h"

namespace ecg::power {
namespace {

// Counters that measure time or events but carry no switching energy of their own.
bool is_non_energy(const std::string& c) {
  return c == "engine.beats" || c == "engine.cycles.idle" || c == "bus.transactions" ||
         c == "bus.cycles.busy";
}

InputError unknown(const std::string& c) {
  return InputError(fmt::format(
      "power model: activity counter \"{}\" has no energy mapping (power/src/model.cpp, "
      "docs/power.md lists the names)",
      c));
}

}  // namespace

CounterCost counter_cost(const std::string& c, const HwShape& hw) {
  static const std::regex kMac(R"(engine\.mac\.a(\d+)w(\d+))");
  static const std::regex kAddsub(R"(engine\.addsub\.a(\d+))");
  static const std::regex kShiftAdd(R"(engine\.shift_add\.a(\d+))");
  static const std::regex kAdd(R"(engine\.add\.(\d+)b)");
  static const std::regex kCompare(R"(engine\.compare\.(\d+)b)");
  static const std::regex kReg(R"(engine\.reg\.([a-z0-9_]+)\.(\d+)b)");
  static const std::regex kMem(R"(mem\.([a-z0-9_]+)\.(read|write)\.(\d+)b)");
  CounterCost k;
  if (is_non_energy(c)) return k;
  k.energy = true;
  k.block = "datapath";
  std::smatch m;
  auto num = [&](int i) { return std::stod(m[i].str()); };
  if (c == "engine.cycles.busy") {
    k.block = "clock";
    k.activity_scaled = false;
    k.terms = {{"clock", hw.clocked_bits, 0}};
    k.nominal_bits = 0;
  } else if (std::regex_match(c, m, kMac)) {
    const double a = num(1), w = num(2);
    k.terms = {{hw.mult_action, a * w, 0}, {"add", a + w, 0}};
    k.nominal_bits = 2 * (a + w);
  } else if (c == "engine.xnor_popcount") {
    k.terms = {{"xnor_popcount", 1, 0}};
    k.nominal_bits = 3;
  } else if (std::regex_match(c, m, kAddsub)) {
    k.terms = {{"add", num(1), 0}};
    k.nominal_bits = 2 * num(1);
  } else if (std::regex_match(c, m, kShiftAdd)) {
    k.terms = {{"shift", num(1), 0}, {"add", num(1), 0}};
    k.nominal_bits = 2 * num(1);
  } else if (std::regex_match(c, m, kAdd)) {
    k.terms = {{"add", num(1), 0}};
    k.nominal_bits = 2 * num(1);
  } else if (std::regex_match(c, m, kCompare)) {
    k.terms = {{"compare", num(1), 0}};
    k.nominal_bits = 2 * num(1);
  } else if (c == "engine.requant") {
    k.terms = {{"requant", 1, 0}};
    k.nominal_bits = 40;  // 32-bit accumulator in, 8-bit activation out
  } else if (std::regex_match(c, m, kReg)) {
    const double n = num(2);
    if (m[1].str() == "acc") k.terms = {{"add", n, 0}, {"reg", n, 0}};
    else k.terms = {{"reg", n, 0}};
    k.nominal_bits = (m[1].str() == "acc" ? 2 : 1) * n;
  } else if (std::regex_match(c, m, kMem)) {
    const std::string key = m[1].str();
    const bool read = m[2].str() == "read";
    const double n = num(3);
    k.block = "mem." + key;
    k.nominal_bits = n;
    if (key == "linebuf") {
      k.terms = {{read ? "regfile_read" : "regfile_write", n, 0}};
    } else {
      auto it = hw.mem_bytes.find(key);
      if (it == hw.mem_bytes.end())
        throw InputError(fmt::format("power model: counter \"{}\": size of memory \"{}\" unknown", c, key));
      k.terms = {{read ? "sram_read" : "sram_write", n, it->second}};
    }
  } else if (c == "bus.bytes" || c == "dma.bytes") {
    k.block = "platform";
    k.terms = {{c == "bus.bytes" ? "bus" : "dma", 1, 0}};
    k.nominal_bits = 8;
  } else if (c == "csr.accesses") {
    k.block = "platform";
    k.terms = {{"csr", 1, 0}};
    k.nominal_bits = 32;
  } else {
    throw unknown(c);
  }
  return k;
}

std::map<std::string, double> nominal_bits(const Activity& act, const HwShape& hw) {
  std::map<std::string, double> bits;
  for (const auto& [name, n] : act.counters) {
    CounterCost k = counter_cost(name, hw);
    if (k.energy && k.activity_scaled) bits[k.block] += static_cast<double>(n) * k.nominal_bits;
  }
  return bits;
}

Estimate estimate(const Activity& act, const HwShape& hw, const TechTable& tech,
                  const std::map<std::string, double>& rates, double static_mw,
                  const std::string& rates_from) {
  Estimate e;
  e.tech = tech.name();
  e.tech_file = tech.file();
  e.rates_from = rates_from;
  for (const auto& [name, n] : act.counters) {
    CounterCost k = counter_cost(name, hw);
    if (!k.energy) continue;
    BlockEnergy& b = e.blocks[k.block];
    double pj = 0;
    for (const Term& t : k.terms) pj += tech.pj(t.action, t.units, t.size_bytes, "counter " + name);
    b.nominal_pj += pj * static_cast<double>(n);
    if (k.activity_scaled) b.nominal_bits += k.nominal_bits * static_cast<double>(n);
  }
  for (auto& [block, b] : e.blocks) {
    if (block == "clock") {
      b.toggle_rate = 0;  // clock energy does not depend on data toggles
      b.pj = b.nominal_pj;
    } else {
      auto it = rates.find(block);
      b.toggle_rate = it != rates.end() ? it->second : tech.default_toggle_rate();
      b.pj = b.nominal_pj * b.toggle_rate / tech.ref_toggle_rate();
    }
    e.dynamic_pj += b.pj;
  }
  for (const auto& [name, n] : act.counters) {
    CounterCost k = counter_cost(name, hw);
    if (!k.energy || k.block != "datapath" || n == 0) continue;
    double pj = 0;
    for (const Term& t : k.terms) pj += tech.pj(t.action, t.units, t.size_bytes, "counter " + name);
    const BlockEnergy& b = e.blocks.at("datapath");
    e.per_count_pj[name] = pj * b.toggle_rate / tech.ref_toggle_rate();
  }
  e.seconds = act.seconds;
  e.beats = act.beats;
  e.static_mw = static_mw >= 0 ? static_mw : tech.static_mw();
  e.dynamic_mw = act.seconds > 0 ? e.dynamic_pj * 1e-9 / act.seconds : 0.0;  // pJ/s -> mW
  e.total_mw = e.dynamic_mw + e.static_mw;
  if (act.beats > 0) {
    e.dynamic_energy_uj_per_beat = e.dynamic_pj * 1e-6 / act.beats;
    e.energy_uj_per_beat = (e.dynamic_pj * 1e-6 + e.static_mw * 1e3 * act.seconds) / act.beats;
  }
  if (act.seconds > 0) {
    const double ops_per_s = act.ops_per_beat * act.beats / act.seconds;
    if (e.total_mw > 0) e.gops_per_w = ops_per_s * 1e-9 / (e.total_mw * 1e-3);
    if (e.dynamic_mw > 0) e.dynamic_gops_per_w = ops_per_s * 1e-9 / (e.dynamic_mw * 1e-3);
  }
  return e;
}

std::map<std::string, double> toggle_rates(const std::map<std::string, double>& block_toggles,
                                           const Activity& act, const HwShape& hw) {
  std::map<std::string, double> bits = nominal_bits(act, hw);
  std::map<std::string, double> r;
  for (const auto& [block, toggles] : block_toggles) {
    if (block == "-" || block == "unassigned") continue;  // control, ports counted twice, unmatched
    auto it = bits.find(block);
    if (it == bits.end() || it->second <= 0) {
      if (toggles > 0)
        throw InputError(fmt::format(
            "power calibration: RTL block \"{}\" toggled {} times but no activity counter maps to it",
            block, toggles));
      continue;
    }
    r[block] = toggles / it->second;
  }
  return r;
}

PowerReport Estimate::report() const {
  PowerReport r;
  r.dynamic_mw = dynamic_mw;
  r.static_mw = static_mw;
  r.total_mw = total_mw;
  r.energy_uj_per_beat = energy_uj_per_beat;
  r.gops_per_w = gops_per_w;
  PowerDetail& d = r.detail;
  d.tech = tech;
  d.tech_file = tech_file;
  d.toggle_rates_from = rates_from;
  d.dynamic_uj_per_beat = dynamic_energy_uj_per_beat;
  d.dynamic_gops_per_w = dynamic_gops_per_w;
  d.simulated_s = seconds;
  d.per_op_pj = per_count_pj;
  for (const auto& [name, b] : blocks) {
    PowerBlockReport& pb = d.blocks[name];
    pb.dynamic_uj_per_beat = beats > 0 ? b.pj * 1e-6 / beats : 0.0;
    pb.dynamic_mw = seconds > 0 ? b.pj * 1e-9 / seconds : 0.0;
    pb.nominal_pj = b.nominal_pj;
    if (name != "clock") {
      pb.toggle_rate = b.toggle_rate;
      pb.nominal_bits = b.nominal_bits;
    }
  }
  return r;
}

Calibration load_calibration(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: cannot open power calibration", path));
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: not valid JSON ({})", path, e.what()));
  }
  Calibration c;
  c.file = path;
  if (!j.is_object() || !j.contains("arch") || !j["arch"].is_string() ||
      !j.contains("toggle_rate") || !j["toggle_rate"].is_object())
    throw InputError(fmt::format("{}: a power calibration needs \"arch\" and a \"toggle_rate\" object", path));
  c.arch = j["arch"].get<std::string>();
  for (const auto& [block, v] : j["toggle_rate"].items()) {
    if (!v.is_number() || v.get<double>() < 0)
      throw InputError(fmt::format("{}: toggle_rate.{} must be a number >= 0", path, block));
    c.toggle_rate[block] = v.get<double>();
  }
  if (j.contains("provenance")) c.provenance = j["provenance"];
  return c;
}

void save_calibration(const Calibration& c, const std::string& path) {
  nlohmann::json j = {{"arch", c.arch}, {"toggle_rate", c.toggle_rate}, {"provenance", c.provenance}};
  std::ofstream out(path);
  if (!out) throw InputError(fmt::format("{}: cannot write power calibration", path));
  out << j.dump(2) << "\n";
}

std::string default_calibration_path(const std::string& arch) {
  const char* env = std::getenv("ECG_POWER_CALIB_DIR");
  const std::string dir = env && *env ? env : ECG_POWER_CALIB_DIR;
  return dir + "/" + arch + ".json";
}

std::string default_block_rules_path(const std::string& engine_style) {
  const char* env = std::getenv("ECG_POWER_CALIB_DIR");
  const std::string dir = env && *env ? env : ECG_POWER_CALIB_DIR;
  return dir + "/" + engine_style + "_blocks.json";
}

double pct_difference(double a, double b) { return b != 0 ? 100.0 * (a - b) / b : 0.0; }

}  // namespace ecg::power
