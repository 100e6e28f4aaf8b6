// The Verilated pipe-engine variants (listed once, in rtl/CMakeLists.txt; CMake generates the
// two .inc files: the V*.h includes and one ECG_PIPE_VARIANT(name, arch, pe, simd, stages)
// per model).
#include "pipe_variants_includes.inc"  // V*.h first: Verilator 5.006 pulls in systemc.h

#include <fmt/format.h>

#include "ecg/error.h"
#include "pipe_bench_impl.h"
#include "variant_list.h"

namespace ecg::rtl {
namespace {

template <class V>
std::unique_ptr<PipeBench> make_bench(const SeqBenchOptions& opt) {
  auto bench = std::make_unique<pipe_bench_module<V>>("bench", opt);
  if (opt.standalone) bench->start();
  return bench;
}

}  // namespace

const std::vector<PipeVariant>& pipe_variants() {
#define ECG_PIPE_VARIANT(name, arch, pe, simd, stages) \
  {#name, arch, pe, simd, stages, &make_bench<V##name>},
  static const std::vector<PipeVariant> variants = {
#include "pipe_variants_list.inc"
  };
#undef ECG_PIPE_VARIANT
  return variants;
}

namespace {
std::string no_model(const std::string& arch) {
  return fmt::format("--arch {}: no pipe RTL model (pipe RTL engines: dwsep)", arch);
}
}  // namespace

bool has_pipe_arch(const std::string& arch) { return has_variant_arch(pipe_variants(), arch); }

const PipeVariant& default_pipe_variant(const std::string& arch) {
  return default_variant(pipe_variants(), arch, no_model(arch));
}

const PipeVariant& find_pipe_variant(const std::string& arch, int pe, int simd) {
  return find_variant(pipe_variants(), arch, pe, simd, "pipe RTL", no_model(arch));
}

}  // namespace ecg::rtl
