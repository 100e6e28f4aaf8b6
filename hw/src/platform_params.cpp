#include "ecg/hw/platform_params.h"

namespace ecg {

void declare_platform_clock(ParamSet& ps) {
  ps.declare(platform_param::kClockMhz, 100.0, "accelerator, bus and memory clock in MHz", 1e-6, 1e5);
}

}  // namespace ecg
