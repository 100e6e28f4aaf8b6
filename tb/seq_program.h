#pragma once
// Compiles a qnet network (ecg::Network) into a program for the RTL `seq` engine
// (rtl/seq/seq_engine.sv): the layer-descriptor table, the banked weight rows and the
// per-channel parameters, as register-port writes. The constants mirror rtl/seq/seq_pkg.sv.
// Pure C++, no SystemC: the same program serves every Verilated variant with matching
// hardware parameters, and its cycle prediction is the docs/engines.md formula.
#include <cstdint>
#include <string>
#include <vector>

#include "ecg/qnet.h"

namespace ecg::rtl {

// Hardware parameters of a seq engine instance (the SV parameters, read back from its CSRs).
struct SeqHw {
  int pe = 8;
  int simd = 8;
  int mac_kind = 0;  // seq_pkg: 0 MacInt, 1 MacXnor, 2 MacPow2
  int wbits = 4;
  int act_depth = 16384;
  int wgt_rows = 1024;
  int par_depth = 64;
  int desc_depth = 16;
  int aux_depth = 8;
  int max_classes = 8;
};

// seq_pkg constants used by the loader.
namespace seq {
constexpr int kMacInt = 0, kMacXnor = 1, kMacPow2 = 2;
constexpr std::uint32_t kOpMac = 0, kOpMax = 1, kOpSum = 2;
constexpr std::uint32_t kEwNone = 0, kEwRequant = 1, kEwThresh = 2;
constexpr std::uint32_t kCtrlDw = 1u << 2, kCtrlBin = 1u << 3, kCtrlHasBias = 1u << 6,
                        kCtrlHasAux = 1u << 7,
                        kCtrlIntW = 1u << 8;
enum Df : std::uint32_t {
  kDfCtrl, kDfLin, kDfCout, kDfLout, kDfK, kDfStride, kDfPadL, kDfPadVal, kDfRed, kDfCinG,
  kDfCoutG, kDfNChunk, kDfNOg, kDfWBase, kDfPBase, kDfLo, kDfHi, kDfAuxStart, kNumDf
};
constexpr std::uint32_t kDescStride = 32;
constexpr std::uint32_t kRegionCsr = 0, kRegionDesc = 1, kRegionWgt = 2, kRegionPar = 3;
constexpr std::uint32_t kParBias = 0, kParMult = 1, kParShift = 2, kParThr = 3, kParDir = 4;
enum Csr : std::uint32_t {
  kCsrId, kCsrHwParams, kCsrActDepth, kCsrWgtRows, kCsrParDepth, kCsrDescDepth, kCsrCtrl,
  kCsrNPass, kCsrInLen, kCsrAuxLen, kCsrStatus, kCsrBeats, kCsrCycLast, kCsrMaxClass
};
constexpr std::uint32_t kIdValue = 0xEC650001u;
constexpr std::uint32_t csr_addr(Csr c) { return (kRegionCsr << 28) | c; }
}  // namespace seq

struct RegWrite {
  std::uint32_t addr = 0;
  std::uint32_t data = 0;
};

// One pass of the engine (a conv1d/dense/maxpool/gsum layer, or a lone element-wise layer,
// with the element-wise layer that follows it fused into its write-back).
struct SeqPass {
  std::string layers;                 // names of the qnet layers it covers, e.g. "conv0+rq0"
  std::uint32_t desc[seq::kNumDf] = {};
  std::uint64_t work = 0;             // Lout * ceil(Cout/pe) * ceil(red/simd)
};

struct SeqProgram {
  SeqHw hw;
  std::vector<SeqPass> passes;
  std::vector<RegWrite> writes;  // descriptors, weights, parameters, then the CSRs (enable last)
  int in_len = 0;                // L
  int aux_len = 0;               // A
  int n_classes = 0;
  int weight_rows = 0;           // rows used per bank (shared tensors stored once)
  int param_entries = 0;         // parameter entries used per bank
  // docs/engines.md: (L + A) + sum over passes (layer_overhead + work) + 1.
  static constexpr int kLayerOverhead = 2;  // Desc + Drain cycles of the RTL sequencer
  std::uint64_t cycles_per_beat() const;
};

// Throws InputError (one line naming the network file and the layer) when the network
// does not fit the engine: a weight value the MAC flavour cannot encode, buffers too small,
// a layer pattern the engine does not run.
SeqProgram compile_seq(const Network& net, const SeqHw& hw);

}  // namespace ecg::rtl
