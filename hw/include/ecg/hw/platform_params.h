#pragma once
// Parameters of the platform as a whole rather than of one of its modules (each module
// declares its own beside it: engine_param:: in engine_model.h, dma::, bus::, sram::,
// beat_source:: in models/). The clock is the platform's: the engine, the bus, the DMA and
// the memories all run on it. models/'s declare_platform_params() declares it with the
// modules' parameters and make_platform_config() reads it once (PlatformConfig::clock_mhz),
// then hands it down. Its handle lives here, in the pure-C++ hardware description, because
// the power model (power/) below the SystemC platform reads it too.
#include "ecg/hw/params.h"

namespace ecg {

namespace platform_param {
inline const ParamKey<double> kClockMhz{"clock_mhz"};
}  // namespace platform_param

// Declares the platform-wide parameters (clock_mhz).
void declare_platform_clock(ParamSet& ps);

}  // namespace ecg
