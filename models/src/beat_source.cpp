#include "ecg/models/beat_source.h"

#include "ecg/hw/params.h"

namespace ecg {

void beat_source::declare_params(ParamSet& ps) {
  ps.declare(kPace, "realtime",
                    "realtime = each beat enters when its window is complete in the recording "
                    "(deadline misses counted); back_to_back = as fast as the platform takes them",
                    {"realtime", "back_to_back"});
}

beat_source::beat_source(const sc_core::sc_module_name& name, const ParamSet& params,
                         const std::vector<BeatIn>& beats, std::vector<BeatTrace>& trace)
    : sc_core::sc_module(name),
      src2dma("src2dma"),
      m_beats(beats),
      m_trace(trace),
      m_paced(params.get(kPace) == "realtime") {
  SC_THREAD(run);
}

void beat_source::run() {
  for (std::size_t i = 0; i < m_beats.size(); ++i) {
    if (m_paced) {
      const sc_core::sc_time at(m_beats[i].available_s, sc_core::SC_SEC);
      if (at > sc_core::sc_time_stamp()) wait(at - sc_core::sc_time_stamp());
      m_trace[i].t_avail = at;
      src2dma->write(i);
    } else {
      src2dma->write(i);  // blocks until the DMA has taken the previous beat
      m_trace[i].t_avail = sc_core::sc_time_stamp();
    }
  }
}

}  // namespace ecg
