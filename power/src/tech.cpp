#include "ecg/power/tech.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "ecg/error.h"

namespace ecg::power {
namespace {

const toml::table& need_table(const toml::table& t, const std::string& key, const std::string& origin) {
  const toml::table* sub = t[key].as_table();
  if (!sub) throw InputError(fmt::format("{}: missing table [{}]", origin, key));
  return *sub;
}

double need_number(const toml::table& t, const std::string& key, const std::string& where,
                   const std::string& origin) {
  const toml::node* n = t.get(key);
  if (!n || !(n->is_floating_point() || n->is_integer()))
    throw InputError(fmt::format("{}: {}: missing or non-numeric \"{}\"", origin, where, key));
  double v = n->value<double>().value();
  if (!std::isfinite(v) || v < 0)
    throw InputError(fmt::format("{}: {}: \"{}\" must be a finite number >= 0", origin, where, key));
  return v;
}

std::string need_string(const toml::table& t, const std::string& key, const std::string& where,
                        const std::string& origin) {
  auto v = t[key].value<std::string>();
  if (!v || v->empty())
    throw InputError(fmt::format("{}: {}: missing string \"{}\"", origin, where, key));
  return *v;
}

}  // namespace

TechTable TechTable::from_text(const std::string& text, const std::string& origin) {
  toml::table doc;
  try {
    doc = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    throw InputError(fmt::format("{}:{}:{}: {}", origin, e.source().begin.line,
                                 e.source().begin.column, e.description()));
  }
  TechTable t;
  t.m_file = origin;
  const toml::table& tech = need_table(doc, "tech", origin);
  t.m_name = need_string(tech, "name", "[tech]", origin);
  t.m_description = need_string(tech, "description", "[tech]", origin);
  t.m_ref_toggle_rate = need_number(tech, "ref_toggle_rate", "[tech]", origin);
  t.m_default_toggle_rate = need_number(tech, "default_toggle_rate", "[tech]", origin);
  t.m_static_mw = need_number(tech, "static_mw", "[tech]", origin);
  t.m_static_source = need_string(tech, "static_source", "[tech]", origin);
  need_string(tech, "ref_toggle_rate_source", "[tech]", origin);
  need_string(tech, "default_toggle_rate_source", "[tech]", origin);
  if (t.m_ref_toggle_rate <= 0)
    throw InputError(fmt::format("{}: [tech]: ref_toggle_rate must be > 0", origin));
  if (auto d = tech["device"].value<std::string>()) t.m_device = *d;
  if (const toml::table* st = doc["static"].as_table()) {
    StaticLeakage& l = t.m_leakage;
    l.from_area = true;
    l.base_mw = need_number(*st, "base_mw", "[static]", origin);
    auto per = [&](const char* key) { return st->contains(key) ? need_number(*st, key, "[static]", origin) : 0.0; };
    l.lut_mw = per("lut_mw");
    l.ff_mw = per("ff_mw");
    l.bram_mw = per("bram_mw");
    l.spram_mw = per("spram_mw");
    l.dsp_mw = per("dsp_mw");
    l.ge_mw = per("ge_mw");
    l.sram_bit_mw = per("sram_bit_mw");
    l.source = need_string(*st, "source", "[static]", origin);
  }
  const toml::table& actions = need_table(doc, "action", origin);
  for (const auto& [key, node] : actions) {
    const std::string name(key.str());
    const std::string where = "[action." + name + "]";
    const toml::table* a = node.as_table();
    if (!a) throw InputError(fmt::format("{}: {} is not a table", origin, where));
    Action act;
    act.name = name;
    act.unit = need_string(*a, "unit", where, origin);
    act.pj = need_number(*a, "pj", where, origin);
    act.source = need_string(*a, "source", where, origin);
    if (a->contains("ref_bytes")) {
      act.ref_bytes = need_number(*a, "ref_bytes", where, origin);
      act.size_exponent = need_number(*a, "size_exponent", where, origin);
      act.min_pj = need_number(*a, "min_pj", where, origin);
      if (act.ref_bytes <= 0)
        throw InputError(fmt::format("{}: {}: ref_bytes must be > 0", origin, where));
    }
    t.m_actions.emplace(name, std::move(act));
  }
  return t;
}

TechTable TechTable::from_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: cannot open technology table", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return from_text(ss.str(), path);
}

std::vector<std::string> TechTable::tech_dirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("ECG_POWER_TECH_DIR"); env && *env) dirs.emplace_back(env);
  dirs.emplace_back(ECG_POWER_TECH_DIR);
  return dirs;
}

std::string TechTable::resolve(const std::string& name_or_path) {
  namespace fs = std::filesystem;
  if (name_or_path.size() > 5 && name_or_path.substr(name_or_path.size() - 5) == ".toml") {
    if (!fs::is_regular_file(name_or_path))
      throw InputError(fmt::format("power.tech: technology table {} not found", name_or_path));
    return name_or_path;
  }
  std::vector<std::string> known;
  for (const auto& d : tech_dirs()) {
    fs::path p = fs::path(d) / (name_or_path + ".toml");
    if (!name_or_path.empty() && name_or_path.find('/') == std::string::npos && fs::is_regular_file(p))
      return p.string();
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(d, ec))
      if (e.path().extension() == ".toml") known.push_back(e.path().stem().string());
  }
  std::sort(known.begin(), known.end());
  throw InputError(fmt::format("power.tech: unknown technology \"{}\" (known: {}; or give a .toml path)",
                               name_or_path, fmt::join(known, ", ")));
}

const Action& TechTable::action(const std::string& name, const std::string& needed_by) const {
  auto it = m_actions.find(name);
  if (it == m_actions.end())
    throw InputError(fmt::format("{}: technology table has no action \"{}\" (needed by {})", m_file,
                                 name, needed_by));
  return it->second;
}

double TechTable::pj(const std::string& name, double units, double size_bytes,
                     const std::string& needed_by) const {
  const Action& a = action(name, needed_by);
  double per_unit = a.pj;
  if (a.ref_bytes > 0) {
    const double scaled = a.pj * std::pow(std::max(size_bytes, 1.0) / a.ref_bytes, a.size_exponent);
    per_unit = std::max(scaled, a.min_pj);
  }
  return per_unit * units;
}

}  // namespace ecg::power
