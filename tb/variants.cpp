// The registry of the Verilated engine variants (listed once, in rtl/CMakeLists.txt; CMake
// generates the two .inc files: the V*.h includes and one ECG_RTL_VARIANT(name, style, arch,
// pe, simd, mac, wbits, abits, xnor_lanes, act_a, act_b, rows, par, stages) per model).
#include "rtl_variants_includes.inc"  // V*.h first: Verilator 5.006 pulls in systemc.h

#include <fmt/format.h>

#include "ecg/error.h"
#include "engine_bench.h"
#include "pin_bench.h"

namespace ecg::rtl {
namespace {

// The engine's own cycle count of the last beat, read after each beat (seq: CSR CycLast).
std::uint32_t cycle_csr(const char* style) {
  return std::string(style) == "seq" ? seq::csr_addr(seq::kCsrCycLast) : kNoCycleCsr;
}

template <class V>
std::unique_ptr<EngineBench> make_bench(const BenchOptions& opt, std::uint32_t cyc_csr) {
  auto bench = std::make_unique<pin_bench<V>>("bench", opt, cyc_csr);
  if (opt.standalone) bench->start();
  return bench;
}

std::string styles_of(const std::string& arch) {
  std::string s;
  for (const auto& v : variants())
    if (v.arch == arch && s.find(v.style) == std::string::npos) s += (s.empty() ? "" : ", ") + v.style;
  return s;
}

std::string no_model(const std::string& style, const std::string& arch) {
  std::string archs;
  for (const auto& v : variants())
    if (v.style == style && archs.find(" " + v.arch) == std::string::npos) archs += " " + v.arch;
  const std::string other = styles_of(arch);
  return fmt::format("--arch {}: no {} RTL model ({} RTL engines:{}){}", arch, style, style, archs,
                     other.empty() ? "" : fmt::format("; {} has engine.style {}", arch, other));
}

}  // namespace

const std::vector<Variant>& variants() {
#define ECG_RTL_VARIANT(name, style, arch, pe, simd, mac, wbits, abits, xl, act_a, act_b, rows, par, \
                        stages)                                                                       \
  {#name, style, arch, pe, simd, mac, wbits, abits, (mac) == 1 ? (xl) : 0, act_a, act_b, rows, par,    \
   stages, [](const BenchOptions& opt) { return make_bench<V##name>(opt, cycle_csr(style)); }},
  static const std::vector<Variant> list = {
#include "rtl_variants_list.inc"
  };
#undef ECG_RTL_VARIANT
  return list;
}

SeqHw Variant::seq_hw() const {
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

bool has_variant(const std::string& arch, const std::string& style) {
  for (const auto& v : variants())
    if (v.arch == arch && (style.empty() || v.style == style)) return true;
  return false;
}

const Variant& default_variant(const std::string& style, const std::string& arch) {
  for (const auto& v : variants())
    if (v.style == style && v.arch == arch) return v;
  throw InputError(no_model(style, arch));
}

const Variant& find_variant(const std::string& style, const std::string& arch, int pe, int simd) {
  std::string avail;
  for (const auto& v : variants()) {
    if (v.style != style || v.arch != arch) continue;
    if (v.pe == pe && v.simd == simd) return v;
    avail += fmt::format(" pe={} simd={};", v.pe, v.simd);
  }
  if (avail.empty()) throw InputError(no_model(style, arch));
  throw InputError(fmt::format("engine.pe={} engine.simd={}: no Verilated {} {} RTL model with that "
                               "shape (available:{})",
                               pe, simd, arch, style, avail));
}

}  // namespace ecg::rtl
