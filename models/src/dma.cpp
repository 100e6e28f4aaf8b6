#include "ecg/models/dma.h"

#include <stdexcept>

#include <fmt/format.h>

#include "ecg/models/accelerator.h"
#include "ecg/hw/params.h"

namespace ecg {

void dma::declare_params(ParamSet& ps) {
  ps.declare(kBurstBytes, 64, "largest DMA burst (one bus transaction) in bytes", 4, 1 << 20);
}

dma::dma(const sc_core::sc_module_name& name, const ParamSet& params, const NetGeom& net,
         const std::vector<BeatIn>& beats, std::vector<std::uint8_t> weight_image,
         std::vector<BeatTrace>& trace, StatsRegistry& stats)
    : sc_core::sc_module(name),
      dma2bus("dma2bus"),
      src2dma("src2dma"),
      m_net(net),
      m_beats(beats),
      m_weight_image(std::move(weight_image)),
      m_trace(trace),
      m_burst(static_cast<unsigned>(params.get(kBurstBytes))),
      m_bytes(stats.counter("dma.bytes", "bytes written by the DMA (weights at boot + beats)")) {
  SC_THREAD(run);
}

void dma::write(std::uint64_t address, std::uint8_t* data, unsigned len, beat_ext* meta) {
  for (unsigned off = 0; off < len; off += m_burst) {
    const unsigned n = std::min(m_burst, len - off);
    tlm::tlm_generic_payload t;
    set_payload(t, tlm::TLM_WRITE_COMMAND, address + off, data + off, n);
    if (meta) t.set_extension(meta);
    sc_core::sc_time delay = m_qk.get_local_time();
    dma2bus->b_transport(t, delay);
    if (meta) t.clear_extension(meta);
    if (t.is_response_error())
      throw std::runtime_error(fmt::format("{}: write to 0x{:x} failed: {}", name(), address + off,
                                           t.get_response_string()));
    m_qk.set(delay);
    m_bytes.add(n);
    if (m_qk.need_sync()) m_qk.sync();
  }
}

void dma::run() {
  // Boot: weight image into the weight memory.
  if (!m_weight_image.empty())
    write(addr::kWeightBase, m_weight_image.data(), static_cast<unsigned>(m_weight_image.size()), nullptr);
  m_qk.sync();
  m_boot_done = sc_core::sc_time_stamp();

  const std::uint64_t sb = accelerator::sample_bytes(m_net);
  std::vector<std::uint8_t>& buf = m_buf;
  buf.assign(accelerator::input_bytes(m_net), 0);
  for (;;) {
    m_qk.sync();  // the DMA is free now; wait for the next beat
    const std::size_t i = src2dma->read();
    const BeatIn& b = m_beats[i];
    m_trace[i].t_dma = sc_core::sc_time_stamp();
    for (std::size_t s = 0; s < b.input.size(); ++s)
      for (std::uint64_t k = 0; k < sb; ++k)
        buf[s * sb + k] = static_cast<std::uint8_t>(static_cast<std::uint32_t>(b.input[s]) >> (8 * k));
    for (std::size_t j = 0; j < b.aux.size(); ++j)
      buf[b.input.size() * sb + j] = static_cast<std::uint8_t>(b.aux[j]);
    beat_ext meta;
    meta.beat_index = i;
    write(addr::kInputBase, buf.data(), static_cast<unsigned>(buf.size()), &meta);
    std::uint32_t start = 1;
    write(addr::kCsrBase + addr::kCtrl, reinterpret_cast<std::uint8_t*>(&start), 4, &meta);
  }
}

}  // namespace ecg
