#include "ecg/models/host.h"

#include <stdexcept>

#include <fmt/format.h>

namespace ecg {

host::host(const sc_core::sc_module_name& name, std::vector<BeatTrace>& trace,
           std::function<void(std::size_t)> on_result)
    : sc_core::sc_module(name), host2bus("host2bus"), irq("irq"), m_trace(trace),
      m_on_result(std::move(on_result)) {
  SC_THREAD(run);
}

void host::run() {
  for (;;) {
    if (!irq.read()) wait(irq.posedge_event());
    std::uint32_t value = 0;
    result_ext ext;
    tlm::tlm_generic_payload t;
    set_payload(t, tlm::TLM_READ_COMMAND, addr::kCsrBase + addr::kResult, reinterpret_cast<unsigned char*>(&value), 4);
    t.set_extension(&ext);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    host2bus->b_transport(t, delay);
    t.clear_extension(&ext);
    if (t.is_response_error())
      throw std::runtime_error(fmt::format("{}: RESULT read failed: {}", name(), t.get_response_string()));
    BeatTrace& tr = m_trace.at(ext.beat_index);
    if (static_cast<int>(value) != tr.cls || ext.logits != tr.logits)
      throw std::runtime_error(fmt::format("{}: RESULT of beat {} differs from the engine's", name(),
                                           ext.beat_index));
    tr.t_host = sc_core::sc_time_stamp() + delay;
    ++m_read;
    if (m_on_result) m_on_result(m_read);
    wait(delay);  // the read completes; then look at the IRQ again
  }
}

}  // namespace ecg
