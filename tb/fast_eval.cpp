// Registers V::eval_step of every Verilated seq and pipe variant in fast_eval<V> (see
// fast_eval.h). The lists are the generated ones seq_variants.cpp and pipe_variants.cpp use.
#include "seq_variants_includes.inc"  // V*.h first: Verilator 5.006 pulls in systemc.h
#include "pipe_variants_includes.inc"

#include "fast_eval.h"

namespace ecg::rtl {

template <class V, void (V::*F)()>
struct eval_registrar {
  static const bool done;
};
template <class V, void (V::*F)()>
const bool eval_registrar<V, F>::done = (fast_eval<V>::fn = F, true);

#define ECG_SEQ_VARIANT(name, ...) template struct eval_registrar<V##name, &V##name::eval_step>;
#include "seq_variants_list.inc"
#undef ECG_SEQ_VARIANT
#define ECG_PIPE_VARIANT(name, ...) template struct eval_registrar<V##name, &V##name::eval_step>;
#include "pipe_variants_list.inc"
#undef ECG_PIPE_VARIANT

bool fast_eval_linked() { return true; }

}  // namespace ecg::rtl
