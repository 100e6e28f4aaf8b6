#pragma once
// Lookup in a list of Verilated hardware variants (seq_variants(), pipe_variants()): each has
// `arch`, `pe` and `simd`; the first variant listed for an arch is its default.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "ecg/error.h"

namespace ecg::rtl {

template <class Variant>
bool has_variant_arch(const std::vector<Variant>& list, const std::string& arch) {
  for (const auto& v : list)
    if (v.arch == arch) return true;
  return false;
}

// `none`: the InputError message when the arch has no variant.
template <class Variant>
const Variant& default_variant(const std::vector<Variant>& list, const std::string& arch,
                               const std::string& none) {
  for (const auto& v : list)
    if (v.arch == arch) return v;
  throw InputError(none);
}

// `kind`: the model's name in the message, e.g. "RTL" or "pipe RTL".
template <class Variant>
const Variant& find_variant(const std::vector<Variant>& list, const std::string& arch, int pe,
                            int simd, const std::string& kind, const std::string& none) {
  std::string avail;
  for (const auto& v : list) {
    if (v.arch != arch) continue;
    if (v.pe == pe && v.simd == simd) return v;
    avail += fmt::format(" pe={} simd={};", v.pe, v.simd);
  }
  if (avail.empty()) throw InputError(none);
  throw InputError(fmt::format("engine.pe={} engine.simd={}: no Verilated {} {} model with that "
                               "shape (available:{})",
                               pe, simd, arch, kind, avail));
}

}  // namespace ecg::rtl
