#pragma once
// Template body of PipeBench for one Verilated class V (include V*.h before this header).
#include "pin_bench.h"
#include "pipe_bench.h"

namespace ecg::rtl {

template <class V>
class pipe_bench_module : public pin_bench<V>, public PipeBench {
  using base = pin_bench<V>;

 public:
  pipe_bench_module(const sc_core::sc_module_name& name, const SeqBenchOptions& opt)
      : base(name, opt) {}

  void thread_start() override { this->bench_thread_start(); }
  PipeHw thread_hw() override {
    return this->bench_thread([this] {
      return read_hw([this](pipe::Csr c) { return this->thread_read_reg(pipe::csr_addr(c)); });
    });
  }
  void thread_load(const PipeProgram& prog) override {
    this->bench_thread_load(prog.writes, prog.n_classes);
  }
  void thread_beat(const Beat& beat, SeqBeatResult& out) override {
    this->bench_thread([&] {
      this->run_beat(beat, out);
      return 0;
    });
  }

  PipeHw hw() override { return read_hw([this](pipe::Csr c) { return read_csr(c); }); }

  template <class F>
  static PipeHw read_hw(F read_csr) {
    PipeHw h;
    if (read_csr(pipe::kCsrId) != pipe::kIdValue) throw std::runtime_error("pipe engine: bad CSR id");
    const std::uint32_t p = read_csr(pipe::kCsrHwParams);
    h.pe = static_cast<int>(p & 0xffu);
    h.simd = static_cast<int>((p >> 8) & 0xffu);
    h.stages = static_cast<int>((p >> 16) & 0xffu);
    h.lb_cols = static_cast<int>(read_csr(pipe::kCsrLbCols));
    h.wgt_rows = static_cast<int>(read_csr(pipe::kCsrWgtRows));
    h.par_depth = static_cast<int>(read_csr(pipe::kCsrParDepth));
    h.max_c = static_cast<int>(read_csr(pipe::kCsrMaxC));
    h.aux_depth = static_cast<int>(read_csr(pipe::kCsrAuxDepth));
    h.max_classes = static_cast<int>(read_csr(pipe::kCsrMaxClass));
    return h;
  }

  std::uint32_t read_csr(pipe::Csr csr) override { return this->bench_read_reg(pipe::csr_addr(csr)); }
  void load(const PipeProgram& prog) override { this->bench_load(prog.writes, prog.n_classes); }
  void run(const std::vector<Beat>& beats, std::vector<SeqBeatResult>& out,
           const std::function<void(std::size_t)>& done) override {
    this->bench_run(beats, out, done, [this](const Beat& b, SeqBeatResult& r) { this->run_beat(b, r); });
  }

  void stream(const std::vector<Beat>& beats, std::vector<SeqBeatResult>& out) override {
    this->execute([&] { this->stream_beats(beats, out, nullptr); });
  }

  std::uint64_t simulated_cycles() const override { return this->m_edges; }
  void close_trace() override { this->close_bench_trace(); }
};

}  // namespace ecg::rtl
