#pragma once
// rtl/cosim with -j N over several records: one worker process per record, at most N at a
// time, outcomes and check counters merged (tb/rtl_parallel.cpp).
#include <cstdint>
#include <memory>

#include "ecg/run/backend.h"

namespace ecg::rtl {

// The Progress a worker process is given: also takes the RTL clock cycles simulated so far, so
// that the parent's bar shows the live RTL cycles/s of all workers (the rtl backend reports them
// through it when its Progress is one).
class CycleProgress : public Progress {
 public:
  virtual void cycles(std::uint64_t rtl_clock_cycles) = 0;
};

// `single`: makes the one-process backend a worker runs.
std::unique_ptr<Backend> make_parallel_rtl_backend(const BackendContext& ctx, BackendFactory single);

}  // namespace ecg::rtl
