#pragma once
// What every RTL engine program has (tb/seq_program.h, tb/pipe_program.h): the register-port
// writes that load it, the input lengths and the classes; and how the benches read an engine's
// registers. Pure C++, no SystemC.
#include <cstdint>
#include <functional>
#include <vector>

namespace ecg::rtl {

struct RegWrite {
  std::uint32_t addr = 0;
  std::uint32_t data = 0;
};

// Reads one register of an engine (a CSR or an info word) through its register port.
using RegRead = std::function<std::uint32_t(std::uint32_t addr)>;

// A program for one engine style; SeqProgram and PipeProgram add their hardware parameters
// and the passes/stages they were compiled into.
struct EngineProgram {
  std::vector<RegWrite> writes;  // descriptors, weights, parameters, then the CSRs (enable last)
  int in_len = 0;                // L
  int aux_len = 0;               // A
  int n_classes = 0;
};

}  // namespace ecg::rtl
