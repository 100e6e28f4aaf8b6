#pragma once
// Compiles a qnet network (ecg::Network) into a program for the RTL `pipe` engine
// (rtl/pipe/pipe_engine.sv): one stage descriptor per pass layer (conv1d, depthwise conv1d,
// maxpool, dense, with the requant after it fused and a concat_aux before a dense read from
// the aux FIFO), each stage's weight rows in the order its steps read them and its
// per-channel parameter words, as register-port writes. The constants mirror
// rtl/pipe/pipe_pkg.sv. Pure C++, no SystemC.
#include <cstdint>
#include <string>
#include <vector>

#include "ecg/qnet.h"
#include "engine_program.h"

namespace ecg::rtl {

// pipe_pkg constants used by the loader.
namespace pipe {
enum Kind : std::uint32_t { kKindMac = 0, kKindDw = 1, kKindPool = 2 };
enum Sf : std::uint32_t {
  kSfCtrl, kSfLin, kSfLout, kSfK, kSfStride, kSfPadL, kSfPadVal, kSfCin, kSfNcc, kSfNaux,
  kSfCout, kSfNog, kSfLo, kSfHi, kSfLbUse, kNumSf
};
constexpr std::uint32_t kCtrlRequant = 1u << 0, kCtrlHasBias = 1u << 1, kCtrlHasAux = 1u << 2;
constexpr std::uint32_t kRegionCsr = 0, kRegionDesc = 1, kRegionWgt = 2, kRegionPar = 3,
                        kRegionInfo = 4;
constexpr std::uint32_t kParBiasLo = 0, kParBiasHi = 1, kParMult = 2, kParShift = 3;
enum Info : std::uint32_t {
  kInfoKind, kInfoPe, kInfoSimd, kInfoCin, kInfoCout, kInfoWgtRows, kInfoLbCols, kNumInfo
};
enum Csr : std::uint32_t {
  kCsrId, kCsrHwParams, kCsrLbCols, kCsrMaxC, kCsrCtrl, kCsrInLen, kCsrAuxLen, kCsrNClasses,
  kCsrBeats, kCsrMaxClass, kCsrAuxDepth, kCsrWbIi
};
constexpr std::uint32_t kIdValue = 0xEC650003u;
constexpr std::uint32_t csr_addr(Csr c) { return (kRegionCsr << 28) | c; }
constexpr std::uint32_t info_addr(std::size_t stage, Info f) {
  return (kRegionInfo << 28) | (static_cast<std::uint32_t>(stage) << 24) | f;
}
}  // namespace pipe

// One stage's hardware (the generated per-stage parameters, read back from RegionInfo).
struct PipeStageHw {
  int kind = 0;       // pipe::Kind
  int pe = 1, simd = 1;
  int cin = 0, cout = 0;
  int wgt_rows = 0;   // weight RAM rows
  int lb_cols = 8;    // line-buffer columns
};

// Hardware parameters of a pipe engine instance (the SV parameters, read back from its CSRs).
struct PipeHw {
  int pe = 1;
  int simd = 1;
  int stages = 13;
  int lb_cols = 8;
  int max_c = 32;
  int aux_depth = 8;
  int max_classes = 8;
  int wb_ii = 4;
  std::vector<PipeStageHw> st;
};

struct PipeStage {
  std::string layers;                  // qnet layers it covers, e.g. "l0+l1"
  int kind = 0;
  int rows = 0;                        // weight rows it needs
  std::uint32_t desc[pipe::kNumSf] = {};
};

struct PipeProgram : EngineProgram {
  PipeHw hw;
  std::vector<PipeStage> stages;
};

// line_buffer_cols: engine.line_buffer_cols (0 = each stage's kernel; a dense stage holds its
// whole input). Throws InputError (one line naming the network file and the layer) when the
// network does not fit the engine: not INT8 weights / UINT8 activations, a layer pattern the
// pipe does not run, a stage of another kind or larger than the engine's, a requant multiplier
// beyond 16 bits, buffers too small.
PipeProgram compile_pipe(const Network& net, const PipeHw& hw, int line_buffer_cols = 0);

// The stage hardware that runs `net` at pe x simd exactly (what pipe_engine's Stage* vectors
// generate); for tests and the variant check.
// The hardware parameters of a pipe engine, read from its CSRs and each stage's RegionInfo
// words; throws std::runtime_error when the ID register is not the pipe engine's.
PipeHw read_pipe_hw(const RegRead& read_reg);

std::vector<PipeStageHw> pipe_stage_hw(const Network& net, int pe, int simd, int lb_cols = 8);

}  // namespace ecg::rtl
