#pragma once
// Engine kinds "rtl" and "cosim" for the TLM platform (docs/platform.md, "Engine interface").
//  - rtl: a TLM-to-pins bridge in front of the Verilated engine (seq or pipe, by
//    engine.style). On each acc2eng job it first syncs (wait(delay)), then streams the
//    samples on valid/ready at clock edges, waits for the class/logits word and fills the
//    beat_job_ext (times, cycles, logits). The RTL computes the outputs itself; they are
//    compared with the functional model (golden).
//  - cosim: the TLM engine and the RTL engine side by side: each job goes to both; the
//    platform continues on the RTL's timing and outputs.
// Both count what they checked in the stats registry as check counters (not activity, so
// the power model never sees them): rtl.beats (beats compared), rtl.output_mismatches (RTL
// vs golden, and vs TLM in cosim), rtl.cycles (RTL engine cycles summed over beats),
// rtl.clock_cycles (clock cycles the RTL simulated, weight load included) and, in cosim,
// cosim.tlm_cycles (the TLM engine's cycles of the same beats).
// The clock, engine configuration, network and waveform file come from the EngineContext.

#include <cstdint>
#include <limits>

namespace ecg::rtl {

// How the bridge drives the pins (one platform per process, so one setting per process; the
// rtl/cosim backend sets it before the run, from -p rtl.bridge and the --trace-* flags).
struct BridgeOptions {
  // true: the fast bridge (tb/pin_bench.h: the model clocked in a C++ loop per job);
  // false: the pin-level bench (one SystemC delta cycle per clock edge), its reference.
  bool fast = true;
  // Waveform window in beat indices of the run, inclusive (fast bridge only): the model runs
  // untraced before it and after it. Default: every beat, the weight load included.
  std::uint64_t trace_first = 0;
  std::uint64_t trace_last = std::numeric_limits<std::uint64_t>::max();
};
void set_bridge_options(const BridgeOptions& opt);
const BridgeOptions& bridge_options();

// Registers the "rtl" and "cosim" engine kinds (idempotent).
void register_rtl_engines();

}  // namespace ecg::rtl
