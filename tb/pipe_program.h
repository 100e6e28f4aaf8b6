#pragma once
// Compiles a qnet network (ecg::Network) into a program for the RTL `pipe` engine
// (rtl/pipe/pipe_engine.sv): one stage descriptor per pass layer (conv1d, maxpool, dense,
// with the requant after it fused and a concat_aux before a dense read from the aux FIFO),
// the banked weight rows and per-channel parameters of each stage, as register-port
// writes. The constants mirror rtl/pipe/pipe_pkg.sv. Pure C++, no SystemC.
#include <cstdint>
#include <string>
#include <vector>

#include "ecg/qnet.h"
#include "seq_program.h"  // RegWrite

namespace ecg::rtl {

// Hardware parameters of a pipe engine instance (the SV parameters, read back from its CSRs).
struct PipeHw {
  int pe = 8;
  int simd = 8;
  int stages = 13;
  int lb_cols = 8;
  int wgt_rows = 256;
  int par_depth = 8;
  int max_c = 32;
  int aux_depth = 8;
  int max_classes = 8;
};

// pipe_pkg constants used by the loader.
namespace pipe {
enum Sf : std::uint32_t {
  kSfCtrl, kSfLin, kSfCout, kSfLout, kSfK, kSfStride, kSfPadL, kSfPadVal, kSfRed, kSfCinG,
  kSfCoutG, kSfNChunk, kSfNOg, kSfLo, kSfHi, kSfAuxStart, kSfLbUse, kNumSf
};
constexpr std::uint32_t kCtrlMax = 1u << 0, kCtrlDw = 1u << 1, kCtrlRequant = 1u << 2,
                        kCtrlHasBias = 1u << 3, kCtrlHasAux = 1u << 4;
constexpr std::uint32_t kRegionCsr = 0, kRegionDesc = 1, kRegionWgt = 2, kRegionPar = 3;
constexpr std::uint32_t kParBias = 0, kParMult = 1, kParShift = 2;
enum Csr : std::uint32_t {
  kCsrId, kCsrHwParams, kCsrLbCols, kCsrWgtRows, kCsrParDepth, kCsrMaxC, kCsrCtrl, kCsrInLen,
  kCsrAuxLen, kCsrNClasses, kCsrBeats, kCsrMaxClass, kCsrAuxDepth
};
constexpr std::uint32_t kIdValue = 0xEC650002u;
constexpr std::uint32_t csr_addr(Csr c) { return (kRegionCsr << 28) | c; }
}  // namespace pipe

struct PipeStage {
  std::string layers;                  // qnet layers it covers, e.g. "l0+l1"
  std::uint32_t desc[pipe::kNumSf] = {};
};

struct PipeProgram {
  PipeHw hw;
  std::vector<PipeStage> stages;
  std::vector<RegWrite> writes;  // descriptors, weights, parameters, then the CSRs (enable last)
  int in_len = 0;                // L
  int aux_len = 0;               // A
  int n_classes = 0;
};

// line_buffer_cols: engine.line_buffer_cols (0 = each stage's kernel; a dense stage holds its
// whole input). Throws InputError (one line naming the network file and the layer) when the
// network does not fit the engine: not INT8 weights / UINT8 activations, a layer pattern the
// pipe does not run, a stage count other than the engine's, buffers too small.
PipeProgram compile_pipe(const Network& net, const PipeHw& hw, int line_buffer_cols = 0);

}  // namespace ecg::rtl
