#include "ecg/models/sram.h"

#include <cstring>

#include <fmt/format.h>

#include "ecg/hw/params.h"

namespace ecg {

void sram::declare_params(ParamSet& ps, const std::string& key, const std::string& what) {
  ps.declare(width_bits_key(key), 32,
                 fmt::format("{}: bus-side port width in bits", what), 8, 4096);
  ps.declare(latency_key(key), 1,
                 fmt::format("{}: access latency in cycles", what), 0, 1000000);
}

sram::sram(const sc_core::sc_module_name& name, const std::string& key, std::uint64_t size_bytes,
           const ParamSet& params, StatsRegistry& stats, sc_core::sc_time clock_period)
    : sc_core::sc_module(name),
      bus2mem("bus2mem"),
      m_data(size_bytes, 0),
      m_width_bits(static_cast<std::uint64_t>(params.get(width_bits_key(key)))),
      m_latency(static_cast<std::uint64_t>(params.get(latency_key(key)))),
      m_period(clock_period),
      m_reads(stats.counter(fmt::format("mem.{}.read.{}b", key, m_width_bits),
                            "SRAM reads of that width (bus side and engine side)")),
      m_writes(stats.counter(fmt::format("mem.{}.write.{}b", key, m_width_bits),
                             "SRAM writes of that width (bus side and engine side)")) {
  bus2mem.register_b_transport(this, &sram::b_transport);
}

void sram::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const std::uint64_t addr = trans.get_address();
  const std::uint64_t len = trans.get_data_length();
  if (trans.get_byte_enable_ptr() || trans.get_streaming_width() < len) {
    trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  if (addr + len > m_data.size()) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const std::uint64_t accesses = (len * 8 + m_width_bits - 1) / m_width_bits;
  if (trans.is_write()) {
    std::memcpy(m_data.data() + addr, trans.get_data_ptr(), len);
    m_writes.add(accesses);
  } else if (trans.is_read()) {
    std::memcpy(trans.get_data_ptr(), m_data.data() + addr, len);
    m_reads.add(accesses);
  } else {
    trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  delay += m_period * static_cast<double>(m_latency);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace ecg
