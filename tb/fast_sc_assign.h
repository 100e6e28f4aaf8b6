#pragma once
// Force-included before every Verilated SystemC model source (rtl/CMakeLists.txt): Verilator
// 5.006 writes an output port wider than 64 bits (the engines' 256-bit out_logits_o) through
// VL_ASSIGN_SWW, which builds an sc_bv temporary at every write, i.e. a heap allocation and a
// free at every rising edge. Here the temporary is one static per write site, assigned in
// place, and the port is written only when the value differs from the port's (the logits change
// once per beat; the write is one per rising edge): about 8 % + 3 % of a fast cosim run
// (docs/cosim.md "Speed"). Skipping an equal write is what sc_signal does itself (no update, no
// event) as long as the model is the port's only writer and writes it once per evaluation, as
// Verilator does; the fast bridge's direct_signal has no events at all. One model evaluates on
// one thread at a time; thread_local keeps it so if a process ever runs models on several threads.
#include "verilated.h"

#ifndef VL_ASSIGN_SWW
#error "fast_sc_assign.h: verilated.h no longer defines VL_ASSIGN_SWW (Verilator upgrade?)"
#endif
#undef VL_ASSIGN_SWW
#define VL_ASSIGN_SWW(obits, svar, rwp)                                                   \
  {                                                                                      \
    const auto& _bvcur = (svar).read();                                                  \
    int _bvi = 0;                                                                        \
    while (_bvi < VL_WORDS_I(obits) && _bvcur.get_word(_bvi) == (rwp)[_bvi]) ++_bvi;     \
    if (_bvi < VL_WORDS_I(obits)) {                                                      \
      static thread_local sc_bv<(obits)> _bvtemp;                                        \
      for (int i = 0; i < VL_WORDS_I(obits); ++i) _bvtemp.set_word(i, (rwp)[i]);         \
      (svar).write(_bvtemp);                                                             \
    }                                                                                    \
  }
