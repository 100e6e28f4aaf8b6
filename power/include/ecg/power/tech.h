#pragma once
// Technology tables of the power model (docs/power.md): energy per action, read from a data
// file power/tech/<name>.toml. Pure C++ (no SystemC).
#include <map>
#include <string>
#include <vector>

namespace ecg::power {

// One action of a table: `pj` per `unit` (bit, bit2 = a_bits*w_bits, lane, op, byte,
// access, flop_cycle) at the table's reference toggle rate. SRAM actions scale with the
// macro size: pj * (size_bytes / ref_bytes)^size_exponent, at least min_pj.
struct Action {
  std::string name;
  std::string unit;
  double pj = 0;
  double ref_bytes = 0, size_exponent = 0, min_pj = 0;
  std::string source;
};

// Static power from the design's area (optional [static] table of a technology file):
// base_mw + per used LUT, FF, block RAM, SPRAM and DSP (FPGAs), or per NAND2 gate equivalent
// and SRAM bit (ASIC: ge_mw, sram_bit_mw), each with its source. A per-resource key left out is 0.
struct StaticLeakage {
  bool from_area = false;  // false: the constant [tech] static_mw
  double base_mw = 0, lut_mw = 0, ff_mw = 0, bram_mw = 0, spram_mw = 0, dsp_mw = 0;
  double ge_mw = 0, sram_bit_mw = 0;
  std::string source;
};

class TechTable {
 public:
  // Parses a table; every problem (TOML syntax, missing [tech] key, an action without pj,
  // unit or source, negative energy) is an InputError naming `origin` and the key.
  static TechTable from_text(const std::string& toml_text, const std::string& origin);
  static TechTable from_file(const std::string& path);
  // `power.tech` value -> table file: a path ending in .toml is taken as is, a bare name is
  // looked up as <dir>/<name>.toml in tech_dirs(). Unknown name: InputError listing the
  // names available.
  static std::string resolve(const std::string& name_or_path);
  static TechTable load(const std::string& name_or_path) { return from_file(resolve(name_or_path)); }
  // Directories searched for bare names: $ECG_POWER_TECH_DIR (if set), then the source
  // tree's power/tech.
  static std::vector<std::string> tech_dirs();

  // The action, or an InputError "FILE: technology table has no action \"NAME\" (needed
  // by NEEDED_BY)".
  const Action& action(const std::string& name, const std::string& needed_by) const;
  bool has(const std::string& name) const { return m_actions.count(name) != 0; }
  // Energy of one action of `units` units; `size_bytes` is used by size-scaled actions.
  double pj(const std::string& name, double units, double size_bytes, const std::string& needed_by) const;

  const std::string& name() const { return m_name; }
  const std::string& file() const { return m_file; }
  const std::string& description() const { return m_description; }
  double ref_toggle_rate() const { return m_ref_toggle_rate; }
  double default_toggle_rate() const { return m_default_toggle_rate; }
  double static_mw() const { return m_static_mw; }
  const std::string& static_source() const { return m_static_source; }
  const std::map<std::string, Action>& actions() const { return m_actions; }
  // The device whose area the model reports for this technology ([tech] device; default up5k).
  const std::string& device() const { return m_device; }
  const StaticLeakage& leakage() const { return m_leakage; }

 private:
  std::string m_name, m_file, m_description, m_static_source;
  double m_ref_toggle_rate = 0.5, m_default_toggle_rate = 0.5, m_static_mw = 0;
  std::map<std::string, Action> m_actions;
  std::string m_device = "up5k";
  StaticLeakage m_leakage;
};

}  // namespace ecg::power
