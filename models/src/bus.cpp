#include "ecg/models/bus.h"

#include "ecg/hw/params.h"

namespace ecg {

void bus::declare_params(ParamSet& ps) {
  ps.declare(kLatencyCycles, 2, "interconnect cycles per transaction (arbitration, address phase)", 0, 1000000);
  ps.declare(kWidthBits, 32, "interconnect data width in bits", 8, 4096);
}

bus::bus(const sc_core::sc_module_name& name, const ParamSet& params, StatsRegistry& stats,
         sc_core::sc_time clock_period)
    : sc_core::sc_module(name),
      bus_in("bus_in"),
      bus_out("bus_out"),
      m_latency(static_cast<std::uint64_t>(params.get(kLatencyCycles))),
      m_width_bits(static_cast<std::uint64_t>(params.get(kWidthBits))),
      m_period(clock_period),
      m_transactions(stats.counter("bus.transactions", "transactions routed by the interconnect")),
      m_bytes(stats.counter("bus.bytes", "data bytes moved by the interconnect")),
      m_cycles(stats.counter("bus.cycles.busy", "interconnect cycles annotated (latency + beats)")) {
  bus_in.register_b_transport(this, &bus::b_transport);
}

void bus::add_region(std::uint64_t base, std::uint64_t size, int port) {
  m_regions.push_back({base, size, port});
}

std::uint64_t bus::transfer_cycles(std::uint64_t bytes) const {
  return m_latency + (bytes * 8 + m_width_bits - 1) / m_width_bits;
}

void bus::b_transport(int /*id*/, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const std::uint64_t addr = trans.get_address();
  for (const Region& r : m_regions) {
    if (addr < r.base || addr + trans.get_data_length() > r.base + r.size) continue;
    const std::uint64_t cycles = transfer_cycles(trans.get_data_length());
    delay += m_period * static_cast<double>(cycles);
    m_transactions.add(1);
    m_bytes.add(trans.get_data_length());
    m_cycles.add(cycles);
    trans.set_address(addr - r.base);
    bus_out[r.port]->b_transport(trans, delay);
    trans.set_address(addr);
    return;
  }
  trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

}  // namespace ecg
