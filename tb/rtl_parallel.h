#pragma once
// rtl/cosim with -j N over several records: one worker process per record, at most N at a
// time, outcomes and check counters merged (tb/rtl_parallel.cpp).
#include <memory>

#include "ecg/run/backend.h"

namespace ecg::rtl {

// `single`: makes the one-process backend a worker runs.
std::unique_ptr<Backend> make_parallel_rtl_backend(const BackendContext& ctx, BackendFactory single);

}  // namespace ecg::rtl
