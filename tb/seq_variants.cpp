// The Verilated seq-engine variants (listed once, in rtl/CMakeLists.txt; CMake generates the
// two .inc files: the V*.h includes and one ECG_SEQ_VARIANT(name, arch, pe, simd, mac, wbits) per model).
#include "seq_variants_includes.inc"  // V*.h first: Verilator 5.006 pulls in systemc.h

#include <fmt/format.h>

#include "ecg/error.h"
#include "seq_bench_impl.h"

namespace ecg::rtl {
namespace {

template <class V>
std::unique_ptr<SeqBench> make_bench(const SeqBenchOptions& opt) {
  auto bench = std::make_unique<seq_bench_module<V>>("bench", opt);
  if (opt.standalone) bench->start();
  return bench;
}

}  // namespace

const std::vector<SeqVariant>& seq_variants() {
#define ECG_SEQ_VARIANT(name, arch, pe, simd, mac, wbits) \
  {#name, arch, pe, simd, mac, wbits, &make_bench<V##name>},
  static const std::vector<SeqVariant> variants = {
#include "seq_variants_list.inc"
  };
#undef ECG_SEQ_VARIANT
  return variants;
}

bool has_seq_arch(const std::string& arch) {
  for (const auto& v : seq_variants())
    if (v.arch == arch) return true;
  return false;
}

const SeqVariant& default_seq_variant(const std::string& arch) {
  for (const auto& v : seq_variants())
    if (v.arch == arch) return v;
  throw InputError(fmt::format("--arch {}: no RTL model (RTL engines: qrcnn bnn int2kd logq)", arch));
}

const SeqVariant& find_seq_variant(const std::string& arch, int pe, int simd) {
  std::string avail;
  for (const auto& v : seq_variants()) {
    if (v.arch != arch) continue;
    if (v.pe == pe && v.simd == simd) return v;
    avail += fmt::format(" pe={} simd={};", v.pe, v.simd);
  }
  if (avail.empty()) (void)default_seq_variant(arch);  // throws for an arch without RTL
  throw InputError(fmt::format("engine.pe={} engine.simd={}: no Verilated {} RTL model with that "
                               "shape (available:{})",
                               pe, simd, arch, avail));
}

}  // namespace ecg::rtl
