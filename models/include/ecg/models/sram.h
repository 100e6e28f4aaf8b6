#pragma once
// On-chip SRAM as a TLM target (input buffer, weight memory): holds real bytes, annotates
// `mem.<name>.latency_cycles` per access, and counts accesses by port width
// ("mem.<name>.write.<W>b": a transfer of N bytes is ceil(8N/W) accesses of W bits).
// Engine-internal accesses (computed by engine_timing) are added to the same counters.
#include <cstdint>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "ecg/hw/params.h"
#include "ecg/hw/stats.h"

namespace ecg {

class ParamSet;

class sram : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<sram> bus2mem;

  // `key` is the parameter/counter section: "input" -> mem.input.*
  sram(const sc_core::sc_module_name& name, const std::string& key, std::uint64_t size_bytes,
       const ParamSet& params, StatsRegistry& stats, sc_core::sc_time clock_period);
  static void declare_params(ParamSet& ps, const std::string& key, const std::string& what);
  // mem.<key>.width_bits, mem.<key>.latency_cycles.
  static ParamKey<std::int64_t> width_bits_key(const std::string& key) {
    return ParamKey<std::int64_t>("mem." + key + ".width_bits");
  }
  static ParamKey<std::int64_t> latency_key(const std::string& key) {
    return ParamKey<std::int64_t>("mem." + key + ".latency_cycles");
  }

  const std::vector<std::uint8_t>& data() const { return m_data; }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  std::vector<std::uint8_t> m_data;
  std::uint64_t m_width_bits, m_latency;
  sc_core::sc_time m_period;
  StatsRegistry::Counter& m_reads;
  StatsRegistry::Counter& m_writes;
};

}  // namespace ecg
