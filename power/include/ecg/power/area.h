#pragma once
// Area of an engine on a device (docs/power.md, "Area"): LUTs, flip-flops, block RAMs, DSPs,
// Fmax, whether it fits and meets its clock, and the buffer sizes. Figures come from
// synthesis where it was run (the `ecg_sim synth --json` results committed under
// power/area/synth/, matched by arch, device, PE and SIMD) and otherwise from an analytic
// model (power/area/model.json) fitted on those results by ecg_area_fit. Pure C++.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecg/hw/engine_model.h"
#include "ecg/run/report.h"

namespace ecg::power {

// What a device holds (the synth flow's capacities).
struct DeviceCapacity {
  std::string name;       // up5k | xc7a35t
  std::string bram_kind;  // EBR (4 kbit) | RAMB18 (18 kbit)
  double luts = 0, ffs = 0, brams = 0, bram_bits = 0, sprams = 0, dsps = 0;
};
// InputError for an unknown device name.
DeviceCapacity device_capacity(const std::string& device);

// Structural features of an engine on a device, summed over its units (seq: one engine;
// pipe: one stage per layer), which the model's coefficients multiply.
struct AreaFeatures {
  double units = 0;         // engines or stages (control, descriptors, write-back)
  double pe = 0;            // PEs (accumulator, partial sum, requant lane)
  double lane_operand = 0;  // sum of PE x SIMD x (activation + weight bits) + 2 x PE x XNOR lanes: operand
                            // registers, adder trees, popcounts
  double lut_mult = 0;      // multiplier bits built from LUTs: PE x SIMD x a x w for lanes that are not on
                            // DSPs (shift-add lanes always)
  double xnor = 0;          // PE x XNOR lanes (binary lanes: XNOR + popcount tree)
  double requant_lut = 0;   // PEs whose requant (24 x 16 multiply, rounding shifter) is built from LUTs
  double simd_depth = 0;    // log2 of the widest lane product (adder tree depth x lane width: critical path)
  bool dsp_mapped = false;  // the device's DSPs take every DSP-eligible multiplier (the flow's --dsp auto)
  std::vector<double> lut_vector() const { return {units, pe, lane_operand, lut_mult, xnor, requant_lut}; }
  std::vector<double> ff_vector() const { return {units, pe, lane_operand}; }
  std::vector<double> fmax_vector() const { return {1.0, simd_depth}; }
};
AreaFeatures area_features(const NetGeom& net, const EngineConfig& cfg, const EngineTiming& t,
                           const DeviceCapacity& dev);
// The same features for standard cells (device asic): every multiplier is built from gates (no
// hard DSP blocks), so lut_mult counts every lane multiplier's bits and requant_lut every PE.
AreaFeatures gate_features(const NetGeom& net, const EngineConfig& cfg, const EngineTiming& t);

// Buffer capacities in bytes (weights, activations: both ping-pong buffers of seq, line
// buffers of pipe, input).
AreaBuffers area_buffers(const NetGeom& net, const EngineConfig& cfg, const EngineTiming& t);

// Block RAMs the engine's memories take, one memory at a time (ceil(bits / block bits)).
double model_brams(const AreaBuffers& b, const DeviceCapacity& dev);
// DSP blocks the multipliers would take: two per requant (24 x 16), plus one per lane unless
// the lanes shift-add (pow2 weights). The synth flow puts all of them on DSPs when they fit the device (iCE40
// --dsp auto), else none.
double dsp_eligible(const NetGeom& net, const EngineConfig& cfg, const EngineTiming& t);
// Lane multipliers of the engine (PE x SIMD per unit; 0 where the lanes shift-add).
double lane_multipliers(const NetGeom& net, const EngineConfig& cfg, const EngineTiming& t);
double model_dsps(const NetGeom& net, const EngineConfig& cfg, const EngineTiming& t, const DeviceCapacity& dev);

// The fitted model of one device: coefficients of the feature vectors (least squares), the
// mean block-RAM offset, and the held-out errors it was checked on.
struct AreaModel {
  std::string file, device;
  std::vector<double> lut, ff, period_ns;  // lut [6], ff [3]; period_ns empty: no Fmax data
  // device asic: gate equivalents on gate_features().lut_vector() [6] (lut empty), and SRAM bits
  // = sram[0] + sram[1] x 8 x (weight + activation buffer bytes) (model_sram_bits).
  std::vector<double> ge, sram;
  double ge_error_pct = 0;
  double bram_offset = 0;
  // The board top (SPI link, I/O) around the engine: board result - engine-alone result of the
  // same shape (mean over such pairs), added to the model's engine figures.
  double board_luts = 0, board_ffs = 0;
  double lut_error_pct = 0, ff_error_pct = 0;  // largest |error| on held-out shapes
  std::vector<std::string> held_out;
  double lut_scale_from = 0;  // > 0: coefficients derived from another device's by this factor
  std::string derived_from;
  nlohmann::json provenance;
};
// power/area/model.json (or $ECG_AREA_DIR/model.json): every device's model.
std::string default_area_dir();
std::map<std::string, AreaModel> load_area_models(const std::string& path);
void save_area_models(const std::map<std::string, AreaModel>& models, const std::string& path);

// One synthesized shape (a `ecg_sim synth --json` result with utilization).
struct SynthShape {
  std::string file, arch, device;
  std::string style;  // seq | pipe (from engine_top; "" = not stated)
  bool engine_only = false;  // the engine alone (no board top): what the model is fitted on
  int pe = 0, simd = 0;
  double luts = 0, ffs = 0, brams = 0, sprams = 0, dsps = 0;
  double ge = 0, sram_bits = 0;  // device asic (tools/area_synth_shapes.py --device asic)
  std::optional<double> fmax_mhz;
  bool fits = false;
  double clock_mhz = 0;
};
// nullopt when the JSON is not a full synthesis result (check-only, no utilization). An asic
// result has utilization ge, ff and sram_bits instead of LUTs.
std::optional<SynthShape> read_synth_result(const std::string& path);
std::vector<SynthShape> read_synth_dir(const std::string& dir);

// Least squares with a small ridge (the few shapes a fit sees): coefficients >= 0 by
// dropping negative ones and refitting. Hand-written: a 3x3 system (no Debian linear
// algebra library is a dependency of this project).
std::vector<double> fit_nonneg(const std::vector<std::vector<double>>& x, const std::vector<double>& y);
double dot(const std::vector<double>& a, const std::vector<double>& b);

// 8 x (weight + activation buffer bytes): the asic SRAM model's feature.
double buffer_bits(const AreaBuffers& b);
// SRAM bits the model gives an engine's buffers (device asic): c[0] + c[1] x buffer_bits, >= 0.
double model_sram_bits(const AreaBuffers& b, const std::vector<double>& c);

// The area report of an engine: synthesized figures when a committed result matches
// (arch, device, pe, simd), else the model's; meets_clock against the platform clock. Device
// asic: gate equivalents, flip-flops and SRAM bits (no LUTs, block RAMs or DSPs).
AreaReport area_report(const NetGeom& net, const EngineConfig& cfg, const EngineTiming& t, double clock_mhz,
                       const std::string& device, const std::string& area_dir = "");

}  // namespace ecg::power
