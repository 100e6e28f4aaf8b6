#pragma once
// Parameter system of the simulator (conventions: "declared once with a description and
// default, keyed by module name, set from a config file and overridable on the command
// line", as ramulator2 does).
//
// Every parameter is declared once in code by the module that uses it (key = module path,
// e.g. "engine.pe"), with a type, a default, a description and its valid range. Values are
// then set, in this order, from configs/<arch>.toml and from `-p key=value` overrides.
// Unknown keys, wrong types and invalid values raise ecg::InputError naming the key and
// where the value came from. Sweeps (issue 7) and the power model (issue 6) use exactly
// this mechanism. Pure C++, no SystemC.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace ecg {

// A typed handle to one parameter: its key, spelled once, next to the module that declares
// it (e.g. dma::kBurstBytes in ecg/models/dma.h), and used at the declaration and at every
// read, so a key cannot drift between the two and a read cannot use the wrong type.
// T: std::int64_t, double, bool or std::string. The string-keyed API stays for keys that
// are text by nature: -p overrides, config files, the sweep's axis names.
template <class T>
struct ParamKey {
  std::string key;
  explicit ParamKey(std::string k) : key(std::move(k)) {}
};

class ParamSet {
 public:
  enum class Type { Int, Real, Bool, String };
  using Value = std::variant<std::int64_t, double, bool, std::string>;

  struct Param {
    std::string key;
    Type type = Type::Int;
    Value value;
    Value default_value;
    std::string description;
    std::string origin = "default";  // "default", a file name, or "-p"
    std::optional<double> min, max;   // numeric range (inclusive)
    std::vector<std::string> choices;  // allowed strings (empty: any)
  };

  // Declarations. A key is declared once; declaring it twice is a programming error
  // (std::logic_error). `min`/`max` bound numeric values (inclusive).
  void declare_int(const std::string& key, std::int64_t def, const std::string& description,
                   std::optional<std::int64_t> min = std::nullopt,
                   std::optional<std::int64_t> max = std::nullopt);
  void declare_real(const std::string& key, double def, const std::string& description,
                    std::optional<double> min = std::nullopt,
                    std::optional<double> max = std::nullopt);
  void declare_bool(const std::string& key, bool def, const std::string& description);
  void declare_string(const std::string& key, const std::string& def,
                      const std::string& description, std::vector<std::string> choices = {});

  // The same through typed handles (ParamKey above).
  void declare(const ParamKey<std::int64_t>& p, std::int64_t def, const std::string& description,
               std::optional<std::int64_t> min = std::nullopt,
               std::optional<std::int64_t> max = std::nullopt) {
    declare_int(p.key, def, description, min, max);
  }
  void declare(const ParamKey<double>& p, double def, const std::string& description,
               std::optional<double> min = std::nullopt, std::optional<double> max = std::nullopt) {
    declare_real(p.key, def, description, min, max);
  }
  void declare(const ParamKey<bool>& p, bool def, const std::string& description) {
    declare_bool(p.key, def, description);
  }
  void declare(const ParamKey<std::string>& p, const std::string& def, const std::string& description,
               std::vector<std::string> choices = {}) {
    declare_string(p.key, def, description, std::move(choices));
  }

  bool has(const std::string& key) const { return m_params.count(key) != 0; }

  // Setting values. Errors (unknown key, wrong type, out of range) are InputError with one
  // line naming `origin` and the key.
  void load_toml_file(const std::string& path);
  void load_toml_text(const std::string& text, const std::string& origin);
  // "key=value" as given to -p; the value is parsed according to the declared type.
  void set_override(const std::string& key_eq_value);
  void set_from_text(const std::string& key, const std::string& text, const std::string& origin);
  void set(const std::string& key, const Value& v, const std::string& origin);

  // Typed reads; a missing key or wrong type is a programming error (std::logic_error).
  std::int64_t get_int(const std::string& key) const;
  double get_real(const std::string& key) const;  // Int params read as Real too
  bool get_bool(const std::string& key) const;
  const std::string& get_string(const std::string& key) const;
  const Param& param(const std::string& key) const;
  // The same through typed handles (ParamKey above).
  std::int64_t get(const ParamKey<std::int64_t>& p) const { return get_int(p.key); }
  double get(const ParamKey<double>& p) const { return get_real(p.key); }
  bool get(const ParamKey<bool>& p) const { return get_bool(p.key); }
  const std::string& get(const ParamKey<std::string>& p) const { return get_string(p.key); }
  template <class T>
  void set(const ParamKey<T>& p, const T& v, const std::string& origin) { set(p.key, Value(v), origin); }

  // Cross-parameter validation helper: throws InputError "parameter KEY: MESSAGE" when !ok.
  void require(bool ok, const std::string& key, const std::string& message) const;

  // All parameters in key order.
  const std::map<std::string, Param>& all() const { return m_params; }
  // {"key": value, ...} of every parameter in effect (flat, key order): the report's
  // hardware.config object.
  nlohmann::json to_json() const;
  // A TOML document of every parameter with its description, type, range and default in a
  // comment above it; the value written is the one in effect. configs/*.toml follow it.
  // `include` (optional) selects the parameters written.
  std::string to_toml(const std::function<bool(const Param&)>& include = {}) const;

  static std::string value_text(const Value& v);  // TOML/JSON-compatible literal

 private:
  Param& declare(const std::string& key, Type type, Value def, const std::string& description);
  Param& lookup(const std::string& key, const std::string& origin);
  std::map<std::string, Param> m_params;
};

}  // namespace ecg
