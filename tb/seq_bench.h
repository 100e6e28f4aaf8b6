#pragma once
// Pin-level SystemC bench around a Verilated `seq` engine: a register-port master that
// loads a SeqProgram, a stream source that feeds beat samples on valid/ready, and a stream
// sink with optional random backpressure that collects class + logits. Cycles are counted
// by the bench from the first sample handshake to the output handshake of each beat.
//
// SeqBench hides the Verilated class (one per hardware variant, see seq_variants.cpp);
// SystemC elaborates once per process, so a process creates at most one bench.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ecg/beats.h"
#include "seq_program.h"

namespace ecg::rtl {

struct SeqBenchOptions {
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

struct SeqBeatResult {
  int predicted = -1;
  std::vector<std::int32_t> logits;
  std::uint64_t cycles = 0;      // first sample handshake .. output handshake, inclusive
  std::uint64_t csr_cycles = 0;  // the engine's own count (CSR CycLast)
  double start_s = 0, done_s = 0;
};

class SeqBench {
 public:
  virtual ~SeqBench() = default;
  virtual SeqHw hw() = 0;  // read from the engine's CSRs
  virtual std::uint32_t read_csr(seq::Csr csr) = 0;
  virtual void load(const SeqProgram& prog) = 0;
  // Streams the beats back to back; `done(i)` is called as beat i completes.
  virtual void run(const std::vector<Beat>& beats, std::vector<SeqBeatResult>& out,
                   const std::function<void(std::size_t)>& done) = 0;
  virtual std::uint64_t simulated_cycles() const = 0;  // clock cycles since start
  virtual void close_trace() = 0;

  // In-thread API (standalone = false): call from a SystemC thread; they wait on clock edges.
  virtual void thread_start() = 0;  // opens the waveform, resets the engine
  virtual SeqHw thread_hw() = 0;
  virtual void thread_load(const SeqProgram& prog) = 0;
  virtual void thread_beat(const Beat& beat, SeqBeatResult& out) = 0;
  // Fast bridge: write the waveform from now on (true) or stop (false).
  virtual void thread_trace(bool on) = 0;
};

// A Verilated hardware variant of the seq engine.
struct SeqVariant {
  std::string name;    // Verilated class without the leading V, e.g. "seq_qrcnn"
  std::string arch;    // the network family its MAC flavour serves
  int pe = 0, simd = 0;
  int mac_kind = 0, wbits = 0, abits = 0, xnor_lanes = 0;
  int act_a = 0, act_b = 0, wgt_rows = 0, par_depth = 0;  // memory depths (SV parameters)
  std::function<std::unique_ptr<SeqBench>(const SeqBenchOptions&)> make;
  SeqHw hw() const;  // its hardware parameters (the others are the RTL defaults)
};
const std::vector<SeqVariant>& seq_variants();
// The variant for an arch and array shape; throws InputError listing the available ones.
const SeqVariant& find_seq_variant(const std::string& arch, int pe, int simd);
bool has_seq_arch(const std::string& arch);
// The arch's default variant (the first one listed for it).
const SeqVariant& default_seq_variant(const std::string& arch);

}  // namespace ecg::rtl
