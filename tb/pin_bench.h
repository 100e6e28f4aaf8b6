#pragma once
// Pin-level SystemC bench shared by the Verilated engines (seq and pipe have the same pins:
// clk_i/rst_ni, in_valid_i/in_ready_o/in_data_i, out_valid_o/out_ready_i/out_class_o/
// out_logits_o, reg_we_i/reg_addr_i/reg_wdata_i/reg_rdata_o): a gated clock, reset, a
// register-port master, a stream source and a stream sink with optional random
// backpressure; it is the EngineBench of tb/engine_bench.h for one Verilated class V.
// Include V*.h before this header.
//
// Fast bridge (BenchOptions::fast, thread mode only): the same pin protocol driven from
// plain C++. The model's ports are bound to direct_signal channels and its evaluation is
// called directly (fast_eval.h), two evaluations per clock cycle: inputs settled with the
// clock low (the outputs then hold their pre-edge values, which is what the pin-level
// threads sample at a rising edge), then the rising edge. Each operation (reset, CSR read,
// load, beat) runs its cycles in a loop and then waits once, so SystemC time ends at its last
// edge exactly as with the gated pin-level clock: an operation's first edge is at
// max(now, last edge + one period). Same edges, same values, same times: the pin-level mode
// checks it (tb/tests/bridge_equiv_test.cpp).
#include <verilated_vcd_c.h>
#include <verilated_vcd_sc.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <systemc>
#include <type_traits>
#include <utility>
#include <vector>

#include "direct_signal.h"
#include "ecg/beats.h"
#include "fast_eval.h"
#include "engine_bench.h"

namespace ecg::rtl {

// cycle_csr argument of pin_bench: the engine keeps no per-beat cycle count.
constexpr std::uint32_t kNoCycleCsr = 0xffffffffu;

template <class V>
class pin_bench : public sc_core::sc_module, public EngineBench {
 public:
  // cycle_csr: the CSR with the engine's own cycle count of the last beat, read after each
  // beat into BeatResult::csr_cycles (kNoCycleCsr: none).
  pin_bench(const sc_core::sc_module_name& name, const BenchOptions& opt,
            std::uint32_t cycle_csr = kNoCycleCsr)
      : sc_core::sc_module(name),
        m_opt(opt),
        m_cycle_csr(cycle_csr),
        m_period(1.0 / opt.clock_mhz, sc_core::SC_US),
        m_dut("dut"),
        m_rng(opt.seed) {
    if (opt.fast) {
      if (opt.standalone) throw std::logic_error("pin bench: the fast bridge runs in thread mode only");
      if (!fast_eval_linked() || !fast_eval<V>::fn || !fast_eval<V>::clock_low ||
          !fast_eval<V>::clock_high)
        throw std::logic_error("pin bench: no fast evaluation registered for this model (tb/fast_eval.cpp)");
      if (!opt.trace_file.empty()) Verilated::traceEverOn(true);
      bind_fast();
      return;
    }
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
    SC_THREAD(source);
    if (opt.standalone) {
      SC_THREAD(main);
    }
  }
  SC_HAS_PROCESS(pin_bench);
  ~pin_bench() override { close_bench_trace(); }

  // ---- EngineBench ----
  std::uint32_t read_reg(std::uint32_t addr) override {
    std::uint32_t v = 0;
    execute([&] { v = read_reg_now(addr); });
    return v;
  }
  void load(const EngineProgram& prog) override {
    m_n_classes = static_cast<std::size_t>(prog.n_classes);
    execute([&] { write_regs(prog.writes); });
  }
  void run(const std::vector<Beat>& beats, std::vector<BeatResult>& out,
           const std::function<void(std::size_t)>& done) override {
    out.resize(beats.size());
    execute([&] {
      for (std::size_t i = 0; i < beats.size(); ++i) {
        beat(beats[i], out[i]);
        if (done) done(i);
      }
    });
  }
  void stream(const std::vector<Beat>& beats, std::vector<BeatResult>& out) override {
    execute([&] { stream_beats(beats, out, nullptr); });
  }
  std::uint64_t simulated_cycles() const override { return m_edges; }
  void close_trace() override { close_bench_trace(); }

  void thread_start() override {
    if (m_opt.fast) {
      fast_reset();
      return;
    }
    open_trace();
    clock_on();
    reset();
    clock_off();
  }
  std::uint32_t thread_read_reg(std::uint32_t addr) override {
    return on_pins([&] { return read_reg_now(addr); });
  }
  void thread_load(const EngineProgram& prog) override {
    m_n_classes = static_cast<std::size_t>(prog.n_classes);
    on_pins([&] {
      write_regs(prog.writes);
      return 0;
    });
  }
  void thread_beat(const Beat& b, BeatResult& out) override {
    on_pins([&] {
      beat(b, out);
      return 0;
    });
  }
  void thread_trace(bool on) override { fast_trace(on); }
  void thread_batch(const std::function<void()>& f) override {
    on_pins([&] {
      f();
      return 0;
    });
  }

  // Standalone: ends elaboration, opens the waveform, resets the engine (call once, after
  // construction).
  void start() {
    if (!m_opt.trace_file.empty()) Verilated::traceEverOn(true);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);  // elaborate, then trace() before open()
    open_trace();
    execute([this] { reset(); });
  }

 private:
  // f() on the pins, from the caller's SystemC thread, the clock running throughout (nested
  // calls run in the outer one's stretch of the clock).
  template <class F>
  auto on_pins(F f) {
    if (m_pins_depth++ == 0) clock_on();
    auto r = f();
    if (--m_pins_depth == 0) clock_off();
    return r;
  }
  int m_pins_depth = 0;
  // One beat, then the engine's own cycle count of it (when it keeps one).
  void beat(const Beat& b, BeatResult& r) {
    run_beat(b, r);
    if (m_cycle_csr != kNoCycleCsr) r.csr_cycles = peek_reg(m_cycle_csr);
  }

  void close_bench_trace() {
    if (m_fast_trace) {
      m_fast_trace->close();
      m_fast_trace.reset();
    }
    if (m_trace) {
      m_trace->close();
      m_trace.reset();
    }
  }

  std::uint32_t read_reg_now(std::uint32_t addr) {  // in the bench's or the caller's thread
    if (m_opt.fast) return fast_read_reg(addr);
    m_reg_addr.write(addr);
    wait(m_clk.posedge_event());
    return m_reg_rdata.read();
  }
  // Reads a CSR without a clock edge (between beats).
  std::uint32_t peek_reg(std::uint32_t addr) {
    if (m_opt.fast) {
      fast_drive(m_fast.reg_addr, addr);
      fast_eval_now();
      return m_fast.reg_rdata.value;
    }
    m_reg_addr.write(addr);
    wait(sc_core::SC_ZERO_TIME);
    wait(sc_core::SC_ZERO_TIME);
    return m_reg_rdata.read();
  }

  void write_regs(const std::vector<RegWrite>& writes) {
    if (m_opt.fast) {
      fast_write_regs(writes);
      return;
    }
    for (const RegWrite& w : writes) {
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
    m_dut.trace(m_trace.get(), 99);  // everything; --trace-depth filters the file afterwards
    m_trace->open(m_opt.trace_file.c_str());
  }

  // Thread mode: the clock runs while a thread_* call is on the pins.
  void clock_on() {
    if (m_opt.standalone || m_opt.fast || m_clk_on) return;
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
    if (m_job) throw std::runtime_error("pin bench: job did not finish");
  }

  void reset() {
    m_rst_n.write(false);
    m_out_ready.write(false);
    m_reg_we.write(false);
    wait(m_clk.posedge_event());
    wait(m_clk.posedge_event());
    m_rst_n.write(true);
    wait(m_clk.posedge_event());
  }

  // Streams one beat, then waits for its result (the next beat is not offered before).
  void run_beat(const Beat& b, BeatResult& r) {
    if (m_opt.fast) {
      fast_beat(b, r);
      return;
    }
    const std::vector<Beat> one{b};
    std::vector<BeatResult> out;
    stream_beats(one, out, nullptr);
    r = out[0];
  }

  // Streams the beats back to back (the source thread, the only driver of in_valid/in_data,
  // keeps in_valid high) while this thread takes the results as they come: beats overlap in
  // a pipelined engine.
  void stream_beats(const std::vector<Beat>& beats, std::vector<BeatResult>& out,
                    const std::function<void(std::size_t)>& done) {
    out.resize(beats.size());
    m_src_beats = &beats;
    m_src_first.assign(beats.size(), sc_core::SC_ZERO_TIME);
    m_src_sent = 0;
    m_src_go.notify(sc_core::SC_ZERO_TIME);
    for (std::size_t i = 0; i < beats.size(); ++i) {
      while (m_src_sent <= i) wait(m_src_beat_sent);  // its first sample time is known
      take_result(m_src_first[i], out[i]);
      if (done) done(i);
    }
    m_src_beats = nullptr;
  }

  // ---- fast bridge (see the top of this file) ----
  // Fast: the waveform is written while `on` (windowed tracing); opened on first use.
  void fast_trace(bool on) {
    if (!m_opt.fast || m_opt.trace_file.empty()) return;
    if (on && !m_fast_trace) {
      m_fast_trace = std::make_unique<VerilatedVcdC>();
      m_dut.trace(m_fast_trace.get(), 99);  // everything; --trace-depth filters the file afterwards
      m_fast_trace->set_time_unit("1ps");
      m_fast_trace->set_time_resolution("1ps");
      m_fast_trace->open(m_opt.trace_file.c_str());
    }
    m_fast_tracing = on;
  }

 private:
  template <class T>
  using port_data = typename std::remove_reference_t<T>::data_type;
  struct fast_pins {
    direct_signal<bool> clk, rst_n, in_valid, in_ready, out_valid, out_ready, reg_we;
    direct_signal<port_data<decltype(std::declval<V&>().in_data_i)>> in_data;
    direct_signal<port_data<decltype(std::declval<V&>().out_class_o)>> out_class;
    direct_signal<port_data<decltype(std::declval<V&>().out_logits_o)>> out_logits;
    direct_signal<port_data<decltype(std::declval<V&>().reg_addr_i)>> reg_addr;
    direct_signal<port_data<decltype(std::declval<V&>().reg_wdata_i)>> reg_wdata;
    direct_signal<port_data<decltype(std::declval<V&>().reg_rdata_o)>> reg_rdata;
  };

  void bind_fast() {
    m_dut.clk_i(m_fast.clk);
    m_dut.rst_ni(m_fast.rst_n);
    m_dut.in_valid_i(m_fast.in_valid);
    m_dut.in_ready_o(m_fast.in_ready);
    m_dut.in_data_i(m_fast.in_data);
    m_dut.out_valid_o(m_fast.out_valid);
    m_dut.out_ready_i(m_fast.out_ready);
    m_dut.out_class_o(m_fast.out_class);
    m_dut.out_logits_o(m_fast.out_logits);
    m_dut.reg_we_i(m_fast.reg_we);
    m_dut.reg_addr_i(m_fast.reg_addr);
    m_dut.reg_wdata_i(m_fast.reg_wdata);
    m_dut.reg_rdata_o(m_fast.reg_rdata);
  }

  static std::uint64_t trace_time(const sc_core::sc_time& t) {
    return static_cast<std::uint64_t>(t.to_seconds() * 1e12 + 0.5);  // ps
  }
  // An input pin (not the clock) set from the bench; a new value marks the model unsettled.
  template <class T, class U>
  void fast_drive(direct_signal<T>& pin, const U& v) {
    const T t = static_cast<T>(v);
    if (pin.value == t) return;
    pin.value = t;
    m_fast_unsettled = true;
  }
  // No input but the clock changed since the last evaluation, and no waveform to dump: the
  // clock's half-cycles can skip what an evaluation would only recompute (fast_settle, fast_edge).
  bool fast_only_clock() const { return !m_fast_unsettled && !m_fast_tracing; }
  void fast_eval_now() {
    fast_eval_step(m_dut);
    m_fast_unsettled = false;
  }
  // The operation's first edge: max(now, last edge + one period) (the gated clock's phase).
  void fast_begin() {
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    m_t_edge = m_any_edge && m_last_edge + m_period > now ? m_last_edge + m_period : now;
  }
  // SystemC time catches up with the last edge (one wait per operation).
  void fast_end() {
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    if (m_any_edge && m_last_edge > now) sc_core::wait(m_last_edge - now);
  }
  // Inputs of the coming edge settled with the clock low: outputs now hold pre-edge values.
  // When no input but the clock changed since the last evaluation (fast_drive says; most cycles
  // of a beat: the engine computing, valid low, ready high), that evaluation left every signal
  // settled for these inputs, so the clock goes low without one (fast_clock_low: what it would
  // change). Traced cycles evaluate, for the waveform's falling edge.
  void fast_settle() {
    m_fast.clk.value = false;
    if (fast_only_clock())
      fast_clock_low(m_dut);
    else
      fast_eval_now();
    if (m_fast_tracing) m_fast_trace->dump(trace_time(m_t_edge - (m_period - m_period / 2.0)));  // the falling edge, as clock_gen
  }
  // The rising edge. When no input but the clock changed since the last evaluation (as in
  // fast_settle), it skips the model's input region (fast_clock_high: the values it would
  // compute are current). Traced cycles evaluate whole.
  void fast_edge() {
    m_fast.clk.value = true;
    if (fast_only_clock())
      fast_clock_high(m_dut);
    else
      fast_eval_now();
    ++m_edges;
    if (m_fast_tracing) m_fast_trace->dump(trace_time(m_t_edge));
    m_last_edge = m_t_edge;
    m_any_edge = true;
    m_t_edge += m_period;
  }
  void fast_cycle() {
    fast_settle();
    fast_edge();
  }
  void fast_reset() {
    fast_begin();
    fast_drive(m_fast.rst_n, false);
    fast_drive(m_fast.out_ready, false);
    fast_drive(m_fast.reg_we, false);
    fast_cycle();
    fast_cycle();
    fast_drive(m_fast.rst_n, true);
    fast_cycle();
    fast_end();
  }
  std::uint32_t fast_read_reg(std::uint32_t addr) {
    fast_begin();
    fast_drive(m_fast.reg_addr, addr);
    fast_settle();
    const std::uint32_t v = m_fast.reg_rdata.value;
    fast_edge();
    fast_end();
    return v;
  }
  void fast_write_regs(const std::vector<RegWrite>& writes) {
    fast_begin();
    for (const RegWrite& w : writes) {
      fast_drive(m_fast.reg_we, true);
      fast_drive(m_fast.reg_addr, w.addr);
      fast_drive(m_fast.reg_wdata, w.data);
      fast_cycle();
    }
    fast_drive(m_fast.reg_we, false);
    fast_cycle();
    fast_end();
  }
  // One beat: the words on valid/ready, then the result handshake (out_ready high from the
  // edge after the last word, as the pin-level sink does).
  void fast_beat(const Beat& b, BeatResult& r) {
    fast_begin();
    const std::size_t n = b.input.size() + b.aux.size();
    sc_core::sc_time first;
    for (std::size_t k = 0; k < n; ++k) {
      const std::int32_t v = k < b.input.size() ? b.input[k] : b.aux[k - b.input.size()];
      fast_drive(m_fast.in_valid, true);
      fast_drive(m_fast.in_data, static_cast<std::uint32_t>(v));
      for (;;) {
        fast_settle();
        const bool ready = m_fast.in_ready.value;
        fast_edge();
        if (ready) break;
      }
      if (k == 0) first = m_last_edge;
    }
    fast_drive(m_fast.in_valid, false);
    fast_drive(m_fast.out_ready, true);
    for (;;) {
      fast_settle();
      if (m_fast.out_valid.value) break;
      fast_edge();
    }
    r.predicted = static_cast<int>(m_fast.out_class.value);  // pre-edge, as the sink reads them
    r.logits.resize(m_n_classes);
    const auto& bits = m_fast.out_logits.value;
    for (std::size_t c = 0; c < r.logits.size(); ++c) {
      const int lo = static_cast<int>(c) * 32;
      r.logits[c] = static_cast<std::int32_t>(bits.range(lo + 31, lo).to_uint());
    }
    fast_edge();  // the handshake edge
    fast_drive(m_fast.out_ready, false);
    const sc_core::sc_time end = m_last_edge;
    r.cycles = static_cast<std::uint64_t>((end - first) / m_period) + 1;
    r.start_s = first.to_seconds();
    r.done_s = end.to_seconds();
    fast_end();
  }

  fast_pins m_fast;
  // An input changed since the last evaluation (or none yet): the next clock-low evaluates.
  bool m_fast_unsettled = true;
  std::unique_ptr<VerilatedVcdC> m_fast_trace;
  bool m_fast_tracing = false;
  bool m_any_edge = false;
  sc_core::sc_time m_last_edge, m_t_edge;

 protected:
  BenchOptions m_opt;
  std::uint32_t m_cycle_csr = kNoCycleCsr;
  // A gated clock: inside the platform it runs only while a job is on the pins, so the
  // simulation can end (an sc_clock would keep it alive forever).
  sc_core::sc_time m_period;
  sc_core::sc_signal<bool> m_clk{"clk"};
  bool m_clk_on = true;
  std::uint64_t m_edges = 0;
  sc_core::sc_event m_clk_start;
  V m_dut;
  std::size_t m_n_classes = 0;

 private:
  void clock_gen() {
    // High for half a period, low for the rest: the period stays exactly m_period when it is an
    // odd number of time-resolution units (12 MHz: 83 333 ps), as in the fast bridge and the TLM.
    const sc_core::sc_time high = m_period / 2.0, low = m_period - high;
    for (;;) {
      if (!m_clk_on) wait(m_clk_start);
      m_clk.write(true);
      ++m_edges;
      wait(high);
      m_clk.write(false);
      wait(low);
    }
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

  // Offers the words of a beat on valid/ready; `first` = the edge of its first handshake.
  void send_beat(const Beat& b, sc_core::sc_time& first) {
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
  }

  void source() {
    for (;;) {
      wait(m_src_go);
      const std::vector<Beat>& beats = *m_src_beats;
      for (std::size_t i = 0; i < beats.size(); ++i) {
        send_beat(beats[i], m_src_first[i]);
        m_src_sent = i + 1;
        m_src_beat_sent.notify(sc_core::SC_ZERO_TIME);
      }
      m_in_valid.write(false);
    }
  }

  // Waits for the result handshake (random backpressure on out_ready) and fills `r`.
  void take_result(const sc_core::sc_time& first, BeatResult& r) {
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
    r.cycles = static_cast<std::uint64_t>((end - first) / m_period) + 1;
    r.start_s = first.to_seconds();
    r.done_s = end.to_seconds();
  }

  sc_core::sc_signal<bool> m_rst_n{"rst_n"}, m_in_valid{"in_valid"}, m_in_ready{"in_ready"};
  sc_core::sc_signal<bool> m_out_valid{"out_valid"}, m_out_ready{"out_ready"}, m_reg_we{"reg_we"};
  sc_core::sc_signal<std::uint32_t> m_in_data{"in_data"}, m_out_class{"out_class"};
  sc_core::sc_signal<sc_dt::sc_bv<256>> m_out_logits{"out_logits"};
  sc_core::sc_signal<std::uint32_t> m_reg_addr{"reg_addr"}, m_reg_wdata{"reg_wdata"}, m_reg_rdata{"reg_rdata"};
  std::unique_ptr<VerilatedVcdSc> m_trace;
  std::function<void()> m_job;
  std::mt19937 m_rng;
  // stream_beats: the source thread's beats, first-sample times and progress.
  const std::vector<Beat>* m_src_beats = nullptr;
  std::vector<sc_core::sc_time> m_src_first;
  std::size_t m_src_sent = 0;
  sc_core::sc_event m_src_go, m_src_beat_sent;
};

}  // namespace ecg::rtl
