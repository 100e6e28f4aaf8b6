#pragma once
// Compiles a qnet network (ecg::Network) into a program for the RTL `seq` engine
// (rtl/seq/seq_engine.sv): the layer-descriptor table, the weight rows in the engine's
// memory layout and the per-channel parameters, as register-port writes. The constants
// mirror rtl/seq/seq_hw_pkg.sv. Pure C++, no SystemC: the same program serves every
// Verilated variant with matching hardware parameters; its cycle count is the
// docs/engines.md formula that the TLM model (hw/src/engine_model.cpp) also computes.
#include <cstdint>
#include <string>
#include <vector>

#include "ecg/qnet.h"
#include "engine_program.h"

namespace ecg::rtl {

// Hardware parameters of a seq engine instance (the SV parameters, read back from its CSRs).
struct SeqHw {
  int pe = 4;
  int simd = 8;
  int mac_kind = 0;  // seq_hw_pkg: 0 MacInt, 1 MacXnor, 2 MacPow2
  int wbits = 4;
  int abits = 8;     // activation lane bits
  int xnor_lanes = 0;  // MacXnor: 1-bit lanes per word for binary layers (<= simd * abits)
  int acc_bits = 24;
  int act_depth_a = 256, act_depth_b = 256;  // words of the ping-pong buffers
  int wgt_rows = 256;
  int par_depth = 128;
  int desc_depth = 16;
  int aux_depth = 4;
  int max_classes = 8;
  int num_df = 23;  // descriptor fields (read one per cycle)
  int drain = 6;    // pipeline stages after the counters (seq_hw_pkg::DrainCycles)
};

// seq_hw_pkg constants used by the loader.
namespace seq {
constexpr int kMacInt = 0, kMacXnor = 1, kMacPow2 = 2;
constexpr std::uint32_t kOpMac = 0, kOpMax = 1, kOpSum = 2, kOpDw = 3;
constexpr std::uint32_t kEwNone = 0, kEwRequant = 1, kEwThresh = 2;
constexpr std::uint32_t kCtrlBinIn = 1u << 4, kCtrlBinOut = 1u << 5, kCtrlHasBias = 1u << 6,
                        kCtrlSigned = 1u << 7, kCtrlIntW = 1u << 8;
enum Df : std::uint32_t {
  kDfCtrl, kDfNOg, kDfCoutLast, kDfLout, kDfNChunk, kDfNCw, kDfNTapCw, kDfLastCnt, kDfAuxCnt,
  kDfLin, kDfPos0, kDfStride, kDfAddr0, kDfAStepT, kDfAStepC, kDfGIn, kDfCWo, kDfGOut,
  kDfWBase, kDfPBase, kDfPadVal, kDfLo, kDfHi, kNumDf
};
constexpr std::uint32_t kDescStride = 32;
constexpr int kParABits = 24, kMultBits = 16;
constexpr std::uint32_t kRegionCsr = 0, kRegionDesc = 1, kRegionWgt = 2, kRegionPar = 3;
enum Csr : std::uint32_t {
  kCsrId, kCsrHwParams, kCsrActDepthA, kCsrActDepthB, kCsrWgtRows, kCsrParDepth,
  kCsrDescDepth, kCsrAuxDepth, kCsrMaxClass, kCsrAccBits, kCsrCtrl, kCsrNPass, kCsrInLen,
  kCsrAuxLen, kCsrStatus, kCsrBeats, kCsrCycLast
};
constexpr std::uint32_t kIdValue = 0xEC650002u;
constexpr std::uint32_t csr_addr(Csr c) { return (kRegionCsr << 28) | c; }
}  // namespace seq

// One pass of the engine (a conv1d/dense/maxpool/gsum layer, or a lone element-wise layer,
// with the element-wise layer that follows it fused into its write-back).
struct SeqPass {
  std::string layers;                 // names of the qnet layers it covers, e.g. "conv0+rq0"
  std::int32_t desc[seq::kNumDf] = {};
  std::uint64_t cout = 0, nog = 0, lout = 0, nchunk = 0;
  std::uint64_t work = 0;             // nog * lout * nchunk
};

struct SeqProgram : EngineProgram {
  SeqHw hw;
  std::vector<SeqPass> passes;
  int weight_rows = 0;           // rows used (shared tensors stored once)
  int param_entries = 0;         // parameter entries used
  int act_words_a = 0, act_words_b = 0;  // words used in each activation buffer
  // docs/engines.md: (L + A) + sum over passes [(num_df + 1) + cout + nog * (1 + drain)
  // + nog * lout * nchunk] + 1.
  std::uint64_t cycles_per_beat() const;
};

// Throws InputError (one line naming the network file and the layer) when the network
// does not fit the engine: a weight value the MAC flavour cannot encode, buffers too small,
// an activation or sum wider than the lanes or the accumulator, a layer pattern the engine
// does not run.
SeqProgram compile_seq(const Network& net, const SeqHw& hw);

// The hardware parameters of a seq engine, read from its CSRs; throws std::runtime_error when
// the ID register is not the seq engine's.
SeqHw read_seq_hw(const RegRead& read_reg);

}  // namespace ecg::rtl
