#pragma once
// The run report (schema/report.schema.json, in this repository) as typed data. Every mode's report is one `Report`:
// the front end fills what the network and the metrics know (make_report, set_latency,
// set_sim_timing), a backend's fill_report() adds what its hardware knows, and one writer
// turns it into the JSON file (to_json, report_json.cpp) and one into the terminal table
// (format_hardware_table, report_table.cpp). The sweep reads results through
// report_fields(): the columns of its CSV are that list.
//
// An unset std::optional is a key the JSON file leaves out (or writes as null where the
// schema requires the key: hardware.clock_mhz, latency_*, throughput_fps, sim.*).
// Stable contract: extend by adding fields, never by changing meanings.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecg/beats.h"  // ChecksumMismatch
#include "ecg/metrics.h"
#include "ecg/qnet.h"

namespace ecg {

// min / mean / max of a per-beat figure. Integer spans (cycles) keep integer min and max.
struct Span {
  double min = 0, mean = 0, max = 0;
};
struct CycleSpan {
  std::uint64_t min = 0, max = 0;
  double mean = 0;
};

struct ClassReport {
  long beats = 0, tp = 0, fn = 0, fp = 0;
  double se = 0, ppv = 0, f1 = 0;      // an undefined ratio (0/0) is 0 here ...
  std::vector<std::string> undefined;  // ... and named here ("se", "ppv", "f1")
};

struct LayerReport {
  std::string name, type;
  int in_c = 0, in_l = 0, out_c = 0, out_l = 0;
  int out_bits = 0;
  std::uint64_t macs = 0, ops = 0;
  std::optional<int> weight_bits;  // layers with weights
};

struct NetworkReport {
  std::string model, task, labels;
  int input_length = 0, input_bits = 0;
  std::uint64_t params = 0;
  std::vector<LayerReport> layers;
};

// One pass (seq) or stage (pipe) of the engine model.
struct PassReport {
  std::string layer, type;
  std::vector<std::string> fused;
  std::int64_t pe = 0, simd = 0, work = 0, cycles = 0;
};

struct EngineReport {
  std::string style;
  std::int64_t load_cycles = 0, latency_cycles = 0, ii_cycles = 0;
  Span measured_latency_cycles;
  std::uint64_t macs_per_beat = 0;
  std::vector<PassReport> passes;
};

// A parameter value as the run used it (hardware.config).
using ConfigValue = std::variant<std::int64_t, double, bool, std::string>;

struct PowerBlockReport {
  double dynamic_uj_per_beat = 0, dynamic_mw = 0, nominal_pj = 0;
  std::optional<double> toggle_rate, nominal_bits;  // not for the clock block
};

struct EnergyFigures {
  double dynamic_mw = 0, dynamic_uj_per_beat = 0;
};

// The RTL-activity estimate next to the TLM one (rtl/cosim with -p power.rtl_activity=true).
struct RtlActivityReport {
  struct Block {
    double tlm_toggle_rate = 0, rtl_toggle_rate = 0, difference_pct = 0;
  };
  std::string tech, tlm_toggle_rates_from;
  EnergyFigures tlm, rtl_activity;
  double dynamic_difference_pct = 0;
  std::map<std::string, double> block_toggles;
  std::map<std::string, Block> blocks;
  std::uint64_t total_toggles = 0, busy_cycles = 0;
  std::string note;
};

// hardware.power: the breakdown behind hardware.power_mw.
struct PowerDetail {
  std::string tech, tech_file, toggle_rates_from;
  double dynamic_uj_per_beat = 0, dynamic_gops_per_w = 0, simulated_s = 0;
  std::map<std::string, PowerBlockReport> blocks;
  std::optional<std::string> activity_from;
  // rtl_activity: the comparison when measured, else a note saying why not (or absent).
  std::optional<RtlActivityReport> rtl_activity;
  std::optional<std::string> rtl_activity_note;
  // Static power and clock energy from the area (hardware.area): where static came from
  // ("area: ..." or "parameter power.static_mw"), flip-flops clocked and pJ per busy cycle.
  std::string static_from;
  double clocked_flip_flops = 0, clock_pj_per_cycle = 0;
  // Datapath energy per operation (counter name -> pJ per count at the applied toggle rate).
  std::map<std::string, double> per_op_pj;
};

struct PowerReport {
  double dynamic_mw = 0, static_mw = 0, total_mw = 0;
  double energy_uj_per_beat = 0, gops_per_w = 0;
  PowerDetail detail;
};

// hardware.area.buffers: buffer capacities in bytes.
struct AreaBuffers {
  double weights = 0, activations = 0, line_buffers = 0, input = 0;
};

// hardware.area: the engine on a device, from synthesis or the analytic area model.
struct AreaReport {
  std::string device, source, source_file;  // source: "place_and_route" | "synthesis" | "model"
  std::string bram_kind;                    // EBR | RAMB18
  double luts = 0, ffs = 0, brams = 0, sprams = 0, dsps = 0;
  double lut_capacity = 0, ff_capacity = 0, bram_capacity = 0, dsp_capacity = 0;
  std::optional<double> fmax_mhz;           // unknown without place and route (xc7a35t)
  bool fits = false;
  std::optional<bool> meets_clock;          // clock_mhz <= fmax_mhz
  std::optional<double> model_lut_error_pct, model_ff_error_pct;  // source model: held-out error
  // device asic: NAND2 gate equivalents of the logic (flip-flops included) and SRAM macro bits
  // (Yosys generic synthesis, or the GE model with its held-out error).
  std::optional<double> gate_equivalents, sram_bits, model_ge_error_pct;
  AreaBuffers buffers;
};

// hardware.realtime: the engine at the recording's pace, idle between beats.
struct RealtimeReport {
  double beats_per_s = 0;       // of the recording (beats / its duration)
  double average_mw = 0;        // static + dynamic energy per beat x rate (+ idle clock)
  double energy_uj_per_beat = 0;  // average power / rate: busy + idle
  double idle_mw = 0;           // static (+ clock tree when not gated) while idle
  bool idle_clock_gated = true;
  double battery_mah = 0, battery_v = 0;
  double battery_life_h = 0, battery_life_days = 0;
};

struct HardwareReport {
  std::optional<double> clock_mhz;
  std::optional<CycleSpan> latency_cycles;
  std::optional<Span> latency_us;
  std::optional<double> throughput_fps;
  std::optional<double> initiation_interval_cycles;
  std::optional<double> initiation_interval_measured_cycles;
  std::optional<std::uint64_t> realtime_deadline_misses;
  std::uint64_t ops_per_beat = 0, macs_per_beat = 0, weight_storage_bytes = 0;
  std::optional<std::map<std::string, ConfigValue>> config;
  std::optional<std::map<std::string, std::uint64_t>> activity;
  std::optional<EngineReport> engine;
  std::optional<std::uint64_t> dma_path_cycles, boot_cycles;
  std::optional<Span> queue_cycles;
  std::optional<PowerReport> power;
  std::optional<AreaReport> area;
  std::optional<RealtimeReport> realtime;
};

struct CosimPowerSummary {
  std::optional<double> tlm_dynamic_mw, rtl_activity_dynamic_mw, difference_pct;
  bool measured = false;
};

struct CosimReport {
  std::uint64_t beats_compared = 0, output_mismatches = 0;
  double rtl_cycles_total = 0, tlm_cycles_total = 0, cycle_error_pct = 0;
  std::optional<CosimPowerSummary> power;
};

struct FirstMismatch {
  std::string record;
  long sample = 0;
  std::vector<std::int32_t> golden_logits, logits;
  int golden_class = -1, cls = -1;
};

struct GoldenCheckReport {
  std::uint64_t beats_compared = 0;
  long mismatches = 0;
  double golden_wall_s = 0, golden_beats_per_s = 0;
  std::optional<double> speed_vs_golden;
  std::optional<FirstMismatch> first_mismatch;
};

struct SimReport {
  std::optional<double> wall_s, beats_per_s;
  std::optional<double> load_s;
  std::optional<int> threads;
  std::optional<std::uint64_t> simulated_cycles;
  std::optional<std::string> trace_file;
  std::optional<std::uint64_t> rtl_clock_cycles, rtl_output_mismatches;
  std::optional<double> rtl_cycles_per_s;
};

struct Report {
  std::string arch, mode;
  std::vector<std::string> records;
  std::string split;  // "" = not a named set (left out of the JSON)
  Metrics metrics;    // classes, beats, accuracy, confusion, per class counts
  NetworkReport network;
  HardwareReport hardware;
  std::optional<CosimReport> cosim;
  std::optional<GoldenCheckReport> golden_check;
  SimReport sim;
  // --allow-checksum-mismatch: the signals used although their checksum does not verify.
  std::optional<std::vector<ChecksumMismatch>> checksum_mismatches;
};

// What the network and the metrics know; hardware numbers only a timed backend knows stay
// unset until set_latency() or the backend's fill_report().
Report make_report(const Network& net, const std::string& mode, const std::vector<std::string>& records,
                   const std::string& split, const Metrics& metrics);

// hardware.clock_mhz, latency_cycles and latency_us {min, mean, max} from per-beat cycles.
void set_latency(Report& report, const std::vector<std::uint64_t>& cycles, double clock_mhz);

// sim.wall_s and sim.beats_per_s.
void set_sim_timing(Report& report, double wall_s, std::size_t beats);

// The one JSON writer: the document of report.schema.json (and its hardware.power part).
nlohmann::json to_json(const Report& report);
nlohmann::json to_json(const PowerDetail& detail);
nlohmann::json to_json(const RtlActivityReport& rtl_activity);

// The one terminal writer of the hardware figures of a timed mode ("" when the report has
// no latency). `unit` names what one input is ("beats" or "windows").
std::string format_hardware_table(const Report& report, const std::string& unit);

// The report's flat summary fields, in order: the sweep's CSV columns (beats, accuracy,
// clock, latency, II, FPS, power, energy, cosim, sim figures). `path` is where to_json()
// writes the field, so the sweep reads a child's report file through this list.
struct ReportField {
  const char* column;
  std::vector<const char*> path;
};
const std::vector<ReportField>& report_fields();
// Per-class summary columns: "<stat>_<class>" for stat in se, ppv, f1 (per_class.<c>.<stat>).
const std::vector<const char*>& per_class_field_stats();

// Fails early, before a long run, when `path` cannot be written (its folder is missing or
// not writable, or it is a folder): InputError "<flag> <path>: <problem>".
void check_output_path(const std::string& path, const std::string& flag);

// Checks `doc` against the subset of JSON Schema that report.schema.json uses (type,
// required, properties, additionalProperties, items, enum, minimum, maximum) and returns one
// line per problem ("hardware.clock_mhz: null, expected number"); empty when it conforms.
// Hand-written because Debian packages no C++ JSON Schema validator; tests of every mode use it.
std::vector<std::string> schema_problems(const nlohmann::json& doc, const nlohmann::json& schema);

}  // namespace ecg
