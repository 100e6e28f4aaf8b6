#pragma once
// Cycle and activity model of the compute engines (docs/engines.md, docs/timing.md).
// This is the one place in C++ that computes an engine's cycle cost; the SystemC engine
// (tlm_engine) annotates exactly these cycles, and tests check them against hand-computed
// formulas. Pure C++, no SystemC, so sweeps and the power model can call it directly.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ecg/hw/params.h"

namespace ecg {

// Shape of one qnet layer as the hardware sees it (built from the golden Network by
// net_geometry() in ecg/hw/net_geometry.h, or by hand in tests).
struct LayerGeom {
  std::string name;
  std::string type;  // conv1d | requant | threshold | maxpool | gsum | dense | concat_aux
  int cin = 1, lin = 1;    // input channels, input length (dense: cin = flattened I, lin = 1)
  int cout = 1, lout = 1;  // output channels, output length
  int k = 1, stride = 1, pad_left = 0, pad_right = 0, groups = 1;
  int in_bits = 8;           // width of the activations read
  bool in_binary = false;    // input activations are +-1 (output of a +-1 threshold)
  int out_bits = 8;          // width of the activations written
  bool out_binary = false;   // this layer writes +-1 values
  int w_bits = 0;            // weight width (conv1d, dense); 0 = no weights
  std::string w_encoding;    // int | binary | pow2
  std::string weight;        // weight tensor name (shared tensors = QRCNN reuse)
  bool has_bias = false;
};

struct NetGeom {
  std::string arch;
  int input_channels = 1, input_length = 0, input_bits = 8, aux = 0;
  bool input_signed = false;
  int n_classes = 0;
  std::vector<LayerGeom> layers;
  std::int64_t weight_storage_bytes = 0;
};

// Engine parameters (section `engine` of configs/<arch>.toml).
struct EngineConfig {
  std::string style = "seq";  // seq | pipe
  int pe = 8, simd = 8;
  // seq: cycles per pass to load its descriptor; pipeline stages that drain after each group
  // of pe output channels; 1-bit lanes per XNOR word (0 = no XNOR path). See docs/engines.md.
  int layer_overhead = 24, drain_cycles = 6, xnor_lanes = 0;
  // pipe: per-stage PEs/SIMD (layer name -> value), defaulting to pe/simd.
  std::map<std::string, int> stage_pe, stage_simd;
  // Buffer capacities; 0 = sized to the network. Checked against the network.
  std::int64_t act_buffer_bits = 0, weight_buffer_bits = 0;
  int line_buffer_cols = 0;
};

// Declares every engine parameter of a network (engine.*, engine.stage.<layer>.*) and reads
// them back after the config and overrides are applied, validating them against the
// network (0 PEs, a line buffer smaller than a kernel, a buffer too small for the
// network's activations or weights -> InputError naming the key).
void declare_engine_params(ParamSet& ps, const NetGeom& net);
// Their keys (docs/engines.md describes each).
namespace engine_param {
inline const ParamKey<std::string> kStyle{"engine.style"};
inline const ParamKey<std::int64_t> kPe{"engine.pe"};
inline const ParamKey<std::int64_t> kSimd{"engine.simd"};
inline const ParamKey<std::int64_t> kLayerOverhead{"engine.layer_overhead"};
inline const ParamKey<std::int64_t> kDrainCycles{"engine.drain_cycles"};
inline const ParamKey<std::int64_t> kXnorLanes{"engine.xnor_lanes"};
inline const ParamKey<std::int64_t> kActBufferBits{"engine.act_buffer_bits"};
inline const ParamKey<std::int64_t> kWeightBufferBits{"engine.weight_buffer_bits"};
inline const ParamKey<std::int64_t> kLineBufferCols{"engine.line_buffer_cols"};
// engine.stage.<layer>.pe, engine.stage.<layer>.simd (pipe).
inline const std::string kStagePrefix = "engine.stage.";
inline ParamKey<std::int64_t> stage_pe(const std::string& layer) {
  return ParamKey<std::int64_t>(kStagePrefix + layer + ".pe");
}
inline ParamKey<std::int64_t> stage_simd(const std::string& layer) {
  return ParamKey<std::int64_t>(kStagePrefix + layer + ".simd");
}
}  // namespace engine_param
EngineConfig engine_config(const ParamSet& ps, const NetGeom& net);

// Cost of one pass (seq) or stage (pipe).
struct PassCost {
  std::string layer;  // the pass layer (fused element-wise layers are listed in `fused`)
  std::string type;
  std::vector<std::string> fused;
  std::int64_t work = 0;        // seq: work cycles; pipe: cycles per output column (c_s)
  std::int64_t cycles = 0;      // seq: layer_overhead + Cout + nog * (1 + drain) + work; pipe: Lout * c_s
  std::int64_t nog = 0, nchunk = 0;  // seq: output groups, chunks per output
  std::int64_t pe = 0, simd = 0;
};

struct EngineTiming {
  std::string style;
  std::int64_t load_cycles = 0;     // input stream (L + A)
  std::int64_t latency_cycles = 0;  // start of load to result presented
  std::int64_t ii_cycles = 0;       // cycles between accepted beats, back to back
  // pipe: latency of a beat streamed back to back behind others (steady state; a beat into
  // an empty pipeline takes latency_cycles). seq: = latency_cycles.
  std::int64_t stream_latency_cycles = 0;
  std::vector<PassCost> passes;
  // Activity of one beat: counter name (as registered in the stats registry, without the
  // engine/memory prefix given by the platform) -> count. See docs/platform.md.
  std::map<std::string, std::uint64_t> activity;
  std::uint64_t macs = 0;   // multiply-accumulate equivalents (conv + dense)
  double ops = 0;           // 2 * macs + element-wise/compare/add ops
  // Largest activation tensor (bits) and weight bits the buffers must hold (seq: the weight
  // rows the engine stores, the zero lanes of grouped rows included; pipe: the network's weights).
  std::int64_t act_bits_needed = 0, weight_bits_needed = 0;
  int max_kernel = 1;
};

EngineTiming engine_timing(const NetGeom& net, const EngineConfig& cfg);
EngineTiming seq_timing(const NetGeom& net, const EngineConfig& cfg);
EngineTiming pipe_timing(const NetGeom& net, const EngineConfig& cfg);

// Arithmetic class of a layer's multiply, used in counter names: "mac.a8w4" (int),
// "xnor_popcount" (binary x binary), "addsub.a8" (binary weights, multi-bit input),
// "shift_add.a8" (pow2 weights).
std::string mac_kind(const LayerGeom& l);

}  // namespace ecg
