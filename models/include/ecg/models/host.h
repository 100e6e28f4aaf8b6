#pragma once
// Host CPU side: on the accelerator's IRQ reads the RESULT register over the bus (the
// result metadata, logits included, comes back in a result_ext) until the IRQ drops.
#include <functional>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "ecg/models/platform_types.h"

namespace ecg {

class host : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<host> host2bus;
  sc_core::sc_in<bool> irq;

  host(const sc_core::sc_module_name& name, std::vector<BeatTrace>& trace,
       std::function<void(std::size_t)> on_result = {});
  SC_HAS_PROCESS(host);
  std::size_t results_read() const { return m_read; }

 private:
  void run();
  std::vector<BeatTrace>& m_trace;
  std::function<void(std::size_t)> m_on_result;
  std::size_t m_read = 0;
};

}  // namespace ecg
