#include "ecg/models/accelerator.h"

#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace ecg {
std::uint64_t accelerator::sample_bytes(const NetGeom& net) {
  return (static_cast<std::uint64_t>(net.input_bits) + 7) / 8;
}

std::uint64_t accelerator::input_bytes(const NetGeom& net) {
  return static_cast<std::uint64_t>(net.input_channels) * net.input_length * sample_bytes(net) +
         static_cast<std::uint64_t>(net.aux);
}

accelerator::accelerator(const sc_core::sc_module_name& name, const std::string& engine_kind,
                         const EngineContext& ctx, std::vector<BeatTrace>& trace)
    : sc_core::sc_module(name),
      bus2csr("bus2csr"),
      acc2eng("acc2eng"),
      irq("irq"),
      m_net(ctx.net),
      m_period(ctx.clock_period),
      m_input(new sram("input_buffer", "input", input_bytes(ctx.net), ctx.params, ctx.stats,
                       ctx.clock_period)),
      m_weights(new sram("weight_memory", "weight",
                         std::max<std::uint64_t>(1, static_cast<std::uint64_t>(ctx.net.weight_storage_bytes)),
                         ctx.params, ctx.stats, ctx.clock_period)),
      m_engine(make_engine(engine_kind, "engine", ctx)),
      m_trace(trace),
      m_csr_accesses(ctx.stats.counter("csr.accesses", "CSR reads and writes")) {
  bus2csr.register_b_transport(this, &accelerator::csr_b_transport);
  acc2eng.bind(m_engine->acc2eng);
  SC_METHOD(on_done);
  sensitive << m_done_evq;
  dont_initialize();
  SC_METHOD(drive_irq);
  sensitive << m_irq_ev;
}

void accelerator::start_job(std::uint64_t beat_index, sc_core::sc_time& delay,
                            tlm::tlm_generic_payload& csr_trans) {
  // Unpack the input buffer (little-endian samples, sign-extended if the input is signed;
  // aux values are one byte each) into the engine's input words.
  const auto& buf = m_input->data();
  const std::uint64_t sb = sample_bytes(m_net);
  const int n = m_net.input_channels * m_net.input_length;
  std::vector<std::int32_t> words(static_cast<std::size_t>(n + m_net.aux));
  for (int i = 0; i < n; ++i) {
    std::uint32_t v = 0;
    for (std::uint64_t b = 0; b < sb; ++b) v |= static_cast<std::uint32_t>(buf[i * sb + b]) << (8 * b);
    const int bits = static_cast<int>(8 * sb);
    if (m_net.input_signed && bits < 32 && (v >> (bits - 1)) & 1u) v |= ~0u << bits;
    words[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(v);
  }
  for (int j = 0; j < m_net.aux; ++j) words[static_cast<std::size_t>(n + j)] = buf[n * sb + j];

  beat_job_ext job;
  job.beat_index = beat_index;
  job.length = n;
  job.aux = m_net.aux;
  tlm::tlm_generic_payload t;
  set_payload(t, tlm::TLM_WRITE_COMMAND, 0, reinterpret_cast<unsigned char*>(words.data()),
              static_cast<unsigned>(4 * words.size()));
  t.set_extension(&job);
  m_trace.at(beat_index).t_req = sc_core::sc_time_stamp() + delay;
  acc2eng->b_transport(t, delay);
  t.clear_extension(&job);
  if (t.is_response_error()) {
    csr_trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    throw std::runtime_error(fmt::format("{}: engine answered {} for beat {}", name(),
                                         t.get_response_string(), beat_index));
  }
  BeatTrace& tr = m_trace.at(beat_index);
  tr.t_start = job.t_start;
  tr.t_done = job.t_done;
  tr.engine_cycles = job.cycles;
  tr.logits = std::move(job.logits);
  tr.cls = job.cls;
  m_pending.push_back({beat_index, job.cls});
  m_done_evq.notify(job.t_done - sc_core::sc_time_stamp());
}

void accelerator::on_done() {
  // Results complete in start order (every engine here finishes beats in order).
  Result r = m_pending.front();
  m_pending.pop_front();
  m_results.push_back(r);
  m_trace.at(r.beat_index).done = true;
  ++m_done_count;
  m_irq_ev.notify();
}

void accelerator::drive_irq() { irq.write(!m_results.empty()); }

void accelerator::csr_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const std::uint64_t a = trans.get_address();
  if (trans.get_data_length() != 4 || (a & 3) != 0 || trans.get_byte_enable_ptr()) {
    trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  m_csr_accesses.add(1);
  delay += m_period;  // one register access cycle
  std::uint32_t value = 0;
  if (trans.is_write()) {
    std::memcpy(&value, trans.get_data_ptr(), 4);
    if (a != addr::kCtrl) {
      trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    beat_ext* meta = nullptr;
    trans.get_extension(meta);
    if (!meta) {
      trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
      return;
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    if (value & 1u) start_job(meta->beat_index, delay, trans);
    return;
  }
  switch (a) {
    case addr::kStatus:
      value = (m_pending.empty() ? 0u : 1u) | (m_results.empty() ? 0u : 2u);
      break;
    case addr::kDoneCount:
      value = static_cast<std::uint32_t>(m_done_count);
      break;
    case addr::kResult: {
      if (m_results.empty()) {
        trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
      }
      Result r = m_results.front();
      m_results.pop_front();
      m_irq_ev.notify();
      value = static_cast<std::uint32_t>(r.cls);
      result_ext* ext = nullptr;
      trans.get_extension(ext);
      if (ext) {
        ext->beat_index = r.beat_index;
        ext->logits = m_trace.at(r.beat_index).logits;
      }
      break;
    }
    default:
      trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
  }
  std::memcpy(trans.get_data_ptr(), &value, 4);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace ecg
