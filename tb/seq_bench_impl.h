#pragma once
// Template body of SeqBench for one Verilated class V (include V*.h before this header).
#include "pin_bench.h"
#include "seq_bench.h"

namespace ecg::rtl {

template <class V>
class seq_bench_module : public pin_bench<V>, public SeqBench {
  using base = pin_bench<V>;

 public:
  seq_bench_module(const sc_core::sc_module_name& name, const SeqBenchOptions& opt)
      : base(name, opt) {}

  void thread_start() override { this->bench_thread_start(); }
  void thread_trace(bool on) override { this->fast_trace(on); }
  SeqHw thread_hw() override {
    return this->bench_thread([this] {
      return read_hw([this](seq::Csr c) { return this->thread_read_reg(seq::csr_addr(c)); });
    });
  }
  void thread_load(const SeqProgram& prog) override {
    this->bench_thread_load(prog.writes, prog.n_classes);
  }
  void thread_beat(const Beat& beat, SeqBeatResult& out) override {
    this->bench_thread([&] {
      seq_beat(beat, out);
      return 0;
    });
  }

  SeqHw hw() override { return read_hw([this](seq::Csr c) { return read_csr(c); }); }

  template <class F>
  static SeqHw read_hw(F read_csr) {
    SeqHw h;
    if (read_csr(seq::kCsrId) != seq::kIdValue) throw std::runtime_error("seq engine: bad CSR id");
    const std::uint32_t p = read_csr(seq::kCsrHwParams);
    h.pe = static_cast<int>(p & 0xffu);
    h.simd = static_cast<int>((p >> 8) & 0xffu);
    h.mac_kind = static_cast<int>((p >> 16) & 0xfu);
    h.wbits = static_cast<int>((p >> 20) & 0xfu);
    h.abits = static_cast<int>((p >> 24) & 0x1fu);
    h.act_depth_a = static_cast<int>(read_csr(seq::kCsrActDepthA));
    h.act_depth_b = static_cast<int>(read_csr(seq::kCsrActDepthB));
    h.wgt_rows = static_cast<int>(read_csr(seq::kCsrWgtRows));
    h.par_depth = static_cast<int>(read_csr(seq::kCsrParDepth));
    h.desc_depth = static_cast<int>(read_csr(seq::kCsrDescDepth));
    h.aux_depth = static_cast<int>(read_csr(seq::kCsrAuxDepth));
    h.max_classes = static_cast<int>(read_csr(seq::kCsrMaxClass));
    const std::uint32_t a = read_csr(seq::kCsrAccBits);
    h.acc_bits = static_cast<int>(a & 0xffu);
    h.num_df = static_cast<int>((a >> 8) & 0xffu);
    h.drain = static_cast<int>((a >> 16) & 0xffu);
    h.xnor_lanes = h.mac_kind == seq::kMacXnor ? static_cast<int>((a >> 24) & 0xffu) : 0;
    return h;
  }

  std::uint32_t read_csr(seq::Csr csr) override { return this->bench_read_reg(seq::csr_addr(csr)); }
  void load(const SeqProgram& prog) override { this->bench_load(prog.writes, prog.n_classes); }
  void run(const std::vector<Beat>& beats, std::vector<SeqBeatResult>& out,
           const std::function<void(std::size_t)>& done) override {
    this->bench_run(beats, out, done, [this](const Beat& b, SeqBeatResult& r) { seq_beat(b, r); });
  }

  std::uint64_t simulated_cycles() const override { return this->m_edges; }
  void close_trace() override { this->close_bench_trace(); }

 private:
  // One beat, then the engine's own cycle count of it (CSR CycLast).
  void seq_beat(const Beat& b, SeqBeatResult& r) {
    this->run_beat(b, r);
    r.csr_cycles = this->peek_reg(seq::csr_addr(seq::kCsrCycLast));
  }
};

}  // namespace ecg::rtl
