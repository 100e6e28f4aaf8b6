#pragma once
// Pin-level SystemC bench around a Verilated `pipe` engine (rtl/pipe/pipe_engine.sv): the
// register-port master loads a PipeProgram; beats are streamed one at a time (run: each
// beat's result is taken before the next beat is offered, as the TLM-to-pins bridge does)
// or back to back (stream: beats overlap in the pipeline). Results as SeqBeatResult (the
// engine keeps no per-beat cycle CSR: csr_cycles is 0). One bench per process.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ecg/beats.h"
#include "pipe_program.h"
#include "seq_bench.h"  // SeqBenchOptions, SeqBeatResult

namespace ecg::rtl {

class PipeBench {
 public:
  virtual ~PipeBench() = default;
  virtual PipeHw hw() = 0;  // read from the engine's CSRs
  virtual std::uint32_t read_csr(pipe::Csr csr) = 0;
  virtual void load(const PipeProgram& prog) = 0;
  // One beat at a time; `done(i)` is called as beat i completes.
  virtual void run(const std::vector<Beat>& beats, std::vector<SeqBeatResult>& out,
                   const std::function<void(std::size_t)>& done) = 0;
  // Back to back: the source offers beat i+1 right after beat i's last value.
  virtual void stream(const std::vector<Beat>& beats, std::vector<SeqBeatResult>& out) = 0;
  virtual std::uint64_t simulated_cycles() const = 0;
  virtual void close_trace() = 0;

  // In-thread API (standalone = false): call from a SystemC thread.
  virtual void thread_start() = 0;
  virtual PipeHw thread_hw() = 0;
  virtual void thread_load(const PipeProgram& prog) = 0;
  virtual void thread_beat(const Beat& beat, SeqBeatResult& out) = 0;
  // Fast bridge: write the waveform from now on (true) or stop (false).
  virtual void thread_trace(bool on) = 0;
};

// A Verilated hardware variant of the pipe engine.
struct PipeVariant {
  std::string name;  // Verilated class without the leading V, e.g. "pipe_dwsep"
  std::string arch;
  int pe = 0, simd = 0, stages = 0;
  std::function<std::unique_ptr<PipeBench>(const SeqBenchOptions&)> make;
};
const std::vector<PipeVariant>& pipe_variants();
bool has_pipe_arch(const std::string& arch);
// The variant for an arch and array shape (every stage pe x simd); throws InputError listing
// the available ones.
const PipeVariant& find_pipe_variant(const std::string& arch, int pe, int simd);
const PipeVariant& default_pipe_variant(const std::string& arch);

}  // namespace ecg::rtl
