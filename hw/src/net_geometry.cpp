#include "ecg/hw/net_geometry.h"

#include <cstdint>

namespace ecg {

NetGeom net_geometry(const Network& net) {
  NetGeom g;
  g.arch = net.arch;
  g.input_channels = net.input_shape.c;
  g.input_length = net.input_shape.l;
  g.input_bits = net.input.bits;
  g.input_signed = net.input.is_signed;
  g.aux = net.input.aux_count();
  g.n_classes = static_cast<int>(net.classes.size());
  g.weight_storage_bytes = static_cast<std::int64_t>(net.weight_storage_bytes());
  bool prev_binary = false;
  for (const Layer& l : net.layers) {
    LayerGeom x;
    x.name = l.name;
    x.type = layer_type_name(l.type);
    x.cin = l.in.c;
    x.lin = l.in.l;
    x.cout = l.out.c;
    x.lout = l.out.l;
    if (l.type == LayerType::kDense) {  // flattened input
      x.cin = static_cast<int>(l.in.numel());
      x.lin = 1;
    }
    if (l.type == LayerType::kConv1d || l.type == LayerType::kMaxPool) {
      x.k = l.k;
      x.stride = l.stride;
      x.pad_left = l.pad_left;
      x.pad_right = l.pad_right;
      x.groups = l.type == LayerType::kConv1d ? l.groups : 1;
    }
    x.in_bits = l.in_bits;
    x.out_bits = l.out_bits;
    x.in_binary = prev_binary;
    x.out_binary = l.type == LayerType::kThreshold && l.lo == -1 && l.hi == 1;
    if (l.weight >= 0) {
      const Tensor& w = net.tensors[static_cast<std::size_t>(l.weight)];
      x.w_bits = w.bits;
      x.w_encoding = encoding_name(w.encoding);
      x.weight = w.name;
    }
    x.has_bias = l.bias >= 0;
    // Max-pooling and zero-cost layers keep the +-1 property of their input.
    prev_binary = x.out_binary || (prev_binary && (l.type == LayerType::kMaxPool ||
                                                  l.type == LayerType::kConcatAux));
    g.layers.push_back(x);
  }
  return g;
}

}  // namespace ecg
