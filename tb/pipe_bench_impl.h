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
  void thread_trace(bool on) override { this->fast_trace(on); }
  PipeHw thread_hw() override {
    return this->bench_thread([this] {
      return read_hw([this](std::uint32_t addr) { return this->thread_read_reg(addr); });
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

  PipeHw hw() override {
    return read_hw([this](std::uint32_t addr) { return this->bench_read_reg(addr); });
  }

  // The engine's parameters from its CSRs and each stage's RegionInfo words.
  template <class F>
  static PipeHw read_hw(F read_reg) {
    PipeHw h;
    auto csr = [&](pipe::Csr c) { return read_reg(pipe::csr_addr(c)); };
    if (csr(pipe::kCsrId) != pipe::kIdValue) throw std::runtime_error("pipe engine: bad CSR id");
    const std::uint32_t p = csr(pipe::kCsrHwParams);
    h.pe = static_cast<int>(p & 0xffu);
    h.simd = static_cast<int>((p >> 8) & 0xffu);
    h.stages = static_cast<int>((p >> 16) & 0xffu);
    h.lb_cols = static_cast<int>(csr(pipe::kCsrLbCols));
    h.max_c = static_cast<int>(csr(pipe::kCsrMaxC));
    h.aux_depth = static_cast<int>(csr(pipe::kCsrAuxDepth));
    h.max_classes = static_cast<int>(csr(pipe::kCsrMaxClass));
    h.wb_ii = static_cast<int>(csr(pipe::kCsrWbIi));
    for (int s = 0; s < h.stages; ++s) {
      const auto us = static_cast<std::size_t>(s);
      auto info = [&](pipe::Info f) { return static_cast<int>(read_reg(pipe::info_addr(us, f))); };
      PipeStageHw st;
      st.kind = info(pipe::kInfoKind);
      st.pe = info(pipe::kInfoPe);
      st.simd = info(pipe::kInfoSimd);
      st.cin = info(pipe::kInfoCin);
      st.cout = info(pipe::kInfoCout);
      st.wgt_rows = info(pipe::kInfoWgtRows);
      st.lb_cols = info(pipe::kInfoLbCols);
      h.st.push_back(st);
    }
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
