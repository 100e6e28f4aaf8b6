#pragma once
// Sweep results: one row per point, kept as JSON Lines (results.jsonl, appended as points
// finish, so an interrupted sweep can resume) and as CSV (results.csv). Both are rewritten in
// point order when a sweep or a merge ends, so a merged set of shards gives the same files as
// a single run (apart from the wall-time columns).
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecg/sweep/spec.h"

namespace ecg::sweep {

using Row = nlohmann::ordered_json;

// File names inside an output folder.
inline constexpr const char* kResultsJsonl = "results.jsonl";
inline constexpr const char* kResultsCsv = "results.csv";
inline constexpr const char* kMeta = "sweep.json";

// Columns whose values change from run to run of the same point (timing).
const std::vector<std::string>& timing_columns();

// The flat metrics of one ecg_sim report (report.schema.json): latency, FPS, II, power,
// energy/beat, weight storage, accuracy, Se/+P/F1 per class, sim wall time. Missing -> null.
Row metrics_from_report(const nlohmann::json& report);

// A result row. `report` may be null (failed point).
Row make_row(const Spec& spec, const Point& p, const std::string& status, const std::string& error, int exit_code,
             double wall_s, const nlohmann::json* report);

// Rows of a JSON Lines file; a missing file gives none. A last line cut short by a crash is
// ignored; any other bad line is an InputError naming file and line.
std::vector<Row> read_jsonl(const std::string& path);

// The CSV text of rows: fixed columns, then every swept parameter (param.<key>), the metrics,
// the per-class columns and every parameter in effect (config.<key>).
std::string csv_text(const std::vector<Row>& rows);

// The folder's sweep.json: the normalized spec, its hash, the number of points of the whole
// sweep and which shard the folder holds ("all" or "i/N").
nlohmann::json make_meta(const Spec& spec, std::size_t total_points, const std::string& shard);
nlohmann::json read_meta(const std::string& dir);

// Keeps the last row of each point id whose id is in `keep` (all when `keep` is empty),
// sorted by point index.
std::vector<Row> tidy_rows(const std::vector<Row>& rows, const std::vector<std::string>& keep);

// Writes results.jsonl and results.csv in `dir` (each via write_file_atomic).
void write_results(const std::string& dir, const std::vector<Row>& rows);

struct MergeSummary {
  std::size_t points = 0;   // points of the whole sweep
  std::size_t rows = 0;     // rows written
  std::size_t missing = 0;  // points no shard finished
};
// Joins shard folders (same spec) into `out_dir`, as if the sweep had run unsharded there.
// InputError for folders that are not sweep outputs or come from different specs.
MergeSummary merge(const std::vector<std::string>& inputs, const std::string& out_dir);

}  // namespace ecg::sweep
