#pragma once
// Engine kinds "rtl" and "cosim" for the TLM platform (docs/platform.md, "Engine interface").
//  - rtl: a TLM-to-pins bridge in front of the Verilated seq engine. On each acc2eng job it
//    first syncs (wait(delay)), then streams the samples on valid/ready at clock edges,
//    waits for the class/logits word and fills the beat_job_ext (times, cycles, logits).
//    The RTL computes the outputs itself; they are compared with the functional model
//    (golden) and counted in rtl_totals().
//  - cosim: the TLM engine and the RTL engine side by side: each job goes to both; the
//    platform continues on the RTL's timing and outputs, and the stats registry gets
//    beats compared, output mismatches (RTL vs golden/TLM), RTL and TLM cycle totals
//    (rtl_totals()).
#include <cstdint>
#include <string>

namespace ecg::rtl {

// Registers the "rtl" and "cosim" engine kinds (idempotent; also done at static init).
void register_rtl_engines();
// VCD file for the next RTL engine created ("" = none); set by the rtl/cosim backends.
void set_engine_trace_file(const std::string& path);
// Output backpressure probability for the next RTL engine (0 = always ready).
void set_engine_backpressure(double p);

// Totals of this process's RTL engine (kept out of the stats registry: those names are the
// power model's activity counters).
struct RtlTotals {
  std::uint64_t beats = 0;
  std::uint64_t output_mismatches = 0;  // RTL vs golden (and vs TLM in cosim)
  std::uint64_t rtl_cycles = 0;
  std::uint64_t tlm_cycles = 0;         // cosim only
  std::uint64_t rtl_edges = 0;          // clock cycles the RTL simulated (incl. weight load)
  bool cosim = false;
};
const RtlTotals& rtl_totals();

}  // namespace ecg::rtl
