#pragma once
// The exported integer network (`qnet`, docs/qnet-format.md) loaded and validated into
// plain C++ structures that every execution mode shares: the golden interpreter, the
// SystemC engines and the RTL drivers read shapes, tensors and per-layer costs from here.
// Pure C++, no SystemC.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ecg/beats.h"

namespace ecg {

enum class Encoding { kInt, kBinary, kPow2 };
const char* encoding_name(Encoding e);  // "int" | "binary" | "pow2"

// One named constant tensor of model.json "tensors".
struct Tensor {
  std::string name;
  std::vector<int> shape;
  int bits = 32;
  bool is_signed = true;
  Encoding encoding = Encoding::kInt;
  // The values, row-major: integers for `int`, -1/+1 for `binary`, 0 or +-2^e for `pow2`.
  std::vector<std::int32_t> data;

  std::size_t numel() const { return data.size(); }
  // ceil(numel * bits / 8), the format's storage rule.
  std::uint64_t storage_bytes() const;
};

enum class LayerType { kConv1d, kRequant, kThreshold, kMaxPool, kGSum, kDense, kConcatAux };
const char* layer_type_name(LayerType t);  // the model.json spelling, e.g. "conv1d"

// Activation shape: channels x time. Dense/gsum/concat_aux outputs have l == 1.
struct Shape {
  int c = 0;
  int l = 0;
  long numel() const { return static_cast<long>(c) * l; }
};

// Inclusive integer range of a `bits`-wide (un)signed value.
struct Range {
  std::int64_t lo = 0;
  std::int64_t hi = 0;
  bool contains(std::int64_t v) const { return v >= lo && v <= hi; }
};
Range int_range(int bits, bool is_signed);

struct Layer {
  std::string name;
  LayerType type = LayerType::kConv1d;
  Shape in, out;                       // computed while loading
  int in_bits = 32, out_bits = 32;     // in_* = the previous layer's out_* (or the input spec)
  bool in_signed = true, out_signed = true;

  // conv1d / dense: indices into Network::tensors (bias -1 when absent).
  int weight = -1;
  int bias = -1;
  // conv1d / maxpool geometry. `k` is the conv kernel (weight.shape[2]) or the pool window.
  int k = 0, stride = 1, pad_left = 0, pad_right = 0, groups = 1;
  std::int32_t pad_value = 0;  // conv1d only; maxpool ignores padded positions

  // requant: per-channel mult/shift; threshold: per-channel t/dir. Always `in.c` long
  // (a scalar or a tensor reference in model.json is expanded while loading).
  std::vector<std::int32_t> mult;
  std::vector<int> shift;
  std::vector<std::int32_t> t;
  std::vector<int> dir;
  std::int32_t lo = 0, hi = 0;  // requant clamp / threshold outputs

  int count = 0;  // concat_aux: number of aux values appended

  // Work per beat (see docs/golden.md "Operation counts"):
  std::uint64_t macs = 0;  // multiply-accumulates (conv1d, dense)
  std::uint64_t ops = 0;   // arithmetic operations, 2 per MAC
  int weight_bits = 0;     // bits of the weight tensor, 0 for layers without weights
  Encoding weight_encoding = Encoding::kInt;
};

struct Network {
  std::string origin;  // the model.json path, for messages
  std::string arch;
  std::vector<std::string> classes;
  InputSpec input;
  Shape input_shape;   // {1, input.length}
  std::vector<Tensor> tensors;
  std::vector<Layer> layers;
  Shape output;        // {classes.size(), 1}

  int tensor_index(const std::string& name) const;  // -1 if absent
  // Sum over tensors of ceil(numel*bits/8); a tensor shared by several layers counts once.
  std::uint64_t weight_storage_bytes() const;
  std::uint64_t macs_per_beat() const;
  std::uint64_t ops_per_beat() const;
  std::size_t max_activation() const;  // largest C*L over the input and all layer outputs
};

// Parses and validates a model.json text. Any structural problem (missing key, wrong type
// or shape, value outside its bits/encoding, unknown layer type, shape mismatch) throws
// InputError with one line: "<origin>: <key path>: <problem>".
Network parse_network(const std::string& json_text, const std::string& origin);
// Reads a model.json file (missing/unreadable file -> InputError naming it).
Network load_network(const std::string& model_json_path);

// --weights DIR, else $ECG_SIM_WEIGHTS, else ./weights, else the source tree's weights/.
// Throws InputError naming the flag when an explicit DIR does not exist.
std::string resolve_weights_dir(const std::string& cli_value);
// <weights_dir>/<arch>/model.json
std::string model_path(const std::string& weights_dir, const std::string& arch);
// The model of `arch` for a task (--task, docs/training.md "Tasks"): "aami" (the default) =
// <weights_dir>/aami/<arch>/model.json when it exists, else <weights_dir>/<arch>/model.json (an
// arch with one model: logq, byo8, qrcnn_conv, or a --weights folder of your own); "paper" =
// <weights_dir>/<arch>/model.json (each paper's own class set). Another task: InputError naming --task.
std::string task_model_path(const std::string& weights_dir, const std::string& arch, const std::string& task);

}  // namespace ecg
