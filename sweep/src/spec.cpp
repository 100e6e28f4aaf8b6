#include "ecg/sweep/spec.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "ecg/data.h"
#include "ecg/error.h"
#include "ecg/qnet.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace ecg::sweep {
namespace {

constexpr std::size_t kMaxAxisValues = 100000;
constexpr std::size_t kMaxPoints = 1000000;

[[noreturn]] void fail(const std::string& origin, const std::string& what) {
  throw InputError(fmt::format("{}: {}", origin, what));
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Levenshtein distance, for "did you mean" hints on misspelt keys (no Debian library offers it).
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string closest(const std::string& key, const std::map<std::string, std::string>& declared) {
  std::string best;
  std::size_t best_d = 4;  // suggest only near misses
  for (const auto& [k, t] : declared) {
    const std::size_t d = edit_distance(key, k);
    if (d < best_d) best_d = d, best = k;
  }
  return best;
}

// Rounds away binary noise from range arithmetic (0.1 + 2*0.1 -> 0.3).
double tidy(double x) {
  return std::stod(fmt::format("{:.12g}", x));
}

bool is_scalar(const json& v) { return v.is_number() || v.is_boolean() || v.is_string(); }

std::vector<json> range_values(const json& r, const std::string& where, const std::string& origin) {
  for (const auto& [k, v] : r.items())
    if (k != "from" && k != "to" && k != "step" && k != "mul")
      fail(origin, fmt::format("{}: unknown range key '{}' (use from, to and step or mul)", where, k));
  if (!r.contains("to")) fail(origin, fmt::format("{}: range needs 'to'", where));
  if (r.contains("step") && r.contains("mul")) fail(origin, fmt::format("{}: range takes step or mul, not both", where));
  for (const char* k : {"from", "to", "step", "mul"})
    if (r.contains(k) && !r[k].is_number())
      fail(origin, fmt::format("{}: range '{}' must be a number", where, k));
  const json& from = r["from"];
  const json& to = r["to"];
  const double f = from.get<double>(), t = to.get<double>();
  if (t < f) fail(origin, fmt::format("{}: empty range (from {} > to {})", where, from.dump(), to.dump()));
  std::vector<json> out;
  if (r.contains("mul")) {
    const double m = r["mul"].get<double>();
    if (!(m > 1)) fail(origin, fmt::format("{}: range mul must be > 1", where));
    if (!(f > 0)) fail(origin, fmt::format("{}: range with mul needs from > 0", where));
    const bool ints = from.is_number_integer() && r["mul"].is_number_integer();
    for (double v = f; v <= t * (1 + 1e-12); v *= m) {
      if (out.size() >= kMaxAxisValues) fail(origin, fmt::format("{}: more than {} values", where, kMaxAxisValues));
      out.push_back(ints ? json(static_cast<std::int64_t>(std::llround(v))) : json(tidy(v)));
    }
    return out;
  }
  const json step = r.contains("step") ? r["step"] : json(1);
  const double s = step.get<double>();
  if (!(s > 0)) fail(origin, fmt::format("{}: range step must be > 0", where));
  const bool ints = from.is_number_integer() && to.is_number_integer() && step.is_number_integer();
  const double n = std::floor((t - f) / s + 1e-9) + 1;
  if (n > static_cast<double>(kMaxAxisValues))
    fail(origin, fmt::format("{}: more than {} values", where, kMaxAxisValues));
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(n); ++i) {
    if (ints)
      out.push_back(from.get<std::int64_t>() + i * step.get<std::int64_t>());
    else
      out.push_back(tidy(f + static_cast<double>(i) * s));
  }
  return out;
}

std::vector<json> axis_values(const json& v, const std::string& where, const std::string& origin) {
  std::vector<json> out;
  if (is_scalar(v)) {
    out.push_back(v);
  } else if (v.is_array()) {
    if (v.empty()) fail(origin, fmt::format("{}: empty value list", where));
    for (const auto& e : v) {
      if (!is_scalar(e)) fail(origin, fmt::format("{}: values must be numbers, booleans or strings", where));
      out.push_back(e);
    }
  } else if (v.is_object()) {
    out = range_values(v, where, origin);
  } else {
    fail(origin, fmt::format("{}: not a value, a list or a range", where));
  }
  for (std::size_t i = 0; i < out.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (out[i] == out[j]) fail(origin, fmt::format("{}: value {} listed twice", where, out[i].dump()));
  return out;
}

// Flattens a params table: nested tables are key groups (engine = {pe = [..]} is engine.pe)
// unless they are ranges (a table with 'from').
void collect_axes(const json& table, const std::string& prefix, const std::string& where,
                  const std::string& origin, std::map<std::string, Axis>& axes) {
  if (!table.is_object()) fail(origin, fmt::format("{}: must be a table of parameter = values", where));
  for (const auto& [k, v] : table.items()) {
    const std::string key = prefix.empty() ? k : prefix + "." + k;
    if (v.is_object() && !v.contains("from") && !v.contains("to")) {
      collect_axes(v, key, where, origin, axes);
      continue;
    }
    Axis a;
    a.key = key;
    a.values = axis_values(v, fmt::format("{}.{}", where, key), origin);
    axes[key] = std::move(a);
  }
}

std::string records_text(const json& v, const std::string& origin) {
  if (v.is_string()) {
    if (v.get<std::string>().empty()) fail(origin, "records: empty");
    return v.get<std::string>();
  }
  if (!v.is_array() || v.empty()) fail(origin, "records: must be a non-empty list or a comma-separated string");
  std::vector<std::string> names;
  for (const auto& r : v) {
    if (r.is_string())
      names.push_back(r.get<std::string>());
    else if (r.is_number_integer())
      names.push_back(std::to_string(r.get<std::int64_t>()));
    else
      fail(origin, "records: entries must be record names");
  }
  return join(names, ",");
}

std::string fnv1a_hex(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return fmt::format("{:016x}", h);
}

// A network imported with `ecg_sim import` (docs/byo-model.md): <weights>/<name>/model.json.
bool is_imported_network(const std::string& weights, const std::string& name) {
  try {
    return fs::is_regular_file(model_path(resolve_weights_dir(weights), name));
  } catch (const InputError&) {
    return false;
  }
}

std::string find_config(const std::string& arch, const ValidationEnv& env) {
  for (const auto& d : env.config_dirs) {
    const fs::path p = fs::path(d) / (arch + ".toml");
    if (fs::is_regular_file(p)) return p.string();
  }
  return "";
}

void flatten_toml(const toml::table& t, const std::string& prefix, std::map<std::string, std::string>& out) {
  for (const auto& [k, node] : t) {
    const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = node.as_table()) {
      flatten_toml(*sub, key, out);
    } else {
      switch (node.type()) {
        case toml::node_type::integer: out[key] = "integer"; break;
        case toml::node_type::floating_point: out[key] = "floating-point"; break;
        case toml::node_type::boolean: out[key] = "boolean"; break;
        case toml::node_type::string: out[key] = "string"; break;
        default: out[key] = "other"; break;
      }
    }
  }
}

bool type_matches(const json& v, const std::string& type) {
  if (type == "integer") return v.is_number_integer();
  if (type == "floating-point") return v.is_number();
  if (type == "boolean") return v.is_boolean();
  if (type == "string") return v.is_string();
  return true;  // arrays/dates in a config: leave the check to the child
}

}  // namespace

const std::vector<std::string>& known_archs() {
  static const std::vector<std::string> v = {"qrcnn", "bnn", "int2kd", "logq", "dwsep"};
  return v;
}

const std::vector<std::string>& known_modes() {
  static const std::vector<std::string> v = {"golden", "tlm", "rtl", "cosim"};
  return v;
}

std::string value_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

json Spec::to_json() const {
  json archs_j = json::array();
  for (const auto& a : archs) {
    json axes = json::object();
    for (const auto& ax : a.axes) axes[ax.key] = ax.values;
    archs_j.push_back({{"arch", a.arch}, {"config", a.config}, {"params", axes}});
  }
  return {{"name", name}, {"mode", mode}, {"records", records}, {"split", split}, {"data", data},
          {"weights", weights}, {"args", args}, {"timeout_s", timeout_s}, {"archs", archs_j}};
}

std::string Spec::hash() const { return fnv1a_hex(to_json().dump()); }

Spec spec_from_json(const json& j, const std::string& origin) {
  if (!j.is_object()) fail(origin, "a sweep spec must be a table");
  static const std::vector<std::string> top = {"name", "mode", "archs", "arch", "records", "split",
                                               "data", "weights", "args", "timeout_s", "params"};
  for (const auto& [k, v] : j.items())
    if (!contains(top, k)) fail(origin, fmt::format("unknown key '{}' (known: {})", k, join(top, ", ")));
  Spec s;
  s.origin = origin;
  if (j.contains("name") && !j["name"].is_string()) fail(origin, "name: must be a string");
  s.name = j.value("name", fs::path(origin).stem().string());
  if (s.name.empty() || s.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
                            std::string::npos || s.name[0] == '.')
    fail(origin, fmt::format("name: '{}' must be letters, digits, '_', '-' or '.' (it names the output folder)", s.name));
  if (!j.contains("mode") || !j["mode"].is_string())
    fail(origin, fmt::format("mode: missing (one of {})", join(known_modes(), ", ")));
  s.mode = j["mode"].get<std::string>();
  if (!contains(known_modes(), s.mode))
    fail(origin, fmt::format("mode: unknown mode '{}' (one of {})", s.mode, join(known_modes(), ", ")));
  if (j.contains("records") == j.contains("split"))
    fail(origin, "give exactly one of records (a list or \"100,101\") and split (all, ds1, ds2, ...)");
  if (j.contains("records")) s.records = records_text(j["records"], origin);
  if (j.contains("split")) {
    if (!j["split"].is_string() || j["split"].get<std::string>().empty()) fail(origin, "split: must be a set name");
    s.split = j["split"].get<std::string>();
  }
  if (j.contains("data")) {
    if (!j["data"].is_string()) fail(origin, "data: must be a directory name");
    s.data = j["data"].get<std::string>();
  }
  if (j.contains("weights")) {
    if (!j["weights"].is_string()) fail(origin, "weights: must be a directory name");
    s.weights = j["weights"].get<std::string>();
  }
  if (j.contains("args")) {
    if (!j["args"].is_array()) fail(origin, "args: must be a list of strings");
    for (const auto& a : j["args"]) {
      if (!a.is_string()) fail(origin, "args: must be a list of strings");
      const std::string arg = a.get<std::string>();
      for (const char* reserved : {"--arch", "--mode", "--records", "--split", "--json", "--config", "--data", "--weights", "-p", "--param"})
        if (arg == reserved || arg.rfind(std::string(reserved) + "=", 0) == 0)
          fail(origin, fmt::format("args: '{}' is set by the sweep itself (use the spec's keys)", arg));
      s.args.push_back(arg);
    }
  }
  if (j.contains("timeout_s")) {
    if (!j["timeout_s"].is_number() || j["timeout_s"].get<double>() < 0) fail(origin, "timeout_s: must be a number >= 0");
    s.timeout_s = j["timeout_s"].get<double>();
  }

  std::map<std::string, Axis> common;
  if (j.contains("params")) collect_axes(j["params"], "", "params", origin, common);

  std::vector<std::string> order;
  if (j.contains("archs")) {
    const json& a = j["archs"];
    if (a.is_string()) {
      order.push_back(a.get<std::string>());
    } else {
      if (!a.is_array() || a.empty()) fail(origin, "archs: must be a non-empty list of arch names");
      for (const auto& e : a) {
        if (!e.is_string()) fail(origin, "archs: must be a list of arch names");
        if (contains(order, e.get<std::string>())) fail(origin, fmt::format("archs: '{}' listed twice", e.get<std::string>()));
        order.push_back(e.get<std::string>());
      }
    }
  }
  const json per_arch = j.value("arch", json::object());
  if (!per_arch.is_object()) fail(origin, "arch: must be a table of arch name -> settings");
  if (order.empty())
    for (const auto& [k, v] : per_arch.items()) order.push_back(k);
  if (order.empty()) fail(origin, "archs: no arch given");
  for (const auto& [k, v] : per_arch.items())
    if (!contains(order, k)) fail(origin, fmt::format("arch.{}: not listed in archs", k));

  for (const auto& name : order) {
    if (!contains(known_archs(), name) && !is_imported_network(s.weights, name))
      fail(origin, fmt::format("archs: unknown arch '{}' (one of {})", name, join(known_archs(), ", ")));
    ArchPlan plan;
    plan.arch = name;
    std::map<std::string, Axis> axes = common;
    if (per_arch.contains(name)) {
      const json& t = per_arch[name];
      if (!t.is_object()) fail(origin, fmt::format("arch.{}: must be a table", name));
      for (const auto& [k, v] : t.items()) {
        if (k == "params") {
          collect_axes(v, "", fmt::format("arch.{}.params", name), origin, axes);
        } else if (k == "config") {
          if (!v.is_string()) fail(origin, fmt::format("arch.{}.config: must be a file name", name));
          plan.config = v.get<std::string>();
        } else {
          fail(origin, fmt::format("arch.{}: unknown key '{}' (params, config)", name, k));
        }
      }
    }
    for (auto& [k, ax] : axes) plan.axes.push_back(std::move(ax));
    s.archs.push_back(std::move(plan));
  }
  return s;
}

Spec parse_spec_text(const std::string& text, const std::string& origin, bool is_json) {
  json j;
  if (is_json) {
    try {
      j = json::parse(text);
    } catch (const json::parse_error& e) {
      fail(origin, fmt::format("invalid JSON: {}", e.what()));
    }
  } else {
    toml::table t;
    try {
      t = toml::parse(text, origin);
    } catch (const toml::parse_error& e) {
      throw InputError(fmt::format("{}:{}:{}: {}", origin, e.source().begin.line, e.source().begin.column,
                                   e.description()));
    }
    std::ostringstream ss;
    ss << toml::json_formatter{t};
    j = json::parse(ss.str());
  }
  return spec_from_json(j, origin);
}

Spec load_spec(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open sweep spec", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_spec_text(ss.str(), path, fs::path(path).extension() == ".json");
}

ValidationEnv default_env() {
  ValidationEnv env;
  env.config_dirs.push_back("configs");
#ifdef ECG_SIM_SOURCE_DIR
  env.config_dirs.push_back(std::string(ECG_SIM_SOURCE_DIR) + "/configs");
#endif
  return env;
}

std::map<std::string, std::string> declared_params(const std::string& config_path) {
  toml::table t;
  try {
    t = toml::parse_file(config_path);
  } catch (const toml::parse_error& e) {
    throw InputError(fmt::format("{}:{}:{}: {}", config_path, e.source().begin.line, e.source().begin.column,
                                 e.description()));
  }
  std::map<std::string, std::string> out;
  flatten_toml(t, "", out);
  return out;
}

void validate(const Spec& spec, const ValidationEnv& env) {
  const std::string& origin = spec.origin;
  if (!contains(known_modes(), spec.mode)) fail(origin, fmt::format("mode: unknown mode '{}'", spec.mode));
  for (const auto& plan : spec.archs) {
    if (!contains(known_archs(), plan.arch) && !is_imported_network(spec.weights, plan.arch))
      fail(origin, fmt::format("archs: unknown arch '{}' (one of {})", plan.arch, join(known_archs(), ", ")));
    if (!plan.config.empty() && !fs::is_regular_file(plan.config))
      fail(origin, fmt::format("arch.{}.config: {}: no such file", plan.arch, plan.config));
    if (env.check_arch) {
      try {
        env.check_arch(spec, plan);
      } catch (const InputError& e) {
        fail(origin, fmt::format("arch {}: {}", plan.arch, e.what()));
      }
    }
    if (plan.axes.empty() || env.check_point) continue;
    const std::string cfg = plan.config.empty() ? find_config(plan.arch, env) : plan.config;
    if (cfg.empty())
      fail(origin, fmt::format("arch {}: no {}.toml in {} to check the parameter names against", plan.arch,
                               plan.arch, join(env.config_dirs, ", ")));
    const auto declared = declared_params(cfg);
    for (const auto& ax : plan.axes) {
      auto it = declared.find(ax.key);
      if (it == declared.end()) {
        const std::string hint = closest(ax.key, declared);
        fail(origin, fmt::format("arch {}: unknown parameter '{}' (not declared in {}){}", plan.arch, ax.key, cfg,
                                 hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint)));
      }
      for (const auto& v : ax.values)
        if (!type_matches(v, it->second))
          fail(origin, fmt::format("arch {}: parameter '{}' is {} in {}, got {}", plan.arch, ax.key, it->second,
                                   cfg, v.dump()));
    }
  }
  if (env.check_records) {
    const std::string dir = resolve_data_dir(spec.data);
    resolve_records(spec.records.empty() ? spec.split : spec.records, dir);
  }
  std::size_t total = 0;
  for (const auto& plan : spec.archs) {
    std::size_t n = 1;
    for (const auto& ax : plan.axes) {
      n *= ax.values.size();
      if (n > kMaxPoints) fail(origin, fmt::format("arch {}: more than {} points", plan.arch, kMaxPoints));
    }
    total += n;
  }
  if (total > kMaxPoints) fail(origin, fmt::format("more than {} points", kMaxPoints));
  if (env.check_point)
    for (const auto& p : expand(spec)) {
      try {
        env.check_point(spec, p);
      } catch (const InputError& e) {
        std::string where = "point " + std::to_string(p.index) + " (" + p.arch;
        for (const auto& [k, v] : p.params.items()) where += " " + k + "=" + value_text(v);
        fail(origin, fmt::format("{}): {}", where, e.what()));
      }
    }
}

void restrict_archs(Spec& spec, const std::vector<std::string>& names, const std::string& flag) {
  std::vector<std::string> have;
  for (const auto& a : spec.archs) have.push_back(a.arch);
  for (const auto& n : names)
    if (!contains(have, n))
      throw InputError(fmt::format("{} {}: the spec has no arch '{}' (archs: {})", flag, join(names, ","), n, join(have, ", ")));
  std::vector<ArchPlan> kept;
  for (auto& a : spec.archs)
    if (contains(names, a.arch)) kept.push_back(std::move(a));
  spec.archs = std::move(kept);
}

std::vector<Point> expand(const Spec& spec) {
  std::vector<Point> out;
  for (const auto& plan : spec.archs) {
    std::vector<std::size_t> pos(plan.axes.size(), 0);
    bool done = false;
    while (!done) {
      Point p;
      p.index = out.size();
      p.arch = plan.arch;
      p.config = plan.config;
      for (std::size_t a = 0; a < plan.axes.size(); ++a) p.params[plan.axes[a].key] = plan.axes[a].values[pos[a]];
      const json ident = {{"arch", p.arch},   {"mode", spec.mode}, {"records", spec.records},
                          {"split", spec.split}, {"data", spec.data}, {"weights", spec.weights}, {"config", p.config},
                          {"args", spec.args}, {"params", p.params}};
      p.id = fnv1a_hex(ident.dump());
      out.push_back(std::move(p));
      // Odometer: the last axis varies fastest.
      done = true;
      for (std::size_t a = plan.axes.size(); a-- > 0;) {
        if (++pos[a] < plan.axes[a].values.size()) {
          done = false;
          break;
        }
        pos[a] = 0;
      }
    }
  }
  return out;
}

std::pair<std::size_t, std::size_t> parse_shard(const std::string& text, const std::string& flag) {
  const auto slash = text.find('/');
  std::size_t i = 0, n = 0;
  bool ok = slash != std::string::npos && slash > 0 && slash + 1 < text.size() &&
            text.find_first_not_of("0123456789/") == std::string::npos && text.find('/', slash + 1) == std::string::npos;
  if (ok) {
    try {
      i = std::stoul(text.substr(0, slash));
      n = std::stoul(text.substr(slash + 1));
    } catch (const std::exception&) {
      ok = false;
    }
  }
  if (!ok || n == 0 || i >= n)
    throw InputError(fmt::format("{} {}: want i/N with 0 <= i < N (e.g. 0/4)", flag, text));
  return {i, n};
}

std::vector<Point> shard(const std::vector<Point>& points, std::size_t i, std::size_t n) {
  std::vector<Point> out;
  for (const auto& p : points)
    if (p.index % n == i) out.push_back(p);
  return out;
}

}  // namespace ecg::sweep
