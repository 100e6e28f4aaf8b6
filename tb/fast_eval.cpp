// Registers V::eval_step of every Verilated engine variant in fast_eval<V> (see
// fast_eval.h). The list is the generated one the variant registry (tb/variants.cpp) uses.
#include "rtl_variants_includes.inc"  // V*.h first: Verilator 5.006 pulls in systemc.h

#include "fast_eval.h"

namespace ecg::rtl {

template <class V, void (V::*F)()>
struct eval_registrar {
  static const bool done;
};
template <class V, void (V::*F)()>
const bool eval_registrar<V, F>::done = (fast_eval<V>::fn = F, true);

#define ECG_RTL_VARIANT(name, ...) template struct eval_registrar<V##name, &V##name::eval_step>;
#include "rtl_variants_list.inc"
#undef ECG_RTL_VARIANT

bool fast_eval_linked() { return true; }

}  // namespace ecg::rtl
