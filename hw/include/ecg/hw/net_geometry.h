#pragma once
// The hardware's view of a qnet Network: its input, classes and per-layer shapes, widths
// and weight encodings as the engine model (engine_model.h) reads them. Pure C++.
#include "ecg/hw/engine_model.h"
#include "ecg/qnet.h"

namespace ecg {

NetGeom net_geometry(const Network& net);

}  // namespace ecg
