#pragma once
// Beat source: hands beats to the DMA, either at the recording's own pace (each beat when
// its window is complete, source.pace = "realtime") or back to back (as soon as the DMA
// takes the previous one, "back_to_back").
#include <vector>

#include <systemc>

#include "ecg/hw/params.h"
#include "ecg/models/platform_types.h"

namespace ecg {

class ParamSet;

class beat_source : public sc_core::sc_module {
 public:
  sc_core::sc_fifo_out<std::size_t> src2dma;

  beat_source(const sc_core::sc_module_name& name, const ParamSet& params,
              const std::vector<BeatIn>& beats, std::vector<BeatTrace>& trace);
  SC_HAS_PROCESS(beat_source);
  static void declare_params(ParamSet& ps);
  static inline const ParamKey<std::string> kPace{"source.pace"};  // realtime | back_to_back

 private:
  void run();
  const std::vector<BeatIn>& m_beats;
  std::vector<BeatTrace>& m_trace;
  bool m_paced;
};

}  // namespace ecg
