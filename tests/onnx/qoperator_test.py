#!/usr/bin/python3
"""The QOperator form (QLinearConv, QLinearMatMul, MaxPool and Flatten on UINT8 codes, a
nonzero input zero point) through `ecg_sim import`, against a numpy evaluation of the ONNX
operator definitions (round half to even in float):

  qoperator_test.py ECG_SIM WORKDIR

The imported network's integers (scripts/train/qnet.py run_int, the format's semantics) must
equal the ONNX output codes minus their zero point within 1 LSB on every output, and give the
same class on at least 99 % of the inputs; the first layer's conv weights and biases must be
the ONNX ones (zero-point correction included)."""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts", "train"))
import qnet  # noqa: E402
import onnx_case  # noqa: E402

L, C1, C2, K, CLS = 64, 6, 8, 5, 5
X_S, X_ZP = 1 / 100, 20  # the input's scale and (nonzero) zero point
rng = np.random.default_rng(3)
W1 = rng.integers(-127, 128, (C1, 1, K)).astype(np.int8)
W1_S = rng.uniform(0.002, 0.004, C1).astype(np.float32)  # per channel
B1 = rng.integers(-3000, 3000, C1).astype(np.int32)
Y1_S, Y1_ZP = np.float32(0.05), 0
W2 = rng.integers(-127, 128, (C2, C1, K)).astype(np.int8)
W2_S = np.float32(0.003)
B2 = rng.integers(-2000, 2000, C2).astype(np.int32)
Y2_S, Y2_ZP = np.float32(0.08), 0
L2 = L // 2
W3 = rng.integers(-127, 128, (C2 * L2, CLS)).astype(np.int8)  # MatMul [in, out]
W3_S = np.float32(0.002)
Y3_S, Y3_ZP = np.float32(0.1), 128


def build():
    t = numpy_helper.from_array
    inits = [t(np.array(X_S, np.float32), "x_s"), helper.make_tensor("x_zp", TensorProto.UINT8, [], [X_ZP]),
             t(W1, "w1"), t(W1_S, "w1_s"), helper.make_tensor("w1_zp", TensorProto.INT8, [C1], [0] * C1), t(B1, "b1"),
             t(np.array(Y1_S), "y1_s"), helper.make_tensor("y1_zp", TensorProto.UINT8, [], [Y1_ZP]),
             t(W2, "w2"), t(np.array(W2_S), "w2_s"), helper.make_tensor("w2_zp", TensorProto.INT8, [], [0]), t(B2, "b2"),
             t(np.array(Y2_S), "y2_s"), helper.make_tensor("y2_zp", TensorProto.UINT8, [], [Y2_ZP]),
             t(W3, "w3"), t(np.array(W3_S), "w3_s"), helper.make_tensor("w3_zp", TensorProto.INT8, [], [0]),
             t(np.array(Y3_S), "y3_s"), helper.make_tensor("y3_zp", TensorProto.UINT8, [], [Y3_ZP])]
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "x_s", "x_zp"], ["xq"], name="qin"),
        helper.make_node("QLinearConv", ["xq", "x_s", "x_zp", "w1", "w1_s", "w1_zp", "y1_s", "y1_zp", "b1"], ["c1"],
                         name="conv1", pads=[2, 2]),
        helper.make_node("MaxPool", ["c1"], ["p1"], name="pool1", kernel_shape=[2], strides=[2]),
        helper.make_node("QLinearConv", ["p1", "y1_s", "y1_zp", "w2", "w2_s", "w2_zp", "y2_s", "y2_zp", "b2"], ["c2"],
                         name="conv2", pads=[2, 2]),
        helper.make_node("Flatten", ["c2"], ["f"], name="flat", axis=1),
        helper.make_node("QLinearMatMul", ["f", "y2_s", "y2_zp", "w3", "w3_s", "w3_zp", "y3_s", "y3_zp"], ["mq"],
                         name="fc"),
        helper.make_node("DequantizeLinear", ["mq", "y3_s", "y3_zp"], ["logits"], name="dq_out"),
    ]
    return onnx_case.finish_model(nodes, inits, L, [("", 13)], "qop")


def sat_u8(v):
    return np.clip(v, 0, 255)


def qconv(xq, xzp, xs, w, ws, b, ys, yzp, pad):
    """ONNX QLinearConv, 1-D: float requantization, round half to even."""
    x = np.pad(xq.astype(np.int64) - xzp, ((0, 0), (0, 0), (pad, pad)))  # padding is the zero point
    n, c, l = x.shape
    o, _, k = w.shape
    acc = np.zeros((n, o, l - k + 1), np.int64)
    for kk in range(k):
        acc += np.einsum("ncl,oc->nol", x[:, :, kk:kk + l - k + 1], w[:, :, kk].astype(np.int64))
    acc += b.astype(np.int64)[None, :, None]
    scale = (np.float64(xs) * np.asarray(ws, np.float64).reshape(-1) / np.float64(ys))
    return sat_u8(np.rint(acc * scale.reshape(1, -1, 1)) + yzp)


def reference(xq):
    c1 = qconv(xq[:, None, :], X_ZP, X_S, W1, W1_S, B1, Y1_S, Y1_ZP, 2)
    p1 = c1.reshape(len(xq), C1, L // 2, 2).max(-1)
    c2 = qconv(p1, Y1_ZP, Y1_S, W2, [W2_S] * C2, B2, Y2_S, Y2_ZP, 2)
    f = c2.reshape(len(xq), -1).astype(np.int64) - Y2_ZP
    acc = f @ W3.astype(np.int64)
    return sat_u8(np.rint(acc * (np.float64(Y2_S) * np.float64(W3_S) / np.float64(Y3_S))) + Y3_ZP)


def main():
    exe, work = sys.argv[1], sys.argv[2]
    net, manifest = onnx_case.import_model(exe, work, "qop", build())
    conv = net["layers"][0]
    assert conv["type"] == "conv1d" and conv["pad_value"] == X_ZP, conv
    w = np.array(net["tensors"][conv["weight"]]["data"]).reshape(W1.shape)
    b = np.array(net["tensors"][conv["bias"]]["data"])
    assert (w == W1).all(), "conv1 weights differ"
    assert (b == B1 - X_ZP * W1.astype(np.int64).reshape(C1, -1).sum(1)).all(), "conv1 bias (zero-point correction)"
    xq = rng.integers(0, 256, (2000, L))
    ref = reference(xq) - Y3_ZP
    got, cls, _ = qnet.run_int(net, xq, np.zeros((len(xq), 0)))
    diff = np.abs(got - ref)
    agree = float((cls == ref.argmax(1)).mean())
    print("qoperator: %d inputs, outputs |diff| max %d, %.2f %% exact, class agreement %.2f %%"
          % (len(xq), diff.max(), 100 * (diff == 0).mean(), 100 * agree))
    if diff.max() > 1 or agree < 0.99:
        print("FAIL")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
