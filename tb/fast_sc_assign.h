#pragma once
// Force-included before every Verilated SystemC model source (rtl/CMakeLists.txt): Verilator
// 5.006 writes an output port wider than 64 bits (the engines' 256-bit out_logits_o) through
// VL_ASSIGN_SWW, which builds an sc_bv temporary at every write, i.e. a heap allocation and a
// free at every rising edge. Here the temporary is one static per write site, assigned in
// place: the port sees the same value written, without the allocation (about 8 % of a fast
// cosim run, docs/cosim.md "Speed"). One model evaluates on one thread at a time; thread_local
// keeps it so if a process ever runs models on several threads.
#include "verilated.h"

#ifndef VL_ASSIGN_SWW
#error "fast_sc_assign.h: verilated.h no longer defines VL_ASSIGN_SWW (Verilator upgrade?)"
#endif
#undef VL_ASSIGN_SWW
#define VL_ASSIGN_SWW(obits, svar, rwp)                                                   \
  {                                                                                      \
    static thread_local sc_bv<(obits)> _bvtemp;                                          \
    for (int i = 0; i < VL_WORDS_I(obits); ++i) _bvtemp.set_word(i, (rwp)[i]);           \
    (svar).write(_bvtemp);                                                               \
  }
