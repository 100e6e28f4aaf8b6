#include "rtl_engine.h"

#include <fmt/format.h>

#include <cstring>
#include <memory>
#include <vector>

#include "ecg/error.h"
#include "ecg/models/engine_if.h"
#include "ecg/hw/engine_model.h"
#include "ecg/hw/stats.h"
#include "ecg/models/platform_types.h"  // set_payload
#include "ecg/models/tlm_engine.h"
#include <tlm_utils/simple_initiator_socket.h>
#include "ecg/qnet.h"
#include "engine_bench.h"

namespace ecg::rtl {
namespace {

BridgeOptions g_bridge;

// A Verilated engine with its compiled program, as the bridge drives it (thread mode).
class EnginePins {
 public:
  virtual ~EnginePins() = default;
  // Resets the engine, checks its hardware CSRs against the variant, loads the program.
  virtual bool thread_start_and_load() = 0;
  virtual void thread_beat(const Beat& beat, BeatResult& out) = 0;
  virtual std::uint64_t simulated_cycles() const = 0;
  virtual void close_trace() = 0;
  virtual void thread_trace(bool on) = 0;
};

bool same_hw(const SeqHw& a, const SeqHw& b) {
  return a.pe == b.pe && a.simd == b.simd && a.mac_kind == b.mac_kind && a.wbits == b.wbits &&
         a.abits == b.abits && a.acc_bits == b.acc_bits && a.act_depth_a == b.act_depth_a &&
         a.act_depth_b == b.act_depth_b && a.wgt_rows == b.wgt_rows &&
         a.par_depth == b.par_depth && a.desc_depth == b.desc_depth &&
         a.aux_depth == b.aux_depth && a.max_classes == b.max_classes && a.num_df == b.num_df &&
         a.drain == b.drain && a.xnor_lanes == b.xnor_lanes;
}
// a: read from the engine's CSRs; b: what the program was compiled for. Every stage of the
// engine must be of the program's kind and at least as large.
bool same_hw(const PipeHw& a, const PipeHw& b) {
  if (a.pe != b.pe || a.simd != b.simd || a.stages != b.stages || a.st.size() != b.st.size() ||
      a.aux_depth < b.aux_depth || a.max_classes < b.max_classes)
    return false;
  for (std::size_t i = 0; i < a.st.size(); ++i) {
    const PipeStageHw &x = a.st[i], &y = b.st[i];
    if (x.kind != y.kind || x.pe != y.pe || x.simd != y.simd || x.cin < y.cin ||
        x.cout < y.cout || x.wgt_rows < y.wgt_rows || x.lb_cols < y.lb_cols)
      return false;
  }
  return true;
}

template <class Program>
class BenchPins : public EnginePins {
 public:
  BenchPins(std::unique_ptr<EngineBench> bench, Program prog)
      : m_bench(std::move(bench)), m_prog(std::move(prog)) {}
  bool thread_start_and_load() override {
    m_bench->thread_start();
    if (!same_hw(m_bench->thread_hw(m_prog), m_prog.hw)) return false;
    m_bench->thread_load(m_prog);
    return true;
  }
  void thread_beat(const Beat& beat, BeatResult& out) override { m_bench->thread_beat(beat, out); }
  std::uint64_t simulated_cycles() const override { return m_bench->simulated_cycles(); }
  void close_trace() override { m_bench->close_trace(); }
  void thread_trace(bool on) override { m_bench->thread_trace(on); }

 private:
  std::unique_ptr<EngineBench> m_bench;
  Program m_prog;
};

std::unique_ptr<EnginePins> make_seq_pins(const Network& net, const EngineConfig& cfg,
                                          const BenchOptions& opt) {
  const Variant& v = find_variant("seq", net.arch, cfg.pe, cfg.simd);
  const SeqHw hw = v.seq_hw();
  // The TLM cycle model's engine parameters must be this RTL's (docs/engines.md).
  if (cfg.layer_overhead != hw.num_df + 1)
    throw InputError(fmt::format("engine.layer_overhead={}: the RTL seq engine takes {} cycles per "
                                 "pass (its {} descriptor fields, one per cycle, + 1)",
                                 cfg.layer_overhead, hw.num_df + 1, hw.num_df));
  if (cfg.drain_cycles != hw.drain)
    throw InputError(fmt::format("engine.drain_cycles={}: the RTL seq engine's pipeline drains in {}",
                                 cfg.drain_cycles, hw.drain));
  if (cfg.xnor_lanes != hw.xnor_lanes)
    throw InputError(fmt::format("engine.xnor_lanes={}: the RTL seq engine for {} has {}",
                                 cfg.xnor_lanes, net.arch, hw.xnor_lanes));
  SeqProgram prog = compile_seq(net, hw);
  return std::make_unique<BenchPins<SeqProgram>>(v.make(opt), std::move(prog));
}

// The pipe RTL's stages all have the variant's pe x simd; the program is compiled for the
// stage hardware the network needs at that shape, checked against the engine's CSRs at load.
std::unique_ptr<EnginePins> make_pipe_pins(const Network& net, const EngineConfig& cfg,
                                           const BenchOptions& opt) {
  for (const auto& [layer, v] : cfg.stage_pe)
    if (v != cfg.pe)
      throw InputError(fmt::format("engine.stage.{}.pe={}: the RTL pipe engine has pe={} in every "
                                   "stage", layer, v, cfg.pe));
  for (const auto& [layer, v] : cfg.stage_simd)
    if (v != cfg.simd)
      throw InputError(fmt::format("engine.stage.{}.simd={}: the RTL pipe engine has simd={} in "
                                   "every stage", layer, v, cfg.simd));
  const Variant& v = find_variant("pipe", net.arch, cfg.pe, cfg.simd);
  PipeHw hw;
  hw.pe = v.pe;
  hw.simd = v.simd;
  hw.stages = v.stages;
  hw.st = pipe_stage_hw(net, v.pe, v.simd, hw.lb_cols);
  PipeProgram prog = compile_pipe(net, hw, cfg.line_buffer_cols);
  return std::make_unique<BenchPins<PipeProgram>>(v.make(opt), std::move(prog));
}

// The TLM-to-pins bridge around one Verilated engine (seq or pipe, by engine.style).
class rtl_engine : public engine_base {
 public:
  // `in_cosim`: the cosim engine beside it counts beats, busy cycles and mismatches.
  rtl_engine(const sc_core::sc_module_name& name, const EngineContext& ctx, bool in_cosim)
      : engine_base(name),
        m_ctx(ctx),
        m_in_cosim(in_cosim),
        m_beats(ctx.stats.counter("engine.beats", "beats computed by the engine")),
        m_busy(ctx.stats.counter("engine.cycles.busy", "cycles with at least one beat in the engine")),
        m_checked(ctx.stats.check_counter("rtl.beats", "beats the RTL engine computed, compared with golden")),
        m_mismatches(ctx.stats.check_counter("rtl.output_mismatches",
                                             "beats whose RTL outputs differ from golden (cosim: or from TLM)")),
        m_rtl_cycles(ctx.stats.check_counter("rtl.cycles", "RTL engine cycles, input start to result, over beats")),
        m_rtl_edges(ctx.stats.check_counter("rtl.clock_cycles",
                                            "clock cycles the RTL simulated (weight load included)")) {
    if (!ctx.network) throw std::runtime_error("rtl engine: no network in the engine context");
    m_net = ctx.network;
    BenchOptions opt;
    opt.standalone = false;
    opt.clock_mhz = ctx.clock_mhz;
    opt.trace_file = ctx.waveform_file;
    opt.fast = g_bridge.fast;
    // Compile now (elaboration), so a network the engine cannot run is a clean InputError.
    const EngineConfig& cfg = ctx.engine;
    if (cfg.style == "pipe") m_pins = make_pipe_pins(*m_net, cfg, opt);
    else if (cfg.style == "seq") m_pins = make_seq_pins(*m_net, cfg, opt);
    else throw InputError(fmt::format("engine.style={}: no RTL engine", cfg.style));
  }
  ~rtl_engine() override {
    if (m_pins) m_pins->close_trace();
  }
  std::string engine_kind() const override { return "rtl"; }

  // Runs one job on the pins; fills the extension (a protocol error: an error response).
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) override {
    beat_job_ext* job = nullptr;
    trans.get_extension(job);
    if (!job || trans.get_command() != tlm::TLM_WRITE_COMMAND) {
      trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
      return;
    }
    const auto n_words = static_cast<std::size_t>(job->length + job->aux);
    if (trans.get_data_length() != 4 * n_words || trans.get_address() != 0) {
      trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
      return;
    }
    Beat beat;
    beat.input.resize(static_cast<std::size_t>(job->length));
    beat.aux.resize(static_cast<std::size_t>(job->aux));
    std::memcpy(beat.input.data(), trans.get_data_ptr(), 4 * beat.input.size());
    std::memcpy(beat.aux.data(), trans.get_data_ptr() + 4 * beat.input.size(), 4 * beat.aux.size());

    wait(delay);  // sync first, then drive the pins on clock edges
    delay = sc_core::SC_ZERO_TIME;
    // Fast bridge: the waveform covers the window's beats only (the weight load with beat 0).
    m_pins->thread_trace(job->beat_index >= g_bridge.trace_first && job->beat_index <= g_bridge.trace_last);
    if (!m_loaded) {
      if (!m_pins->thread_start_and_load()) {  // the engine's CSRs disagree with the variant list
        trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
      }
      m_loaded = true;
    }
    BeatResult r;
    m_pins->thread_beat(beat, r);
    const BeatOutput golden = m_ctx.compute(beat.input, beat.aux);
    last_mismatch = golden.logits != r.logits || golden.cls != r.predicted;
    if (!m_in_cosim) {  // in cosim the TLM engine and the cosim engine count these
      m_beats.add(1);
      m_busy.add(r.cycles);
      m_checked.add(1);
      m_mismatches.add(last_mismatch ? 1 : 0);
    }
    m_rtl_cycles.add(r.cycles);
    m_rtl_edges.value = m_pins->simulated_cycles();
    job->logits = r.logits;
    job->cls = r.predicted;
    job->t_start = sc_core::sc_time(r.start_s, sc_core::SC_SEC);
    job->t_done = sc_core::sc_time(r.done_s, sc_core::SC_SEC);
    job->t_free = job->t_done;  // one input buffer: the next load follows the output handshake
    job->cycles = r.cycles;
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
  }

  bool last_mismatch = false;

 private:
  const EngineContext& m_ctx;
  const bool m_in_cosim;
  const Network* m_net = nullptr;
  std::unique_ptr<EnginePins> m_pins;
  bool m_loaded = false;
  StatsRegistry::Counter& m_beats;
  StatsRegistry::Counter& m_busy;
  StatsRegistry::Counter& m_checked;
  StatsRegistry::Counter& m_mismatches;
  StatsRegistry::Counter& m_rtl_cycles;
  StatsRegistry::Counter& m_rtl_edges;
};

// TLM engine and RTL engine side by side.
class cosim_engine : public engine_base {
 public:
  cosim_engine(const sc_core::sc_module_name& name, const EngineContext& ctx)
      : engine_base(name),
        m_tlm(std::make_unique<tlm_engine>("tlm", ctx)),
        m_rtl(std::make_unique<rtl_engine>("rtl", ctx, true)),
        m_checked(ctx.stats.check_counter("rtl.beats", "beats the RTL engine computed, compared with golden")),
        m_mismatches(ctx.stats.check_counter("rtl.output_mismatches",
                                             "beats whose RTL outputs differ from golden (cosim: or from TLM)")),
        m_tlm_cycles(ctx.stats.check_counter("cosim.tlm_cycles", "TLM engine cycles of the beats the RTL ran")) {
    cosim2tlm.bind(m_tlm->acc2eng);
    cosim2rtl.bind(m_rtl->acc2eng);
  }
  std::string engine_kind() const override { return "cosim"; }

  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) override {
    beat_job_ext* job = nullptr;
    trans.get_extension(job);
    if (!job) {
      trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
      return;
    }
    // The TLM engine on a copy of the job (it annotates and never waits).
    tlm::tlm_generic_payload t2;
    set_payload(t2, trans.get_command(), trans.get_address(), trans.get_data_ptr(),  // read only by the TLM engine
                trans.get_data_length());
    beat_job_ext tlm_job = *job;
    t2.set_extension(&tlm_job);
    sc_core::sc_time d2 = delay;
    cosim2tlm->b_transport(t2, d2);
    t2.clear_extension(&tlm_job);
    if (t2.get_response_status() != tlm::TLM_OK_RESPONSE) {
      trans.set_response_status(t2.get_response_status());
      return;
    }
    cosim2rtl->b_transport(trans, delay);
    if (trans.get_response_status() != tlm::TLM_OK_RESPONSE) return;
    m_checked.add(1);
    if (m_rtl->last_mismatch || job->logits != tlm_job.logits || job->cls != tlm_job.cls) m_mismatches.add(1);
    m_tlm_cycles.add(tlm_job.cycles);
  }

 private:
  tlm_utils::simple_initiator_socket<cosim_engine> cosim2tlm{"cosim2tlm"}, cosim2rtl{"cosim2rtl"};
  std::unique_ptr<tlm_engine> m_tlm;
  std::unique_ptr<rtl_engine> m_rtl;
  StatsRegistry::Counter& m_checked;
  StatsRegistry::Counter& m_mismatches;
  StatsRegistry::Counter& m_tlm_cycles;
};

}  // namespace

void set_bridge_options(const BridgeOptions& opt) { g_bridge = opt; }
const BridgeOptions& bridge_options() { return g_bridge; }

void register_rtl_engines() {
  register_engine("rtl", [](const char* name, const EngineContext& ctx) {
    return std::unique_ptr<engine_base>(new rtl_engine(name, ctx, false));
  });
  register_engine("cosim", [](const char* name, const EngineContext& ctx) {
    return std::unique_ptr<engine_base>(new cosim_engine(name, ctx));
  });
}

}  // namespace ecg::rtl
