#pragma once
// Synthesis and place-and-route of one engine variant behind the board top (rtl/board/),
// with Debian's tools only: Yosys (synth_ice40 / synth_xilinx), nextpnr-ice40 and icepack.
// Pure C++ (no SystemC); `ecg_sim synth` (sim/cmd_synth.cpp) is the front door and
// docs/synth.md documents the result's keys.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace ecg::synth {

// One Verilated engine variant as registered in rtl/CMakeLists.txt (CMake writes the list to
// <build>/synth/rtl_variants.json): Verilog top, sources (dependencies first), parameters.
struct Variant {
  std::string name, style, arch, top;  // style: engine.style (seq, pipe); top: its module
  std::vector<std::string> sources;
  std::vector<std::pair<std::string, std::string>> params;  // Verilog parameter -> value
  // Integer value of a parameter, -1 when the variant does not set it.
  long param_int(const std::string& key) const;
};
// Reads the registry; a missing or malformed file is an InputError.
std::vector<Variant> load_variants(const std::string& path);

// Target devices and what they hold.
struct Device {
  std::string name;    // up5k | xc7a35t
  std::string family;  // ice40 | xc7
  nlohmann::json capacity;
};
const std::vector<Device>& devices();
const Device& find_device(const std::string& name);  // InputError listing the devices

struct FlowRequest {
  Device device;
  std::string engine_top;                                   // engine module inside board_top
  std::vector<std::string> engine_sources;                  // absolute paths
  std::vector<std::pair<std::string, std::string>> params;  // engine parameters
  double clock_mhz = 0;    // target clock (nextpnr --freq)
  std::string dsp = "auto";  // iCE40: auto (DSPs when the multipliers fit the device) | on | off
  bool check_only = false; // stop after memory mapping (generic checks, no LUT mapping/P&R)
  int seed = 1;            // nextpnr placement seed (fixed: reproducible figures)
  std::string work_dir;    // logs, netlists, bitstream
};

// Board sources (rtl/board/*.sv), the pin file and the flow's own version: part of the key.
std::vector<std::string> board_sources();
std::string pcf_file();

// The cache key of a request: every input that changes the result (tool versions, sources'
// contents, parameters, clock, device, options), hashed.
std::string request_key(const FlowRequest& req);

// Steps in progress: called with the step's name when it starts.
using StepFn = std::function<void(const std::string& step)>;

// Runs the flow in req.work_dir (created) and returns the result object (docs/synth.md).
// Tool failures are recorded in the result ("problems"); a missing tool is an InputError.
nlohmann::json run_flow(const FlowRequest& req, const StepFn& on_step);

// Parsers of the tools' outputs (exposed for the tests).
struct Memory {
  std::string name;
  long width = 0, depth = 0;
  long bits() const { return width * depth; }
};
std::vector<Memory> parse_memory_dump(const std::string& dump);      // `dump t:$mem_v2`
long parse_select_count(const std::string& text);                   // `select -count`: N objects
// Arrays that Yosys' front end turned into registers ("Replacing memory \X with list of
// registers"), sized from the wires `...X[i]` in a `dump w:*` of the flattened design; only the
// elements a flip-flop drives (a Q connection in `dump t:$*dff*`) count.
std::vector<Memory> parse_mem2reg(const std::string& log, const std::string& wire_dump, const std::string& ff_dump);
// Cell counts of `stat -json` (design totals) into the device's utilization keys.
nlohmann::json utilization_from_stat(const nlohmann::json& stat, const std::string& family);
// $mul cells per module (pre-flatten `stat -json`), by module base name, non-zero only.
nlohmann::json mul_cells_by_module(const nlohmann::json& stat);
// nextpnr --report: fmax of the design's clock (the slowest clock domain), 0 if none.
double fmax_from_report(const nlohmann::json& report);
// First "ERROR:" line of a log, or "" when there is none.
std::string first_error(const std::string& log);

std::string read_text(const std::string& path);  // "" when missing

}  // namespace ecg::synth
