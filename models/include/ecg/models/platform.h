#pragma once
// The SoC platform (docs/platform.md): beat_source -> dma -> bus -> accelerator (CSR, input
// buffer, weight memory, engine) -> IRQ -> host. One platform per process (SystemC
// elaborates once); run_platform() builds it, streams the beats and returns the per-beat
// trace and summary figures.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ecg/hw/engine_model.h"
#include "ecg/hw/params.h"
#include "ecg/hw/platform_params.h"
#include "ecg/hw/stats.h"
#include "ecg/models/engine_if.h"
#include "ecg/models/platform_types.h"
#include "ecg/power/hw.h"
#include "ecg/run/report.h"

namespace ecg {

struct Network;

// A run's configuration, resolved once (make_platform_config, tlm_run.h) and handed to the
// platform, its engine and the power report: nothing downstream re-reads or re-derives it.
struct PlatformConfig {
  NetGeom geom;              // the network as the hardware sees it
  ParamSet params;           // every parameter in effect (report: hardware.config)
  EngineConfig engine;       // engine.* checked against the network
  EngineTiming timing;       // the engine model's figures for it
  double clock_mhz = 0;      // the platform clock (platform_param::kClockMhz), read once
  power::PowerConfig power;  // technology table, calibration, power.rtl_activity
  power::PowerSetup power_setup() const { return power::PowerSetup{geom, engine, timing, power, clock_mhz}; }
};

// LT global quantum in cycles (declared by declare_platform_params()).
inline const ParamKey<std::int64_t> kSimQuantumCycles{"sim.quantum_cycles"};

// Declares every platform parameter for a network: the platform's own (clock_mhz,
// sim.quantum_cycles) and its modules' engine.*, bus.*, mem.*, dma.*, source.* (the set
// configs/<arch>.toml lists).
void declare_platform_params(ParamSet& ps, const NetGeom& net);
// Cross-parameter checks against the network (InputError naming the key); returns the
// engine configuration in effect.
EngineConfig validate_platform_params(const ParamSet& ps, const NetGeom& net);

struct PlatformSetup {
  const PlatformConfig& config;
  ComputeFn compute;
  std::vector<std::uint8_t> weight_image;  // packed weights the DMA loads at boot
  const Network* network = nullptr;        // for engines that need it (RTL engines load its weights)
  std::string engine_kind = "tlm";
  std::function<void(std::size_t)> on_result;  // called by the host with results read so far
  std::string waveform_file;               // RTL engines: VCD of the run ("" = none)
};

struct PlatformResult {
  std::vector<BeatTrace> trace;
  EngineTiming timing;  // the engine model's figures (style, load, latency, II, activity)
  double clock_mhz = 0;  // the platform clock the run used
  std::uint64_t simulated_cycles = 0;  // end of simulation
  std::uint64_t boot_cycles = 0;       // weight load before the first beat
  // Service latency of a beat: DMA transfer + START (t_dma -> t_req) plus engine start ->
  // result read by the host (t_start -> t_host); waiting behind earlier beats is excluded
  // and reported as queue_cycles (t_avail -> t_dma plus t_req -> t_start). With no
  // queueing (realtime pace, platform fast enough) it equals t_host - t_avail.
  Span latency_cycles;
  Span queue_cycles;
  Span engine_cycles;                  // engine start -> result
  double ii_cycles = 0;                // steady-state cycles between beats, back to back
  double ii_measured_cycles = 0;       // measured (back_to_back runs with >= 2 beats), else 0
  std::uint64_t deadline_misses = 0;   // result read after the next beat of its record arrived
  double throughput_fps = 0;           // clock / ii
  std::uint64_t dma_path_cycles = 0;   // per beat: input burst(s) + START write + engine load
};

// Builds and runs the platform over `beats` (once per process). Counters go to `stats`.
PlatformResult run_platform(const PlatformSetup& setup, const std::vector<BeatIn>& beats,
                            StatsRegistry& stats);

}  // namespace ecg
