#pragma once
// The fast bridge calls a Verilated SystemC model's evaluation directly. Verilator 5.006
// keeps it private (V::eval_step, run by the model's SC_METHOD); tb/fast_eval.cpp takes its
// address for every variant in the generated lists through explicit template instantiation
// (which C++ exempts from access checks) and stores it here.
namespace ecg::rtl {

template <class V>
struct fast_eval {
  static inline void (V::*fn)() = nullptr;  // V::eval_step, set at static initialisation
};

// True when tb/fast_eval.cpp is linked (referencing it keeps its registrations).
bool fast_eval_linked();

}  // namespace ecg::rtl
