#!/usr/bin/python3
"""Writes the ONNX models that `ecg_sim import` must refuse (tests/onnx/byo_test.sh):
unsupported.onnx (a Sigmoid in a quantized 1-D CNN), float_only.onnx (no quantization at
all) and input_2d.onnx (a quantized Conv2d on [N, 1, 12, 128]). Built with onnx.helper."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def qdq(name, x, scale, zp_type=TensorProto.UINT8, nodes=None, inits=None):
    inits += [numpy_helper.from_array(np.array(scale, np.float32), name + "_s"),
              helper.make_tensor(name + "_z", zp_type, [], [0])]
    nodes += [helper.make_node("QuantizeLinear", [x, name + "_s", name + "_z"], [name + "_q"], name=name + "_q"),
              helper.make_node("DequantizeLinear", [name + "_q", name + "_s", name + "_z"], [name + "_dq"],
                               name=name + "_dq")]
    return name + "_dq"


def weight(name, w, scale, quantized, nodes, inits):
    """A weight: DequantizeLinear of INT8 codes (quantized), else a float initializer."""
    if not quantized:
        inits.append(numpy_helper.from_array(w, name))
        return
    inits += [numpy_helper.from_array(np.clip(np.rint(w / scale), -127, 127).astype(np.int8), name + "_q"),
              numpy_helper.from_array(np.array(scale, np.float32), name + "_s"),
              helper.make_tensor(name + "_z", TensorProto.INT8, [], [0])]
    nodes.append(helper.make_node("DequantizeLinear", [name + "_q", name + "_s", name + "_z"], [name],
                                  name=name + "_dq"))


def model(in_shape, quantized, extra_op=None, channels=4):
    rng = np.random.default_rng(0)
    nodes, inits = [], []
    x = "x"
    k_shape = [channels, 1] + ([3, 3] if len(in_shape) == 4 else [5])
    w = rng.normal(0, 0.3, k_shape).astype(np.float32)
    if quantized:
        x = qdq("in", x, 1 / 128, nodes=nodes, inits=inits)
    weight("w", w, 0.01, quantized, nodes, inits)
    pads = [1, 1, 1, 1] if len(in_shape) == 4 else [2, 2]
    nodes.append(helper.make_node("Conv", [x, "w"], ["c"], name="conv0", pads=pads))
    y = "c"
    if extra_op:
        nodes.append(helper.make_node(extra_op, [y], ["e"], name="act0"))
        y = "e"
    else:
        nodes.append(helper.make_node("Relu", [y], ["r"], name="relu0"))
        y = "r"
    if quantized:
        y = qdq("a0", y, 0.05, nodes=nodes, inits=inits)
    nodes.append(helper.make_node("Flatten", [y], ["f"], name="flat", axis=1))
    n_flat = channels * int(np.prod(in_shape[2:]))
    fc_w = rng.normal(0, 0.1, [5, n_flat]).astype(np.float32)
    weight("fc_w", fc_w, 0.002, quantized, nodes, inits)
    nodes.append(helper.make_node("Gemm", ["f", "fc_w"], ["logits"], name="fc", transB=1))
    g = helper.make_graph(nodes, "bad", [helper.make_tensor_value_info("x", TensorProto.FLOAT, in_shape)],
                          [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 5])], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    onnx.save(model([1, 1, 128], True, "Sigmoid"), os.path.join(out, "unsupported.onnx"))
    onnx.save(model([1, 1, 128], False), os.path.join(out, "float_only.onnx"))
    onnx.save(model([1, 1, 12, 128], True), os.path.join(out, "input_2d.onnx"))
    # Valid, but its first layer's output (96 channels x 128 samples) overflows seq_byo8's
    # activation buffer B: golden/tlm run it, rtl/cosim refuse it naming the buffer.
    onnx.save(model([1, 1, 128], True, channels=96), os.path.join(out, "too_big.onnx"))


if __name__ == "__main__":
    main()
