// Registers V::eval_step and the direct root evaluation of every Verilated engine variant
// in fast_eval<V> (see fast_eval.h). The list is the generated one the variant registry
// (tb/variants.cpp) uses.
#include "rtl_variants_includes.inc"  // V*.h first: Verilator 5.006 pulls in systemc.h
#include "variants_syms.inc"          // V*__Syms.h: the symbol table and the root module

#include "fast_eval.h"

namespace ecg::rtl {

template <class V, void (V::*F)()>
struct eval_registrar {
  static const bool done;
};
template <class V, void (V::*F)()>
const bool eval_registrar<V, F>::done = (fast_eval<V>::fn = F, true);

// eval_step (V.cpp) = on the first call, the initial blocks and settle; then, every call:
// __Vm_activity (the waveform's change flag), the root evaluation, then the message queue
// (empty: no engine prints). `Syms` is V's symbol table (V__Syms.h), the root's vlSymsp.
template <class V, class Root, class Syms, void (*RootEval)(Root*)>
void direct_step(V& m) {
  Syms* const syms = m.rootp->vlSymsp;
  if (!syms->__Vm_didInit) {
    (m.*fast_eval<V>::fn)();
    return;
  }
  syms->__Vm_activity = true;
  RootEval(m.rootp);
}
template <class V, class Root, class Syms, void (*RootEval)(Root*)>
struct step_registrar {
  static const bool done;
};
template <class V, class Root, class Syms, void (*RootEval)(Root*)>
const bool step_registrar<V, Root, Syms, RootEval>::done =
    (fast_eval<V>::step = &direct_step<V, Root, Syms, RootEval>, true);

}  // namespace ecg::rtl

// Verilator 5.006 names the root evaluation V___024root___eval (V.cpp declares it the same way).
#define ECG_FAST_DECLARE(name) void V##name##___024root___eval(V##name##___024root* vlSelf);
#define ECG_RTL_VARIANT(name, ...) ECG_FAST_DECLARE(name)
#include "rtl_variants_list.inc"
#undef ECG_RTL_VARIANT

namespace ecg::rtl {

#define ECG_FAST_REGISTER(name)                                                           \
  template struct eval_registrar<V##name, &V##name::eval_step>;                          \
  template struct step_registrar<V##name, V##name##___024root, V##name##__Syms,          \
                                 &::V##name##___024root___eval>;
#define ECG_RTL_VARIANT(name, ...) ECG_FAST_REGISTER(name)
#include "rtl_variants_list.inc"
#undef ECG_RTL_VARIANT

bool fast_eval_linked() { return true; }

}  // namespace ecg::rtl
