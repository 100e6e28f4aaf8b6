#pragma once
// Sweep specifications (docs/sweeps.md): which archs, which parameter values, which records,
// which mode. A spec is parsed and validated as a whole before any point runs; every problem
// is an ecg::InputError with one line naming the spec file and the offending entry.
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ecg::sweep {

// One swept parameter: its key (as in configs/<arch>.toml and `-p key=value`) and its values
// in the order they are tried. Values are JSON scalars (integer, real, bool, string).
struct Axis {
  std::string key;
  std::vector<nlohmann::json> values;
};

// The points of one arch: the cartesian product of its axes (keys in sorted order, the last
// key varying fastest).
struct ArchPlan {
  std::string arch;
  std::string config;       // --config FILE for the child ("" = the arch's default config)
  std::vector<Axis> axes;   // sorted by key, each key once
};

struct Spec {
  std::string origin;                   // file name (for messages)
  std::string name;                     // defaults to the file's stem
  std::string mode;                     // golden | tlm | rtl | cosim
  std::string records;                  // --records value ("" when split is used)
  std::string split;                    // --split value ("" when records is used)
  std::string data;                     // --data DIR for the children ("" = their default)
  std::string weights;                  // --weights DIR for the children ("" = their default)
  std::vector<std::string> args;        // extra arguments passed to every child
  double timeout_s = 0;                 // per point, 0 = none
  std::vector<ArchPlan> archs;          // in spec order

  // The normalized spec (everything above but origin) as JSON; equal specs give equal JSON.
  nlohmann::json to_json() const;
  // FNV-1a 64 of to_json().dump(), hex: identifies the spec in shard outputs.
  std::string hash() const;
};

// One point of the sweep. `index` is its position in the full (unsharded) point order.
struct Point {
  std::size_t index = 0;
  std::string arch;
  std::string config;
  nlohmann::json params = nlohmann::json::object();  // key -> value, sorted by key
  // Stable identity of the point's inputs (arch, mode, records, config, args, params):
  // resume and merge match points by it.
  std::string id;
};

// Parses a spec file: TOML (.toml) or JSON (.json; anything else is tried as TOML).
Spec load_spec(const std::string& path);
Spec parse_spec_text(const std::string& text, const std::string& origin, bool json);
// Builds a Spec from its JSON form (the TOML form is converted to JSON first).
Spec spec_from_json(const nlohmann::json& j, const std::string& origin);

// The archs ecg_sim knows (report schema).
const std::vector<std::string>& known_archs();
const std::vector<std::string>& known_modes();

// Where parameter declarations are looked up: configs/<arch>.toml declares every key of an
// arch (the parameter system writes every parameter into it).
struct ValidationEnv {
  std::vector<std::string> config_dirs;  // searched in order for <arch>.toml
  bool check_records = true;             // resolve records/split against the data folder
  // When set, every point is checked with the simulator's own parameter system (the arch's
  // declarations, its config file and the point's -p overrides: keys, types, ranges and
  // cross-parameter rules); it throws InputError naming the key. When unset, swept keys and
  // value types are checked against the arch's config file.
  std::function<void(const Spec&, const Point&)> check_point;
  // When set, called once per arch before the points (e.g. its network exists); InputError.
  std::function<void(const Spec&, const ArchPlan&)> check_arch;
};
// Default search path: ./configs, then <source tree>/configs.
ValidationEnv default_env();

// The declared parameter keys of a config file, with their TOML types
// ("integer", "floating-point", "boolean", "string").
std::map<std::string, std::string> declared_params(const std::string& config_path);

// Checks everything that can be checked without running a point: known archs and mode,
// every swept key declared by the arch's config with a value of a matching type, records or
// split that exist. Throws InputError (one line) on the first problem.
void validate(const Spec& spec, const ValidationEnv& env);

// Keeps only the named archs of a spec, in the spec's order (--archs); InputError naming `flag`
// for a name the spec does not have.
void restrict_archs(Spec& spec, const std::vector<std::string>& names, const std::string& flag);

// Every point in the deterministic order: archs in spec order, then the cartesian product.
std::vector<Point> expand(const Spec& spec);

// "i/N" (0 <= i < N) -> {i, N}; InputError naming `flag` otherwise.
std::pair<std::size_t, std::size_t> parse_shard(const std::string& text, const std::string& flag);
// The points of shard i of N: every N-th point starting at i.
std::vector<Point> shard(const std::vector<Point>& points, std::size_t i, std::size_t n);

// A value as given to `-p key=value`: strings raw, numbers and bools as JSON literals.
std::string value_text(const nlohmann::json& v);

}  // namespace ecg::sweep
