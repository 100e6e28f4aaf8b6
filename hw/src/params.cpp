#include "ecg/hw/params.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "ecg/error.h"

namespace ecg {
namespace {

const char* type_name(ParamSet::Type t) {
  switch (t) {
    case ParamSet::Type::Int: return "integer";
    case ParamSet::Type::Real: return "number";
    case ParamSet::Type::Bool: return "boolean";
    case ParamSet::Type::String: return "string";
  }
  return "?";
}

std::string where(const std::string& origin, const std::string& key) {
  return origin == "-p" ? fmt::format("-p {}", key) : fmt::format("{}: parameter {}", origin, key);
}

}  // namespace

std::string ParamSet::value_text(const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) {
    std::string s = fmt::format("{}", *d);
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
    return s;
  }
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  return nlohmann::json(std::get<std::string>(v)).dump();
}

ParamSet::Param& ParamSet::declare(const std::string& key, Type type, Value def,
                                   const std::string& description) {
  if (key.empty() || description.empty())
    throw std::logic_error("parameter declared without key or description: " + key);
  if (m_params.count(key)) throw std::logic_error("parameter declared twice: " + key);
  Param& p = m_params[key];
  p.key = key;
  p.type = type;
  p.value = def;
  p.default_value = std::move(def);
  p.description = description;
  return p;
}

void ParamSet::declare_int(const std::string& key, std::int64_t def, const std::string& description,
                           std::optional<std::int64_t> min, std::optional<std::int64_t> max) {
  Param& p = declare(key, Type::Int, def, description);
  if (min) p.min = static_cast<double>(*min);
  if (max) p.max = static_cast<double>(*max);
}

void ParamSet::declare_real(const std::string& key, double def, const std::string& description,
                            std::optional<double> min, std::optional<double> max) {
  Param& p = declare(key, Type::Real, def, description);
  p.min = min;
  p.max = max;
}

void ParamSet::declare_bool(const std::string& key, bool def, const std::string& description) {
  declare(key, Type::Bool, def, description);
}

void ParamSet::declare_string(const std::string& key, const std::string& def,
                              const std::string& description, std::vector<std::string> choices) {
  Param& p = declare(key, Type::String, def, description);
  p.choices = std::move(choices);
}

ParamSet::Param& ParamSet::lookup(const std::string& key, const std::string& origin) {
  auto it = m_params.find(key);
  if (it == m_params.end()) {
    // Suggest the declared keys of the same section, the usual cause being a typo.
    std::string section = key.substr(0, key.rfind('.') == std::string::npos ? 0 : key.rfind('.') + 1);
    std::string near;
    for (const auto& [k, p] : m_params)
      if (!section.empty() && k.rfind(section, 0) == 0 && k.find('.', section.size()) == std::string::npos)
        near += (near.empty() ? "" : ", ") + k;
    throw InputError(fmt::format("{}: unknown parameter{}", where(origin, key),
                                 near.empty() ? "" : " (known in this section: " + near + ")"));
  }
  return it->second;
}

void ParamSet::set(const std::string& key, const Value& v, const std::string& origin) {
  Param& p = lookup(key, origin);
  Value val = v;
  // Integers are accepted where a real is declared (clock_mhz = 100).
  if (p.type == Type::Real && std::holds_alternative<std::int64_t>(val))
    val = static_cast<double>(std::get<std::int64_t>(val));
  if (val.index() != p.value.index())
    throw InputError(fmt::format("{}: expected {}, got {}", where(origin, key), type_name(p.type),
                                 value_text(v)));
  if (p.type == Type::Int || p.type == Type::Real) {
    double x = p.type == Type::Int ? static_cast<double>(std::get<std::int64_t>(val))
                                   : std::get<double>(val);
    if (!std::isfinite(x))
      throw InputError(fmt::format("{}: value {} is not finite", where(origin, key), value_text(val)));
    if (p.min && x < *p.min)
      throw InputError(fmt::format("{}: value {} is below the minimum {}", where(origin, key),
                                   value_text(val), *p.min));
    if (p.max && x > *p.max)
      throw InputError(fmt::format("{}: value {} is above the maximum {}", where(origin, key),
                                   value_text(val), *p.max));
  }
  if (p.type == Type::String && !p.choices.empty()) {
    const auto& s = std::get<std::string>(val);
    bool ok = false;
    for (const auto& c : p.choices) ok = ok || c == s;
    if (!ok) {
      std::string list;
      for (const auto& c : p.choices) list += (list.empty() ? "" : "|") + c;
      throw InputError(fmt::format("{}: value \"{}\" is not one of {}", where(origin, key), s, list));
    }
  }
  p.value = std::move(val);
  p.origin = origin;
}

void ParamSet::set_from_text(const std::string& key, const std::string& text,
                             const std::string& origin) {
  const Param& p = lookup(key, origin);
  auto bad = [&]() {
    return InputError(fmt::format("{}: expected {}, got \"{}\"", where(origin, key), type_name(p.type), text));
  };
  std::size_t used = 0;
  try {
    switch (p.type) {
      case Type::Int: {
        std::int64_t v = std::stoll(text, &used, 0);
        if (used != text.size()) throw bad();
        set(key, v, origin);
        return;
      }
      case Type::Real: {
        double v = std::stod(text, &used);
        if (used != text.size()) throw bad();
        set(key, v, origin);
        return;
      }
      case Type::Bool:
        if (text == "true" || text == "1") set(key, true, origin);
        else if (text == "false" || text == "0") set(key, false, origin);
        else throw bad();
        return;
      case Type::String:
        set(key, text, origin);
        return;
    }
  } catch (const std::invalid_argument&) {
    throw bad();
  } catch (const std::out_of_range&) {
    throw bad();
  }
}

void ParamSet::set_override(const std::string& key_eq_value) {
  auto eq = key_eq_value.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError(fmt::format("-p {}: expected key=value", key_eq_value));
  set_from_text(key_eq_value.substr(0, eq), key_eq_value.substr(eq + 1), "-p");
}

namespace {
// Flattens nested TOML tables into dotted keys.
void flatten(const toml::table& t, const std::string& prefix, const std::string& origin,
             std::vector<std::pair<std::string, ParamSet::Value>>& out) {
  for (const auto& [k, node] : t) {
    std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = node.as_table()) {
      flatten(*sub, key, origin, out);
    } else if (const auto* i = node.as_integer()) {
      out.emplace_back(key, static_cast<std::int64_t>(i->get()));
    } else if (const auto* d = node.as_floating_point()) {
      out.emplace_back(key, d->get());
    } else if (const auto* b = node.as_boolean()) {
      out.emplace_back(key, b->get());
    } else if (const auto* s = node.as_string()) {
      out.emplace_back(key, s->get());
    } else {
      throw InputError(fmt::format("{}: parameter {}: arrays and dates are not parameter values",
                                   origin, key));
    }
  }
}
}  // namespace

void ParamSet::load_toml_text(const std::string& text, const std::string& origin) {
  toml::table tbl;
  try {
    tbl = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw InputError(fmt::format("{}:{}:{}: {}", origin, b.line, b.column, e.description()));
  }
  std::vector<std::pair<std::string, Value>> kv;
  flatten(tbl, "", origin, kv);
  for (const auto& [k, v] : kv) set(k, v, origin);
}

void ParamSet::load_toml_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: cannot open config file", path));
  std::stringstream ss;
  ss << in.rdbuf();
  load_toml_text(ss.str(), path);
}

const ParamSet::Param& ParamSet::param(const std::string& key) const {
  auto it = m_params.find(key);
  if (it == m_params.end()) throw std::logic_error("parameter read but never declared: " + key);
  return it->second;
}

std::int64_t ParamSet::get_int(const std::string& key) const {
  const Param& p = param(key);
  if (p.type != Type::Int) throw std::logic_error("parameter is not an integer: " + key);
  return std::get<std::int64_t>(p.value);
}

double ParamSet::get_real(const std::string& key) const {
  const Param& p = param(key);
  if (p.type == Type::Int) return static_cast<double>(std::get<std::int64_t>(p.value));
  if (p.type != Type::Real) throw std::logic_error("parameter is not a number: " + key);
  return std::get<double>(p.value);
}

bool ParamSet::get_bool(const std::string& key) const {
  const Param& p = param(key);
  if (p.type != Type::Bool) throw std::logic_error("parameter is not a boolean: " + key);
  return std::get<bool>(p.value);
}

const std::string& ParamSet::get_string(const std::string& key) const {
  const Param& p = param(key);
  if (p.type != Type::String) throw std::logic_error("parameter is not a string: " + key);
  return std::get<std::string>(p.value);
}

void ParamSet::require(bool ok, const std::string& key, const std::string& message) const {
  if (ok) return;
  const Param& p = param(key);
  throw InputError(fmt::format("parameter {} = {} (from {}): {}", key, value_text(p.value), p.origin,
                               message));
}

nlohmann::json ParamSet::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, p] : m_params) std::visit([&](const auto& v) { j[k] = v; }, p.value);
  return j;
}

std::string ParamSet::to_toml(const std::function<bool(const Param&)>& include) const {
  // Group by section (the key up to its last dot); top-level keys first, as TOML requires.
  std::map<std::string, std::vector<const Param*>> sections;
  for (const auto& [k, p] : m_params) {
    if (include && !include(p)) continue;
    auto dot = k.rfind('.');
    sections[dot == std::string::npos ? "" : k.substr(0, dot)].push_back(&p);
  }
  std::string out;
  for (const auto& [sec, params] : sections) {
    if (!sec.empty()) out += fmt::format("\n[{}]\n", sec);
    for (const Param* p : params) {
      std::string leaf = sec.empty() ? p->key : p->key.substr(sec.size() + 1);
      std::string range;
      if (p->min || p->max)
        range = fmt::format(", range {}..{}", p->min ? fmt::format("{}", *p->min) : "",
                            p->max ? fmt::format("{}", *p->max) : "");
      if (!p->choices.empty()) {
        range = ", one of ";
        for (std::size_t i = 0; i < p->choices.size(); ++i) range += (i ? "|" : "") + p->choices[i];
      }
      out += fmt::format("# {} ({}{}; default {})\n{} = {}\n", p->description, type_name(p->type),
                         range, value_text(p->default_value), leaf, value_text(p->value));
    }
  }
  return out;
}

}  // namespace ecg
