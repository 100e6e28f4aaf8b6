#pragma once
// The power model on the hardware description (hw/): parameters (ParamSet: power.*), the
// stats registry's activity counters, the engine model's geometry and timing. Pure C++, no
// SystemC. A backend's fill_report() needs one call: add_power_report(), on the run's
// configuration resolved once (PowerSetup); the ParamSet overloads resolve it themselves
// (tests, tools) from a ParamSet that declares engine.* (declare_engine_params), the
// platform clock (declare_platform_clock) and power.* (declare_power_params).
#include <map>
#include <string>

#include "ecg/hw/engine_model.h"
#include "ecg/hw/params.h"
#include "ecg/hw/platform_params.h"
#include "ecg/hw/stats.h"
#include "ecg/power/area.h"
#include "ecg/power/model.h"
#include "ecg/run/report.h"

namespace ecg::power {

// power.tech (table name or .toml path), power.static_mw (-1 = the table's value),
// power.calib ("auto" = power/calib/<arch>.json when it exists, "none", or a JSON path),
// power.rtl_activity, area.device, and the real-time view's power.idle_clock_gated,
// power.battery_mah, power.battery_v.
void declare_power_params(ParamSet& ps);
// Their keys (declare_power_params() describes each).
namespace power_param {
inline const ParamKey<std::string> kTech{"power.tech"};
inline const ParamKey<double> kStaticMw{"power.static_mw"};
inline const ParamKey<std::string> kCalib{"power.calib"};
inline const ParamKey<bool> kRtlActivity{"power.rtl_activity"};
inline const ParamKey<std::string> kAreaDevice{"area.device"};
inline const ParamKey<bool> kIdleClockGated{"power.idle_clock_gated"};
inline const ParamKey<double> kBatteryMah{"power.battery_mah"};
inline const ParamKey<double> kBatteryV{"power.battery_v"};
}  // namespace power_param

// Memory capacities and clocked flip-flops of the engine a config describes.
HwShape hw_shape(const NetGeom& net, const EngineConfig& cfg, const EngineTiming& t);

struct PowerConfig {
  TechTable tech;
  double static_mw = -1;                // -1: the table's
  std::map<std::string, double> rates;  // calibrated toggle rates (empty: table default)
  std::string rates_from;               // "table default" or the calibration file
  bool rtl_activity = false;            // power.rtl_activity
  std::string area_device;              // area.device ("auto" resolved: the table's device)
  bool idle_clock_gated = true;         // power.idle_clock_gated
  double battery_mah = 225, battery_v = 3.0;  // power.battery_mah, power.battery_v
};
// Loads the table and the calibration named by the parameters (InputError on a bad name,
// file, or a calibration for another arch).
PowerConfig power_config(const ParamSet& ps, const std::string& arch);

// What the power model needs of a run, resolved once (models/: PlatformConfig).
struct PowerSetup {
  const NetGeom& net;
  const EngineConfig& engine;
  const EngineTiming& timing;
  const PowerConfig& power;
  double clock_mhz;  // the platform clock (platform_param::kClockMhz)
};

// The engine's area on the configured device (hardware.area) and the shape the power model
// charges: memories as hw_shape(), clocked flip-flops = the area's flip-flops.
AreaReport setup_area(const PowerSetup& setup);
HwShape power_hw_shape(const PowerSetup& setup, const AreaReport& area);
// Static power of an area on a table: power.static_mw when >= 0, else the table's [static]
// leakage per resource (or its constant static_mw); `from` says which.
double static_power_mw(const TechTable& tech, double static_mw_param, const AreaReport& area, std::string* from);

// hardware.realtime: the run's energy per beat at `beats_per_s` (the recording's pace), the
// engine idle in between (static power, plus the clock tree unless power.idle_clock_gated),
// and the battery life. Reads report.hardware.power and report.hardware.config (power.*);
// a report without power is left as is.
void add_realtime_view(Report& report, double beats_per_s);

// Counters of a registry as a plain map.
std::map<std::string, std::uint64_t> counters_of(const StatsRegistry& stats);
// The engine model's per-beat activity x beats (what the RTL executes for the same beats).
std::map<std::string, std::uint64_t> engine_counters(const EngineTiming& t, std::uint64_t beats);

// Sets report.hardware.power (power_mw {dynamic, static, total}, energy_uj_per_beat,
// gops_per_w and the breakdown hardware.power) from the counters of a run over `beats`
// beats lasting `simulated_cycles` cycles at clock_mhz. `measured_rates` (non-empty:
// RTL-measured toggle rates) replaces the calibration; their source is named by
// `rates_from`. Returns the estimate.
Estimate add_power_report(Report& report, const PowerSetup& setup,
                          const std::map<std::string, std::uint64_t>& counters, double beats,
                          double simulated_cycles,
                          const std::map<std::string, double>& measured_rates = {},
                          const std::string& rates_from = "");
Estimate add_power_report(Report& report, const ParamSet& ps, const NetGeom& net,
                          const std::map<std::string, std::uint64_t>& counters, double beats,
                          double simulated_cycles,
                          const std::map<std::string, double>& measured_rates = {},
                          const std::string& rates_from = "");

// The RTL side: toggles per block measured over `beats` beats that kept the engine busy
// `busy_cycles` cycles. Both estimates use the same counters (the engine model's activity
// x beats, plus the busy cycles); the TLM estimate applies the calibrated toggle rates
// (power.calib), the RTL-activity estimate the rates measured in this run. Their
// difference is what the calibration misses on this data.
struct RtlComparison {
  Estimate tlm, rtl;
  std::map<std::string, double> measured_rates, block_toggles;
  double dynamic_difference_pct = 0;  // 100 * (tlm - rtl) / rtl, dynamic power
  // hardware.power.rtl_activity of the report (total_toggles, busy_cycles, note: the caller's).
  RtlActivityReport report() const;
};
// The TLM side alone (calibrated toggle rates) on the same counters and busy time.
Estimate busy_engine_estimate(const PowerSetup& setup, double beats, double busy_cycles);
Estimate busy_engine_estimate(const ParamSet& ps, const NetGeom& net, double beats, double busy_cycles);
RtlComparison compare_with_rtl(const PowerSetup& setup, const std::map<std::string, double>& block_toggles,
                               double beats, double busy_cycles);
RtlComparison compare_with_rtl(const ParamSet& ps, const NetGeom& net,
                               const std::map<std::string, double>& block_toggles, double beats,
                               double busy_cycles);

}  // namespace ecg::power
