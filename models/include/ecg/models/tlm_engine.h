#pragma once
// Loosely-timed compute engine: computes the beat's outputs with the functional model
// (golden interpreter) and annotates the cycle cost of engine_timing() (seq or pipe, per
// engine.style). One transaction per beat; no SystemC event per MAC. Activity counters
// (MACs by width, SRAM accesses by width, register updates, busy cycles) go to the stats
// registry.
#include <map>

#include "ecg/models/engine_if.h"
#include "ecg/hw/stats.h"

namespace ecg {

class tlm_engine : public engine_base {
 public:
  tlm_engine(const sc_core::sc_module_name& name, const EngineContext& ctx);
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) override;
  std::string engine_kind() const override { return "tlm"; }
  const EngineTiming& timing() const { return m_timing; }

 private:
  ComputeFn m_compute;
  EngineTiming m_timing;
  sc_core::sc_time m_period;
  sc_core::sc_time m_free = sc_core::SC_ZERO_TIME;  // earliest start of the next job
  sc_core::sc_time m_last_done = sc_core::SC_ZERO_TIME;
  std::vector<std::pair<StatsRegistry::Counter*, std::uint64_t>> m_per_beat;
  StatsRegistry::Counter& m_beats;
  StatsRegistry::Counter& m_busy;
};

// Registers the "tlm" engine kind (idempotent); the platform calls it before make_engine.
void register_tlm_engine();

}  // namespace ecg
