#pragma once
// The fast bridge evaluates a Verilated SystemC model directly, without its SC_METHOD.
// Verilator 5.006 keeps the evaluation private (V::eval_step, run by the model's SC_METHOD);
// tb/fast_eval.cpp takes its address for every variant in the generated lists through
// explicit template instantiation (which C++ exempts from access checks) and stores it here,
// with `step`: the model's root evaluation (V___024root___eval) called directly once the
// model is initialised. eval_step around it only does per-call bookkeeping the engines do not
// need (thread ids and the end-of-eval message queue, for $display in multi-threaded models;
// the engines have neither), about 4 % of a fast cosim run (docs/cosim.md "Speed").
namespace ecg::rtl {

template <class V>
struct fast_eval {
  static inline void (V::*fn)() = nullptr;  // V::eval_step, set at static initialisation
  static inline void (*step)(V&) = nullptr;  // one evaluation (eval_step on the first call)
  // The clock input low without an evaluation: what an evaluation with the clock falling and
  // every other input as at the last one would change (the clock's copy inside the model and
  // its edge detector); the engines have no logic on the falling edge.
  static inline void (*clock_low)(V&) = nullptr;
  // The rising edge when no input but the clock changed since the last evaluation: the
  // evaluation without its input region (see tb/fast_eval.cpp, direct_clock_high).
  static inline void (*clock_high)(V&) = nullptr;
};

// One evaluation of `m` (fast bridge).
template <class V>
inline void fast_eval_step(V& m) {
  fast_eval<V>::step(m);
}

// The clock input of `m` low, without an evaluation (fast bridge; see fast_eval::clock_low).
template <class V>
inline void fast_clock_low(V& m) {
  fast_eval<V>::clock_low(m);
}

// The clock input of `m` high and its rising edge evaluated, when no other input changed since
// the last evaluation (fast bridge; see fast_eval::clock_high).
template <class V>
inline void fast_clock_high(V& m) {
  fast_eval<V>::clock_high(m);
}

// True when tb/fast_eval.cpp is linked (referencing it keeps its registrations).
bool fast_eval_linked();

}  // namespace ecg::rtl
