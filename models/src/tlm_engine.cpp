#include "ecg/models/tlm_engine.h"

#include <cstring>


namespace ecg {

tlm_engine::tlm_engine(const sc_core::sc_module_name& name, const EngineContext& ctx)
    : engine_base(name),
      m_compute(ctx.compute),
      m_timing(ctx.timing),
      m_period(ctx.clock_period),
      m_beats(ctx.stats.counter("engine.beats", "beats computed by the engine")),
      m_busy(ctx.stats.counter("engine.cycles.busy",
                               "cycles with at least one beat in the engine")) {
  for (const auto& [name_, n] : m_timing.activity)
    m_per_beat.emplace_back(&ctx.stats.counter(name_, "per-beat activity from engine_timing()"), n);
}

void tlm_engine::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  beat_job_ext* job = nullptr;
  trans.get_extension(job);
  const std::size_t n_words = job ? static_cast<std::size_t>(job->length + job->aux) : 0;
  if (!job || trans.get_command() != tlm::TLM_WRITE_COMMAND) {
    trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  if (trans.get_data_length() != 4 * n_words || trans.get_address() != 0) {
    trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  std::vector<std::int32_t> input(static_cast<std::size_t>(job->length));
  std::vector<std::int32_t> aux(static_cast<std::size_t>(job->aux));
  std::memcpy(input.data(), trans.get_data_ptr(), 4 * input.size());
  std::memcpy(aux.data(), trans.get_data_ptr() + 4 * input.size(), 4 * aux.size());
  BeatOutput out = m_compute(input, aux);

  // Timing: the job starts when the engine can take it, then runs latency cycles; the next
  // job may start II cycles after this one (pipe overlaps beats, seq does not).
  const sc_core::sc_time now = sc_core::sc_time_stamp() + delay;
  const sc_core::sc_time start = now > m_free ? now : m_free;
  const auto lat = static_cast<std::uint64_t>(m_timing.latency_cycles);
  job->t_start = start;
  job->t_done = start + m_period * static_cast<double>(lat);
  job->t_free = start + m_period * static_cast<double>(m_timing.ii_cycles);
  job->cycles = lat;
  job->logits = std::move(out.logits);
  job->cls = out.cls;
  m_free = job->t_free;

  const sc_core::sc_time busy_from = start > m_last_done ? start : m_last_done;
  m_busy.add(static_cast<std::uint64_t>((job->t_done - busy_from) / m_period + 0.5));
  m_last_done = job->t_done;
  m_beats.add(1);
  for (auto& [c, n] : m_per_beat) c->add(n);

  // The input is consumed once the load phase has streamed it in.
  delay = start + m_period * static_cast<double>(m_timing.load_cycles) - sc_core::sc_time_stamp();
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

void register_tlm_engine() {
  register_engine("tlm", [](const char* name, const EngineContext& ctx) {
    return std::unique_ptr<engine_base>(new tlm_engine(name, ctx));
  });
}

}  // namespace ecg
