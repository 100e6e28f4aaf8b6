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

namespace ecg::rtl {

// Registers the "rtl" and "cosim" engine kinds (idempotent).
void register_rtl_engines();

}  // namespace ecg::rtl
