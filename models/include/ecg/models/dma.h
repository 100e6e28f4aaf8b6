#pragma once
// DMA initiator: at boot copies the weight image into the accelerator's weight memory;
// then for each beat from the source writes the packed samples (and aux bytes) into the
// input buffer in bursts of dma.burst_bytes and writes START to the CSR. LT with a
// quantum keeper; every response status is checked.
#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "ecg/hw/engine_model.h"
#include "ecg/hw/params.h"
#include "ecg/models/platform_types.h"
#include "ecg/hw/stats.h"

namespace ecg {

class ParamSet;

class dma : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<dma> dma2bus;
  sc_core::sc_fifo_in<std::size_t> src2dma;

  dma(const sc_core::sc_module_name& name, const ParamSet& params, const NetGeom& net,
      const std::vector<BeatIn>& beats, std::vector<std::uint8_t> weight_image,
      std::vector<BeatTrace>& trace, StatsRegistry& stats);
  SC_HAS_PROCESS(dma);
  static void declare_params(ParamSet& ps);
  static inline const ParamKey<std::int64_t> kBurstBytes{"dma.burst_bytes"};

  sc_core::sc_time boot_done() const { return m_boot_done; }

 private:
  void run();
  void write(std::uint64_t address, std::uint8_t* data, unsigned len, beat_ext* meta);
  const NetGeom& m_net;
  const std::vector<BeatIn>& m_beats;
  std::vector<std::uint8_t> m_weight_image;
  // One beat's input bytes. A member, not a local of run(): a SystemC thread still waiting at
  // the end of the simulation is never unwound, so its locals would leak (LeakSanitizer).
  std::vector<std::uint8_t> m_buf;
  std::vector<BeatTrace>& m_trace;
  unsigned m_burst;
  tlm_utils::tlm_quantumkeeper m_qk;
  sc_core::sc_time m_boot_done;
  StatsRegistry::Counter& m_bytes;
};

}  // namespace ecg
