// The Verilated seq-engine variants (listed once, in rtl/CMakeLists.txt; CMake generates the
// two .inc files: the V*.h includes and one ECG_SEQ_VARIANT(name, arch, pe, simd, mac, wbits, abits, xnor_lanes, act_a, act_b, rows,
// par) per model).
#include "seq_variants_includes.inc"  // V*.h first: Verilator 5.006 pulls in systemc.h

#include <fmt/format.h>

#include "ecg/error.h"
#include "seq_bench_impl.h"
#include "variant_list.h"

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
#define ECG_SEQ_VARIANT(name, arch, pe, simd, mac, wbits, abits, xl, act_a, act_b, rows, par) \
  {#name, arch, pe, simd, mac, wbits, abits, (mac) == 1 ? (xl) : 0, act_a, act_b, rows, par,  \
   &make_bench<V##name>},
  static const std::vector<SeqVariant> variants = {
#include "seq_variants_list.inc"
  };
#undef ECG_SEQ_VARIANT
  return variants;
}

namespace {
std::string no_model(const std::string& arch) {
  return fmt::format("--arch {}: no seq RTL model (seq RTL engines: qrcnn bnn int2kd logq dwsep)", arch);
}
}  // namespace

SeqHw SeqVariant::hw() const {
  SeqHw h;
  h.pe = pe;
  h.simd = simd;
  h.mac_kind = mac_kind;
  h.wbits = wbits;
  h.abits = abits;
  h.xnor_lanes = xnor_lanes;
  h.act_depth_a = act_a;
  h.act_depth_b = act_b;
  h.wgt_rows = wgt_rows;
  h.par_depth = par_depth;
  return h;
}

bool has_seq_arch(const std::string& arch) { return has_variant_arch(seq_variants(), arch); }

const SeqVariant& default_seq_variant(const std::string& arch) {
  return default_variant(seq_variants(), arch, no_model(arch));
}

const SeqVariant& find_seq_variant(const std::string& arch, int pe, int simd) {
  return find_variant(seq_variants(), arch, pe, simd, "RTL", no_model(arch));
}

}  // namespace ecg::rtl
