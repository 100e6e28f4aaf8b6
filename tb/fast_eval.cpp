// Registers V::eval_step and the direct root evaluation of every Verilated engine variant
// in fast_eval<V> (see fast_eval.h). The list is the generated one the variant registry
// (tb/variants.cpp) uses.
#include "rtl_variants_includes.inc"  // V*.h first: Verilator 5.006 pulls in systemc.h
#include "variants_syms.inc"          // V*__Syms.h: the symbol table and the root module

#include <stdexcept>
#include <type_traits>

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
// The clock low without an evaluation. Verilator 5.006 copies the top's clk_i into
// __Vcellinp__<top>__clk_i at every evaluation and finds a rising edge by comparing it with
// __Vtrigrprev__TOP____Vcellinp__<top>__clk_i, its value at the last evaluation; an evaluation
// with only the clock falling changes nothing else (both engines clock every always_ff on the
// rising edge, reset on the falling rst_ni, and no logic reads clk_i), so setting those two is
// that evaluation. The top is seq_engine or pipe_engine (the two engine styles); a Verilator that
// names them otherwise fails to compile here.
template <class R, class = void>
struct seq_top : std::false_type {};
template <class R>
struct seq_top<R, std::void_t<decltype(R::__Vtrigrprev__TOP____Vcellinp__seq_engine__clk_i)>>
    : std::true_type {};
template <class R, class = void>
struct pipe_top : std::false_type {};
template <class R>
struct pipe_top<R, std::void_t<decltype(R::__Vtrigrprev__TOP____Vcellinp__pipe_engine__clk_i)>>
    : std::true_type {};
template <class R>
inline constexpr bool kNoTop = false;

// The model's copy of clk_i and its edge detector's value at the last evaluation.
struct clock_regs {
  CData& copy;
  CData& prev;
};
template <class Root>
clock_regs clock_of(Root& r) {
  if constexpr (seq_top<Root>::value)
    return {r.__Vcellinp__seq_engine__clk_i, r.__Vtrigrprev__TOP____Vcellinp__seq_engine__clk_i};
  else if constexpr (pipe_top<Root>::value)
    return {r.__Vcellinp__pipe_engine__clk_i, r.__Vtrigrprev__TOP____Vcellinp__pipe_engine__clk_i};
  else
    static_assert(kNoTop<Root>, "fast_eval: no seq_engine/pipe_engine clock in this Verilated model");
}

template <class V, class Root>
void direct_clock_low(V& m) {
  const clock_regs c = clock_of(*m.rootp);
  c.copy = 0;
  c.prev = 0;
}

// The rising edge without the input region. Verilator 5.006's root evaluation
// (V___024root___eval) runs the input region first: it copies every top input into the model
// (__Vcellinp__*: 8-9 virtual port reads) and evaluates the logic that reads inputs
// (`ico_sequent`), and only then the active/NBA loop: the trigger evaluation finds the clock's
// edge, the NBA region runs the always_ff blocks and every combinational block after them
// (Verilator schedules the input-reading logic there too, as it also reads registers), and the
// loop repeats until no trigger fires. When no input but the clock changed since the last
// evaluation (the bench knows: fast_drive), the input region would only recompute values the
// last NBA region left current, so the edge is the clock's copy set high and that loop, as
// _eval runs it, with its limit of 100 iterations (the engines converge in one). ~12.5 % of a
// seq engine's cycle (docs/cosim.md).
inline constexpr unsigned kMaxIter = 100;  // Verilator's --converge-limit default
template <class V, class Root, void (*Trig)(Root*), void (*Act)(Root*), void (*Nba)(Root*)>
void direct_clock_high(V& m) {
  Root* const r = m.rootp;
  r->vlSymsp->__Vm_activity = true;
  clock_of(*r).copy = 1;
  for (unsigned nba = 0;; ++nba) {
    r->__VnbaTriggered.clear();
    for (unsigned act = 0;; ++act) {
      Trig(r);
      if (!r->__VactTriggered.any()) break;
      if (act >= kMaxIter) throw std::runtime_error("fast bridge: active region did not converge");
      r->__VnbaTriggered.set(r->__VactTriggered);
      Act(r);
    }
    if (!r->__VnbaTriggered.any()) return;
    if (nba >= kMaxIter) throw std::runtime_error("fast bridge: NBA region did not converge");
    Nba(r);
  }
}

// Registers the direct evaluations of V: the whole one, the clock low and the rising edge.
template <class V, class Root, class Syms, void (*RootEval)(Root*), void (*Trig)(Root*),
          void (*Act)(Root*), void (*Nba)(Root*)>
struct step_registrar {
  static const bool done;
};
template <class V, class Root, class Syms, void (*RootEval)(Root*), void (*Trig)(Root*),
          void (*Act)(Root*), void (*Nba)(Root*)>
const bool step_registrar<V, Root, Syms, RootEval, Trig, Act, Nba>::done =
    (fast_eval<V>::step = &direct_step<V, Root, Syms, RootEval>,
     fast_eval<V>::clock_low = &direct_clock_low<V, Root>,
     fast_eval<V>::clock_high = &direct_clock_high<V, Root, Trig, Act, Nba>, true);

}  // namespace ecg::rtl

// Verilator 5.006 names the root evaluation V___024root___eval (V.cpp declares it the same way)
// and its trigger, active and NBA steps V___024root___eval_triggers__act, _eval_act, _eval_nba.
#define ECG_FAST_DECLARE(name)                                                  \
  void V##name##___024root___eval(V##name##___024root* vlSelf);                 \
  void V##name##___024root___eval_triggers__act(V##name##___024root* vlSelf);   \
  void V##name##___024root___eval_act(V##name##___024root* vlSelf);             \
  void V##name##___024root___eval_nba(V##name##___024root* vlSelf);
#define ECG_RTL_VARIANT(name, ...) ECG_FAST_DECLARE(name)
#include "rtl_variants_list.inc"
#undef ECG_RTL_VARIANT

namespace ecg::rtl {

#define ECG_FAST_REGISTER(name)                                                           \
  template struct eval_registrar<V##name, &V##name::eval_step>;                          \
  template struct step_registrar<V##name, V##name##___024root, V##name##__Syms,          \
                                 &::V##name##___024root___eval,                          \
                                 &::V##name##___024root___eval_triggers__act,            \
                                 &::V##name##___024root___eval_act,                      \
                                 &::V##name##___024root___eval_nba>;
#define ECG_RTL_VARIANT(name, ...) ECG_FAST_REGISTER(name)
#include "rtl_variants_list.inc"
#undef ECG_RTL_VARIANT

bool fast_eval_linked() { return true; }

}  // namespace ecg::rtl
