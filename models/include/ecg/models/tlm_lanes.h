#pragma once
// The platform's transactions as waveform lanes (docs/cosim.md "TLM in GTKWave"): one VCD
// scope `tlm` with, from the per-beat transaction times of a run (BeatTrace):
//   beat_id[31:0]       the beat in the engine (set when it starts)
//   dma_busy            the DMA writing a beat into the input buffer (t_dma .. t_req)
//   engine_busy         a beat in the engine (t_start .. t_done)
//   queue_depth[15:0]   beats handed to the DMA and not yet taken (t_avail .. t_dma)
//   irq                 result presented, not yet read by the host (t_done .. t_host)
//   result_class[7:0]   the class the host read (at t_host)
//   latency_cycles[31:0] the beat's service latency in cycles (at t_host; docs/timing.md)
// Written directly from the recorded times (an LT model annotates time, so sc_signals
// written from its threads would show the annotation points, not the transactions).
#include <cstdint>
#include <string>
#include <vector>

#include "ecg/models/platform.h"

namespace ecg {

struct VcdLaneChange {
  std::uint64_t t_ps = 0;
  std::string line;  // one VCD value change, e.g. "1~~~~b" or "b101 ~~~~a"
};

// $scope/$var lines of the lanes (ids "~~~~a".."~~~~g", not used by Verilator's short codes).
std::string tlm_lane_vars();
// Every change of the lanes in time order (the initial values at time 0 first).
std::vector<VcdLaneChange> tlm_lane_changes(const PlatformResult& r);
// A VCD of the lanes alone (tlm mode: --trace FILE.vcd); written atomically.
void write_tlm_lanes_vcd(const std::string& path, const PlatformResult& r);
// Adds the lanes to an RTL VCD, in place (through FILE.tmp, renamed): their declarations
// before the RTL's, and their changes within the file's own time range (a windowed trace
// keeps its window; the lanes' values at its start are set at its first time).
// `depth` > 0: the file's own signals more than `depth` scopes below its top scope are left
// out (--trace-depth; Verilator 5.006 ignores the trace level, so it is done here).
void merge_tlm_lanes_into_vcd(const std::string& path, const PlatformResult& r, int depth = 0);

}  // namespace ecg
