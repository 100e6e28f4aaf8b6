#pragma once
// Activity-based energy model (docs/power.md): activity counters (the stats registry's
// names, e.g. "engine.mac.a8w4", "mem.weight.read.256b") x energy per action (TechTable)
// x toggle-rate factor per block = dynamic energy; / simulated time = dynamic power.
// Pure C++ (no SystemC, nothing of the platform): the inputs are plain maps.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecg/power/tech.h"
#include "ecg/run/report.h"

namespace ecg::power {

// Hardware facts the counter names do not carry.
struct HwShape {
  std::map<std::string, double> mem_bytes;  // memory key of "mem.<key>.*" counters -> capacity
  double clocked_bits = 0;                  // flip-flops clocked on every busy engine cycle
  std::string mult_action = "mult";         // lane multiplies: "mult" (LUT logic) or "mult_dsp" (hard blocks)
};

// What one counter costs per count: a sum of table actions, charged to one block.
struct Term {
  std::string action;
  double units = 0;       // in the action's unit
  double size_bytes = 0;  // size-scaled actions (SRAM)
};
struct CounterCost {
  bool energy = false;      // false: a counter that carries no energy (beats, idle cycles, ...)
  std::string block;        // datapath | mem.<key> | clock | platform
  std::vector<Term> terms;
  double nominal_bits = 0;  // data bits that may toggle per count (activity-factor base)
  bool activity_scaled = true;  // false: clock energy, independent of data toggles
};

// The cost of a counter by its name (the naming scheme of docs/platform.md "Stats").
// Unknown names and memories missing from `hw.mem_bytes` are InputError naming the counter.
CounterCost counter_cost(const std::string& counter, const HwShape& hw);

struct Activity {
  std::map<std::string, std::uint64_t> counters;  // totals over the run
  double beats = 0;
  double seconds = 0;       // simulated time the counters cover (cycles / clock)
  double ops_per_beat = 0;  // network operations per beat (2 per MAC + element-wise ops)
};

struct BlockEnergy {
  double nominal_pj = 0;    // energy at the table's reference toggle rate
  double nominal_bits = 0;  // sum of count x nominal_bits (toggle-rate base)
  double toggle_rate = 0;   // rate applied (calibrated, measured, or the table default)
  double pj = 0;            // nominal_pj x toggle_rate / ref (clock: nominal_pj)
};

struct Estimate {
  std::string tech, tech_file, rates_from;
  std::map<std::string, BlockEnergy> blocks;
  // Datapath counters (engine.mac.*, engine.xnor_popcount, ...): pJ per count at the block's
  // applied toggle rate, e.g. one XNOR-popcount lane vs one a8w4 MAC.
  std::map<std::string, double> per_count_pj;
  double dynamic_pj = 0;
  double seconds = 0, beats = 0;
  double dynamic_mw = 0, static_mw = 0, total_mw = 0;
  double energy_uj_per_beat = 0;          // (dynamic + static x time) / beats
  double dynamic_energy_uj_per_beat = 0;  // dynamic only
  double gops_per_w = 0;                  // ops per second / total power
  double dynamic_gops_per_w = 0;          // ops per second / dynamic power
  // hardware.power_mw {dynamic, static, total}, energy, GOPS/W and the breakdown
  // hardware.power of the run report.
  PowerReport report() const;
};

// Toggle rate per block: `rates` where given (calibration or RTL measurement), else the
// table's default. `static_mw` < 0 takes the table's static power.
Estimate estimate(const Activity& act, const HwShape& hw, const TechTable& tech,
                  const std::map<std::string, double>& rates, double static_mw,
                  const std::string& rates_from);

// Nominal bits per block of a run (the base a measured toggle count is divided by).
std::map<std::string, double> nominal_bits(const Activity& act, const HwShape& hw);

// Measured toggle rate per block: toggles / nominal bits of the same run. Blocks "-"
// (deliberately not a data block) and "unassigned" are skipped; other blocks with toggles
// but no nominal bits are an InputError (the block mapping does not fit the counters).
std::map<std::string, double> toggle_rates(const std::map<std::string, double>& block_toggles,
                                           const Activity& act, const HwShape& hw);

// Per-arch calibration (power/calib/<arch>.json): measured toggle rates per block and how
// they were obtained.
struct Calibration {
  std::string file, arch;
  std::map<std::string, double> toggle_rate;
  nlohmann::json provenance;  // record, beats, cycles, engine config, tool
};
Calibration load_calibration(const std::string& path);
void save_calibration(const Calibration& c, const std::string& path);
// power/calib/<arch>.json in the source tree (or $ECG_POWER_CALIB_DIR).
std::string default_calibration_path(const std::string& arch);
// VCD signal -> block rules of an engine style: power/calib/<style>_blocks.json (or in
// $ECG_POWER_CALIB_DIR), e.g. seq_blocks.json.
std::string default_block_rules_path(const std::string& engine_style);

// 100 * (a - b) / b.
double pct_difference(double a, double b);

}  // namespace ecg::power
