#include "ecg/sweep/results.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "ecg/atomic_file.h"
#include "ecg/error.h"
#include "ecg/run/report.h"  // report_fields(): the columns

namespace fs = std::filesystem;
using nlohmann::json;

namespace ecg::sweep {
namespace {

// Follows a path of keys; null when any step is missing.
json at(const json& j, const std::vector<const char*>& path) {
  const json* cur = &j;
  for (const char* k : path) {
    if (!cur->is_object() || !cur->contains(k)) return nullptr;
    cur = &(*cur)[k];
  }
  return *cur;
}

const std::vector<std::string>& base_columns() {
  static const std::vector<std::string> v = {"point", "id", "arch", "mode", "records", "split", "status",
                                             "exit_code", "error"};
  return v;
}

std::string csv_field(const json& v) {
  std::string s;
  if (v.is_null()) return s;
  s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

const std::vector<std::string>& timing_columns() {
  static const std::vector<std::string> v = {"wall_s", "sim_wall_s", "sim_beats_per_s"};
  return v;
}

Row metrics_from_report(const json& report) {
  Row m = Row::object();
  for (const auto& f : report_fields()) {
    const json v = at(report, f.path);
    // Numbers; the area's device/source (strings) and fits/meets_clock (booleans) as they are.
    m[f.column] = v.is_number() || v.is_boolean() || v.is_string() ? v : json(nullptr);
  }
  const json classes = at(report, {"classes"});
  const json per_class = at(report, {"per_class"});
  if (classes.is_array())
    for (const auto& c : classes) {
      if (!c.is_string()) continue;
      const std::string name = c.get<std::string>();
      for (const char* k : per_class_field_stats()) {
        const json v = per_class.is_object() ? at(per_class, {name.c_str(), k}) : json(nullptr);
        m[fmt::format("{}_{}", k, name)] = v.is_number() ? v : json(nullptr);
      }
    }
  return m;
}

Row make_row(const Spec& spec, const Point& p, const std::string& status, const std::string& error, int exit_code,
             double wall_s, const json* report) {
  Row r = Row::object();
  r["point"] = p.index;
  r["id"] = p.id;
  r["arch"] = p.arch;
  r["mode"] = spec.mode;
  r["records"] = spec.records;
  r["split"] = spec.split;
  r["status"] = status;
  r["exit_code"] = exit_code;
  r["error"] = error;
  r["params"] = Row::object();
  for (const auto& [k, v] : p.params.items()) r["params"][k] = v;
  const Row m = metrics_from_report(report ? *report : json::object());
  for (const auto& [k, v] : m.items()) r[k] = v;
  r["wall_s"] = wall_s;
  const json cfg = report ? at(*report, {"hardware", "config"}) : json(nullptr);
  r["config"] = cfg.is_object() ? Row(cfg) : Row::object();
  return r;
}

std::vector<Row> read_jsonl(const std::string& path) {
  std::vector<Row> rows;
  if (!fs::exists(path)) return rows;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open", path));
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    const bool last = in.peek() == std::char_traits<char>::eof();
    try {
      Row r = Row::parse(line);
      if (!r.is_object() || !r.contains("id") || !r.contains("point") || !r.contains("status"))
        throw InputError(fmt::format("{}:{}: not a sweep result row", path, n));
      rows.push_back(std::move(r));
    } catch (const json::parse_error&) {
      if (last) break;  // a row cut short by an interrupted sweep
      throw InputError(fmt::format("{}:{}: not valid JSON", path, n));
    }
  }
  return rows;
}

std::string csv_text(const std::vector<Row>& rows) {
  std::vector<std::string> params, classes_cols, config;
  std::set<std::string> fixed;
  for (const auto& f : report_fields()) fixed.insert(f.column);
  for (const auto& r : rows) {
    for (const auto& [k, v] : r["params"].items()) add_unique(params, k);
    for (const auto& [k, v] : r.items())
      if (!fixed.count(k) && (k.rfind("se_", 0) == 0 || k.rfind("ppv_", 0) == 0 || k.rfind("f1_", 0) == 0))
        add_unique(classes_cols, k);
    if (r.contains("config"))
      for (const auto& [k, v] : r["config"].items()) add_unique(config, k);
  }
  std::sort(params.begin(), params.end());
  std::sort(config.begin(), config.end());
  std::vector<std::string> header = base_columns();
  for (const auto& p : params) header.push_back("param." + p);
  for (const auto& f : report_fields()) header.push_back(f.column);
  for (const auto& c : classes_cols) header.push_back(c);
  header.push_back("wall_s");
  for (const auto& c : config) header.push_back("config." + c);

  std::string out;
  for (std::size_t i = 0; i < header.size(); ++i) out += (i ? "," : "") + csv_field(header[i]);
  out += "\n";
  for (const auto& r : rows) {
    std::size_t col = 0;
    auto emit = [&](const json& v) { out += (col++ ? "," : "") + csv_field(v); };
    for (const auto& c : base_columns()) emit(r.contains(c) ? json(r[c]) : json(nullptr));
    for (const auto& p : params) emit(r["params"].contains(p) ? json(r["params"][p]) : json(nullptr));
    for (const auto& f : report_fields()) emit(r.contains(f.column) ? json(r[f.column]) : json(nullptr));
    for (const auto& c : classes_cols) emit(r.contains(c) ? json(r[c]) : json(nullptr));
    emit(r.contains("wall_s") ? json(r["wall_s"]) : json(nullptr));
    for (const auto& c : config)
      emit(r.contains("config") && r["config"].contains(c) ? json(r["config"][c]) : json(nullptr));
    out += "\n";
  }
  return out;
}

json make_meta(const Spec& spec, std::size_t total_points, const std::string& shard_text) {
  return {{"spec", spec.to_json()}, {"spec_hash", spec.hash()}, {"points", total_points}, {"shard", shard_text}};
}

json read_meta(const std::string& dir) {
  const std::string path = (fs::path(dir) / kMeta).string();
  if (!fs::is_regular_file(path)) throw InputError(fmt::format("{}: not a sweep output folder (no {})", dir, kMeta));
  try {
    json j = json::parse(read_text(path));
    if (!j.contains("spec_hash") || !j.contains("points") || !j.contains("spec"))
      throw InputError(fmt::format("{}: not a sweep meta file", path));
    return j;
  } catch (const json::parse_error&) {
    throw InputError(fmt::format("{}: not valid JSON", path));
  }
}

std::vector<Row> tidy_rows(const std::vector<Row>& rows, const std::vector<std::string>& keep) {
  const std::set<std::string> keep_set(keep.begin(), keep.end());
  std::map<std::string, Row> by_id;
  for (const auto& r : rows) {
    const std::string id = r["id"].get<std::string>();
    if (keep_set.empty() || keep_set.count(id)) by_id[id] = r;
  }
  std::vector<Row> out;
  for (auto& [id, r] : by_id) out.push_back(std::move(r));
  std::stable_sort(out.begin(), out.end(), [](const Row& a, const Row& b) {
    return a["point"].get<std::size_t>() < b["point"].get<std::size_t>();
  });
  return out;
}

void write_results(const std::string& dir, const std::vector<Row>& rows) {
  std::string jsonl;
  for (const auto& r : rows) jsonl += r.dump() + "\n";
  write_file_atomic((fs::path(dir) / kResultsJsonl).string(), jsonl);
  write_file_atomic((fs::path(dir) / kResultsCsv).string(), csv_text(rows));
}

MergeSummary merge(const std::vector<std::string>& inputs, const std::string& out_dir) {
  if (inputs.empty()) throw InputError("sweep-merge: no shard folders given");
  json meta;
  std::vector<Row> all;
  for (const auto& dir : inputs) {
    json m = read_meta(dir);
    if (meta.is_null()) {
      meta = m;
    } else if (m["spec_hash"] != meta["spec_hash"]) {
      throw InputError(fmt::format("{}: shard of a different sweep spec (hash {} vs {} in {})", dir,
                                   m["spec_hash"].get<std::string>(), meta["spec_hash"].get<std::string>(),
                                   inputs.front()));
    }
    auto rows = read_jsonl((fs::path(dir) / kResultsJsonl).string());
    for (auto& r : rows) all.push_back(std::move(r));
  }
  // Rows of the same point from two shards: keep a successful one over a failed one.
  std::stable_sort(all.begin(), all.end(), [](const Row& a, const Row& b) {
    return (a["status"] != "ok") > (b["status"] != "ok");
  });
  std::vector<Row> rows = tidy_rows(all, {});
  MergeSummary s;
  s.points = meta["points"].get<std::size_t>();
  s.rows = rows.size();
  std::set<std::size_t> seen;
  for (const auto& r : rows) seen.insert(r["point"].get<std::size_t>());
  for (std::size_t i = 0; i < s.points; ++i) s.missing += seen.count(i) ? 0 : 1;
  fs::create_directories(out_dir);
  json out_meta = meta;
  out_meta["shard"] = "all";
  write_file_atomic((fs::path(out_dir) / kMeta).string(), out_meta.dump(2) + "\n");
  write_results(out_dir, rows);
  return s;
}

}  // namespace ecg::sweep
