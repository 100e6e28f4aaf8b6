#pragma once
// One pin-level SystemC bench for every Verilated engine (seq and pipe have the same pins;
// tb/pin_bench.h): a register-port master that loads a program (tb/engine_program.h), a
// stream source that feeds beat samples on valid/ready, and a stream sink with optional random
// backpressure that collects class + logits. Beats run one at a time (run: each beat's result
// is taken before the next beat is offered, as the TLM-to-pins bridge does) or back to back
// (stream: beats overlap in a pipelined engine). Cycles are counted by the bench from the
// first sample handshake to the output handshake of each beat.
//
// And the one registry of the Verilated hardware variants (listed once, in rtl/CMakeLists.txt):
// each names its engine style, arch and shape, and makes its bench. The bench hides the
// Verilated class; SystemC elaborates once per process, so a process creates at most one.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ecg/beats.h"
#include "engine_program.h"
#include "pipe_program.h"
#include "seq_program.h"

namespace ecg::rtl {

struct BenchOptions {
  double clock_mhz = 100.0;
  // true: the bench runs the simulation itself (sc_start/sc_pause around each call);
  // false: it lives inside a running platform and the thread_* calls are made from a
  // SystemC thread (the TLM-to-pins bridge, tb/rtl_engine.cpp).
  bool standalone = true;
  std::string trace_file;      // VCD path, "" = no waveform
  // Thread mode only: the fast bridge (tb/pin_bench.h "fast"): the model is clocked in a C++
  // loop, edge by edge, with the SystemC kernel out of the loop; the waveform is written only
  // while thread_trace(true) (windowed tracing). false: the pin-level bench, one SystemC
  // delta cycle per clock edge.
  bool fast = false;
  double backpressure = 0.0;   // probability that out_ready is low in a cycle
  std::uint32_t seed = 1;
};

struct BeatResult {
  int predicted = -1;
  std::vector<std::int32_t> logits;
  std::uint64_t cycles = 0;      // first sample handshake .. output handshake, inclusive
  std::uint64_t csr_cycles = 0;  // the engine's own count (seq: CSR CycLast; pipe: none, 0)
  double start_s = 0, done_s = 0;
};

class EngineBench {
 public:
  virtual ~EngineBench() = default;
  virtual std::uint32_t read_reg(std::uint32_t addr) = 0;  // a CSR or info word
  virtual void load(const EngineProgram& prog) = 0;
  // One beat at a time; `done(i)` is called as beat i completes.
  virtual void run(const std::vector<Beat>& beats, std::vector<BeatResult>& out,
                   const std::function<void(std::size_t)>& done) = 0;
  // Back to back: the source offers beat i+1 right after beat i's last sample.
  virtual void stream(const std::vector<Beat>& beats, std::vector<BeatResult>& out) = 0;
  virtual std::uint64_t simulated_cycles() const = 0;  // clock cycles since start
  virtual void close_trace() = 0;

  // In-thread API (standalone = false): call from a SystemC thread; they wait on clock edges.
  virtual void thread_start() = 0;  // opens the waveform, resets the engine
  virtual std::uint32_t thread_read_reg(std::uint32_t addr) = 0;
  virtual void thread_load(const EngineProgram& prog) = 0;
  virtual void thread_beat(const Beat& beat, BeatResult& out) = 0;
  // Fast bridge: write the waveform from now on (true) or stop (false).
  virtual void thread_trace(bool on) = 0;
  // Runs f, which makes thread_* calls, in one stretch of the clock.
  virtual void thread_batch(const std::function<void()>& f) = 0;

  // The engine's hardware parameters, read from its CSRs (standalone).
  SeqHw seq_hw() { return read_seq_hw([this](std::uint32_t a) { return read_reg(a); }); }
  PipeHw pipe_hw() { return read_pipe_hw([this](std::uint32_t a) { return read_reg(a); }); }
  // In-thread, all the reads in one stretch of the clock: the engine's hardware parameters in
  // the type `prog` was compiled for (to compare with prog.hw).
  SeqHw thread_hw(const SeqProgram&) { return thread_read_hw(read_seq_hw); }
  PipeHw thread_hw(const PipeProgram&) { return thread_read_hw(read_pipe_hw); }

 private:
  template <class Hw>
  Hw thread_read_hw(Hw (*read_hw)(const RegRead&)) {
    Hw h;
    thread_batch([&] { h = read_hw([this](std::uint32_t a) { return thread_read_reg(a); }); });
    return h;
  }
};

// A Verilated hardware variant of an engine (one row of rtl/CMakeLists.txt's tables).
struct Variant {
  std::string name;   // Verilated class without the leading V, e.g. "seq_qrcnn"
  std::string style;  // engine.style: "seq" or "pipe"
  std::string arch;   // the network family it serves
  int pe = 0, simd = 0;
  // seq: MAC flavour, lane widths and memory depths (SV parameters); 0 for pipe.
  int mac_kind = 0, wbits = 0, abits = 0, xnor_lanes = 0;
  int act_a = 0, act_b = 0, wgt_rows = 0, par_depth = 0;
  int stages = 0;  // pipe: pipeline stages; 0 for seq
  std::function<std::unique_ptr<EngineBench>(const BenchOptions&)> make;
  SeqHw seq_hw() const;  // seq: its hardware parameters (the others are the RTL defaults)
};
// Every variant, in table order; the first listed for a (style, arch) is its default.
const std::vector<Variant>& variants();
// Is there a variant of the arch (of that style; "" = any style)?
bool has_variant(const std::string& arch, const std::string& style = "");
// The variant of a style for an arch and array shape; throws InputError listing the available
// ones.
const Variant& find_variant(const std::string& style, const std::string& arch, int pe, int simd);
// The default variant of a style for an arch; throws InputError when there is none.
const Variant& default_variant(const std::string& style, const std::string& arch);

}  // namespace ecg::rtl
