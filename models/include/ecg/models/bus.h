#pragma once
// Interconnect: routes each transaction by address to one target and annotates
// `bus.latency_cycles + ceil(bytes * 8 / bus.width_bits)` cycles (LT: adds to the delay,
// never waits). Several initiators (DMA, host) bind to bus_in; targets bind to bus_out in
// the order of add_region().
#include <cstdint>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "ecg/hw/params.h"
#include "ecg/hw/stats.h"

namespace ecg {

class ParamSet;

class bus : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<bus> bus_in;
  tlm_utils::multi_passthrough_initiator_socket<bus> bus_out;

  bus(const sc_core::sc_module_name& name, const ParamSet& params, StatsRegistry& stats,
      sc_core::sc_time clock_period);
  static void declare_params(ParamSet& ps);
  static inline const ParamKey<std::int64_t> kLatencyCycles{"bus.latency_cycles"};
  static inline const ParamKey<std::int64_t> kWidthBits{"bus.width_bits"};

  // Target `port` (index of its bus_out binding) serves [base, base + size).
  void add_region(std::uint64_t base, std::uint64_t size, int port);
  std::uint64_t transfer_cycles(std::uint64_t bytes) const;

 private:
  void b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  struct Region {
    std::uint64_t base, size;
    int port;
  };
  std::vector<Region> m_regions;
  std::uint64_t m_latency, m_width_bits;
  sc_core::sc_time m_period;
  StatsRegistry::Counter& m_transactions;
  StatsRegistry::Counter& m_bytes;
  StatsRegistry::Counter& m_cycles;
};

}  // namespace ecg
