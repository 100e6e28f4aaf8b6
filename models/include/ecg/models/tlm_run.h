#pragma once
// Glue between the qnet Network and the platform (its geometry: ecg/hw/net_geometry.h):
// weight image, the parameter set of a run (declarations + config file + --realtime + -p
// overrides), and one call that runs the platform over beats. Used by the `tlm` backend, tests and benches.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ecg/beats.h"
#include "ecg/models/platform.h"
#include "ecg/qnet.h"

namespace ecg {

// Every tensor packed at its `bits` (LSB first, each tensor byte-aligned): int = two's
// complement, binary = 1 for +1 / 0 for -1, pow2 = 0 for zero else sign (MSB) | (e + 1).
// Its size is net.weight_storage_bytes().
std::vector<std::uint8_t> weight_image(const Network& net);

struct TlmOptions {
  std::string config_file;           // "" = configs/<arch>.toml
  std::vector<std::string> params;   // -p key=value, in order
  bool realtime = false;             // --realtime: source.pace = realtime
  std::string engine_kind = "tlm";
};

// configs/<arch>.toml in the working directory, else in the source tree; InputError if none.
std::string default_config_path(const std::string& arch);
// Every parameter of a run: the platform's and power.*.
void declare_run_params(ParamSet& ps, const NetGeom& geom);
// Declares the network's run parameters, then applies the config file, --realtime
// and the -p overrides, and validates them (InputError naming the key).
ParamSet make_platform_params(const Network& net, const NetGeom& geom, const TlmOptions& opt);
// The run's whole configuration, resolved once: the parameters as make_platform_params()
// gives them, the engine configuration and timing, the clock and the power set-up (bad
// power.tech / power.calib: InputError before the run).
PlatformConfig make_platform_config(const Network& net, const TlmOptions& opt);

// Beats -> platform beats: records follow each other on the paced time axis (1 s apart),
// each record its own stream.
std::vector<BeatIn> platform_beats(const std::vector<Beat>& beats);

struct TlmRun {
  PlatformConfig config;
  StatsRegistry stats;
  PlatformResult result;
};
// Runs the platform once (one per process) with the golden interpreter as the functional
// model, on run.config when it is already resolved (run.config.clock_mhz > 0), else on the
// configuration make_platform_config(net, opt) gives. `waveform_file`: RTL engines' VCD.
void run_tlm(const Network& net, const std::vector<Beat>& beats, const TlmOptions& opt, TlmRun& run,
             const std::function<void(std::size_t)>& on_result = {}, const std::string& waveform_file = "");

}  // namespace ecg
