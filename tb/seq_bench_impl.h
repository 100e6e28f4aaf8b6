#pragma once
// Template body of SeqBench for one Verilated class V (include V*.h before this header).
#include <verilated_vcd_sc.h>

#include <random>
#include <systemc>

#include "seq_bench.h"

namespace ecg::rtl {

template <class V>
class seq_bench_module : public sc_core::sc_module, public SeqBench {
 public:
  seq_bench_module(const sc_core::sc_module_name& name, const SeqBenchOptions& opt)
      : sc_core::sc_module(name),
        m_opt(opt),
        m_period(1.0 / opt.clock_mhz, sc_core::SC_US),
        m_dut("dut"),
        m_rng(opt.seed) {
    m_dut.clk_i(m_clk);
    m_clk_on = opt.standalone;
    SC_THREAD(clock_gen);
    m_dut.rst_ni(m_rst_n);
    m_dut.in_valid_i(m_in_valid);
    m_dut.in_ready_o(m_in_ready);
    m_dut.in_data_i(m_in_data);
    m_dut.out_valid_o(m_out_valid);
    m_dut.out_ready_i(m_out_ready);
    m_dut.out_class_o(m_out_class);
    m_dut.out_logits_o(m_out_logits);
    m_dut.reg_we_i(m_reg_we);
    m_dut.reg_addr_i(m_reg_addr);
    m_dut.reg_wdata_i(m_reg_wdata);
    m_dut.reg_rdata_o(m_reg_rdata);
    if (opt.standalone) {
      SC_THREAD(main);
    }
  }
  SC_HAS_PROCESS(seq_bench_module);
  ~seq_bench_module() override { close_trace(); }

  // Standalone: ends elaboration, opens the waveform, resets the engine (call once, after
  // construction).
  void start() {
    if (!m_opt.trace_file.empty()) Verilated::traceEverOn(true);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);  // elaborate, then trace() before open()
    open_trace();
    execute([this] { reset(); });
  }

  void thread_start() override {
    open_trace();
    clock_on();
    reset();
    clock_off();
  }
  SeqHw thread_hw() override {
    clock_on();
    const SeqHw h = read_hw([this](seq::Csr c) { return thread_read_csr(c); });
    clock_off();
    return h;
  }
  void thread_load(const SeqProgram& prog) override {
    m_n_classes = static_cast<std::size_t>(prog.n_classes);
    clock_on();
    write_regs(prog);
    clock_off();
  }
  void thread_beat(const Beat& beat, SeqBeatResult& out) override {
    clock_on();
    run_beat(beat, out);
    clock_off();
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
    h.wbits = static_cast<int>((p >> 20) & 0xffu);
    h.act_depth = static_cast<int>(read_csr(seq::kCsrActDepth));
    h.wgt_rows = static_cast<int>(read_csr(seq::kCsrWgtRows));
    h.par_depth = static_cast<int>(read_csr(seq::kCsrParDepth));
    h.desc_depth = static_cast<int>(read_csr(seq::kCsrDescDepth));
    h.max_classes = static_cast<int>(read_csr(seq::kCsrMaxClass));
    return h;
  }

  std::uint32_t read_csr(seq::Csr csr) override {
    std::uint32_t v = 0;
    execute([&] { v = thread_read_csr(csr); });
    return v;
  }

  void load(const SeqProgram& prog) override {
    m_n_classes = static_cast<std::size_t>(prog.n_classes);
    execute([&] { write_regs(prog); });
  }

  void run(const std::vector<Beat>& beats, std::vector<SeqBeatResult>& out,
           const std::function<void(std::size_t)>& done) override {
    out.resize(beats.size());
    execute([&] {
      for (std::size_t i = 0; i < beats.size(); ++i) {
        run_beat(beats[i], out[i]);
        if (done) done(i);
      }
    });
  }

  std::uint64_t simulated_cycles() const override {
    return m_edges;
  }

  void close_trace() override {
    if (m_trace) {
      m_trace->close();
      m_trace.reset();
    }
  }

 private:
  std::uint32_t thread_read_csr(seq::Csr csr) {
    m_reg_addr.write(seq::csr_addr(csr));
    wait(m_clk.posedge_event());
    return m_reg_rdata.read();
  }

  void write_regs(const SeqProgram& prog) {
    for (const RegWrite& w : prog.writes) {
      m_reg_we.write(true);
      m_reg_addr.write(w.addr);
      m_reg_wdata.write(w.data);
      wait(m_clk.posedge_event());
    }
    m_reg_we.write(false);
    wait(m_clk.posedge_event());
  }

  void open_trace() {
    if (m_opt.trace_file.empty() || m_trace) return;
    Verilated::traceEverOn(true);
    m_trace = std::make_unique<VerilatedVcdSc>();
    m_dut.trace(m_trace.get(), 2);  // the engine's own signals, not the PE/write-back instances
    m_trace->open(m_opt.trace_file.c_str());
  }

  void clock_gen() {
    const sc_core::sc_time half = m_period / 2.0;
    for (;;) {
      if (!m_clk_on) wait(m_clk_start);
      m_clk.write(true);
      ++m_edges;
      wait(half);
      m_clk.write(false);
      wait(half);
    }
  }

  // Thread mode: the clock runs while a thread_* call is on the pins.
  void clock_on() {
    if (m_opt.standalone || m_clk_on) return;
    m_clk_on = true;
    m_clk_start.notify(sc_core::SC_ZERO_TIME);
  }
  void clock_off() {
    if (!m_opt.standalone) m_clk_on = false;
  }

  // Runs `job` inside the bench thread and returns when it is done (sc_pause).
  void execute(std::function<void()> job) {
    m_job = std::move(job);
    sc_core::sc_start();
    if (m_job) throw std::runtime_error("seq bench: job did not finish");
  }

  void main() {
    for (;;) {
      if (m_job) {
        m_job();
        m_job = nullptr;
        sc_core::sc_pause();
      }
      wait(m_clk.posedge_event());
    }
  }

  void reset() {
    m_rst_n.write(false);
    m_in_valid.write(false);
    m_out_ready.write(false);
    m_reg_we.write(false);
    wait(m_clk.posedge_event());
    wait(m_clk.posedge_event());
    m_rst_n.write(true);
    wait(m_clk.posedge_event());
  }

  void run_beat(const Beat& b, SeqBeatResult& r) {
    const sc_core::sc_time period = m_period;
    sc_core::sc_time first;
    const std::size_t n = b.input.size() + b.aux.size();
    for (std::size_t k = 0; k < n; ++k) {
      const std::int32_t v = k < b.input.size() ? b.input[k] : b.aux[k - b.input.size()];
      m_in_valid.write(true);
      m_in_data.write(static_cast<std::uint32_t>(v));
      do {
        wait(m_clk.posedge_event());
      } while (!m_in_ready.read());
      if (k == 0) first = sc_core::sc_time_stamp();
    }
    m_in_valid.write(false);
    std::bernoulli_distribution stall(m_opt.backpressure);
    if (m_opt.backpressure <= 0.0) {
      m_out_ready.write(true);
      if (!m_out_valid.read()) wait(m_out_valid.posedge_event());
      wait(m_clk.posedge_event());  // the handshake edge
    } else {
      for (;;) {
        m_out_ready.write(!stall(m_rng));
        wait(m_clk.posedge_event());
        if (m_out_valid.read() && m_out_ready.read()) break;
      }
    }
    m_out_ready.write(false);
    const sc_core::sc_time end = sc_core::sc_time_stamp();
    r.predicted = static_cast<int>(m_out_class.read());
    const auto bits = m_out_logits.read();
    r.logits.resize(m_n_classes);
    for (std::size_t c = 0; c < r.logits.size(); ++c) {
      const int lo = static_cast<int>(c) * 32;
      r.logits[c] = static_cast<std::int32_t>(bits.range(lo + 31, lo).to_uint());
    }
    r.cycles = static_cast<std::uint64_t>((end - first) / period) + 1;
    r.start_s = first.to_seconds();
    r.done_s = end.to_seconds();
    m_reg_addr.write(seq::csr_addr(seq::kCsrCycLast));
    wait(sc_core::SC_ZERO_TIME);
    wait(sc_core::SC_ZERO_TIME);
    r.csr_cycles = m_reg_rdata.read();
  }

  SeqBenchOptions m_opt;
  // A gated clock: inside the platform it runs only while a job is on the pins, so the
  // simulation can end (an sc_clock would keep it alive forever).
  sc_core::sc_time m_period;
  sc_core::sc_signal<bool> m_clk{"clk"};
  bool m_clk_on = true;
  std::uint64_t m_edges = 0;
  sc_core::sc_event m_clk_start;
  V m_dut;
  sc_core::sc_signal<bool> m_rst_n{"rst_n"}, m_in_valid{"in_valid"}, m_in_ready{"in_ready"};
  sc_core::sc_signal<bool> m_out_valid{"out_valid"}, m_out_ready{"out_ready"}, m_reg_we{"reg_we"};
  sc_core::sc_signal<std::uint32_t> m_in_data{"in_data"}, m_out_class{"out_class"};
  sc_core::sc_signal<sc_dt::sc_bv<256>> m_out_logits{"out_logits"};
  sc_core::sc_signal<std::uint32_t> m_reg_addr{"reg_addr"}, m_reg_wdata{"reg_wdata"}, m_reg_rdata{"reg_rdata"};
  std::unique_ptr<VerilatedVcdSc> m_trace;
  std::function<void()> m_job;
  std::mt19937 m_rng;
  std::size_t m_n_classes = 0;
};

}  // namespace ecg::rtl
