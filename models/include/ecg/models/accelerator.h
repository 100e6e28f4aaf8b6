#pragma once
// The accelerator: CSR target (start/status/result, IRQ line), input buffer and weight
// memory (SRAM targets on the bus), and the compute engine behind the acc2eng socket.
#include <deque>
#include <memory>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "ecg/models/engine_if.h"
#include "ecg/models/platform_types.h"
#include "ecg/models/sram.h"

namespace ecg {

class accelerator : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<accelerator> bus2csr;
  tlm_utils::simple_initiator_socket<accelerator> acc2eng;
  sc_core::sc_out<bool> irq;

  accelerator(const sc_core::sc_module_name& name, const std::string& engine_kind,
              const EngineContext& ctx, std::vector<BeatTrace>& trace);
  SC_HAS_PROCESS(accelerator);

  sram& input_buffer() { return *m_input; }
  sram& weight_memory() { return *m_weights; }
  engine_base& engine() { return *m_engine; }
  static std::uint64_t input_bytes(const NetGeom& net);   // packed input + aux size
  static std::uint64_t sample_bytes(const NetGeom& net);  // bytes per packed input sample

 private:
  void csr_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void start_job(std::uint64_t beat_index, sc_core::sc_time& delay, tlm::tlm_generic_payload& trans);
  void on_done();
  void drive_irq();

  const NetGeom& m_net;
  sc_core::sc_time m_period;
  std::unique_ptr<sram> m_input, m_weights;
  std::unique_ptr<engine_base> m_engine;
  std::vector<BeatTrace>& m_trace;
  struct Result {
    std::uint64_t beat_index;
    int cls;
  };
  std::deque<Result> m_pending;   // started, not yet done (in done order)
  std::deque<Result> m_results;   // done, not yet read by the host
  std::uint64_t m_done_count = 0;
  sc_core::sc_event_queue m_done_evq;
  sc_core::sc_event m_irq_ev;
  StatsRegistry::Counter& m_csr_accesses;
};

}  // namespace ecg
