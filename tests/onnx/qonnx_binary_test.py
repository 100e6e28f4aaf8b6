#!/usr/bin/python3
"""QONNX BipolarQuant (binary weights and a sign activation) and Quant through `ecg_sim import`,
against a numpy evaluation of the QONNX operator definitions:

  qonnx_binary_test.py ECG_SIM WORKDIR

The network: Quant(UINT8 input) -> Conv(BipolarQuant weights) -> BipolarQuant (sign) ->
Flatten -> Gemm(Quant INT8 weights). The imported network must store the conv weights as
`binary` and the sign as a `threshold`; its classes must match the float evaluation on at
least 99 % of random inputs and its logits lie within 2 LSB of it."""
import os
import sys

import numpy as np
from onnx import helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts", "train"))
import qnet  # noqa: E402
import onnx_case  # noqa: E402

L, C, K, CLS = 32, 8, 5, 5
X_S = 1 / 128
rng = np.random.default_rng(5)
W1 = rng.normal(0, 1, (C, 1, K)).astype(np.float32)
W1_S = np.float32(0.05)
B1 = rng.normal(0, 0.2, C).astype(np.float32)
A_S = np.float32(0.5)  # the sign activation's scale
W2 = rng.normal(0, 0.05, (CLS, C * L)).astype(np.float32)
W2_S = np.float32(0.001)
B2 = rng.normal(0, 0.05, CLS).astype(np.float32)
QONNX = "qonnx.custom_op.general"


def build():
    t = numpy_helper.from_array
    f32 = lambda v: np.array(v, np.float32)  # noqa: E731
    inits = [t(f32(X_S), "x_s"), t(f32(0), "zero"), t(f32(8), "b8"), t(W1, "w1"), t(f32(W1_S), "w1_s"), t(B1, "b1"),
             t(f32(A_S), "a_s"), t(W2, "w2"), t(f32(W2_S), "w2_s"), t(B2, "b2")]
    nodes = [
        helper.make_node("Quant", ["x", "x_s", "zero", "b8"], ["xq"], name="qin", domain=QONNX, signed=0, narrow=0,
                         rounding_mode="ROUND"),
        helper.make_node("BipolarQuant", ["w1", "w1_s"], ["w1q"], name="w1_bin", domain=QONNX),
        helper.make_node("Conv", ["xq", "w1q", "b1"], ["c1"], name="conv1", pads=[2, 2]),
        helper.make_node("BipolarQuant", ["c1", "a_s"], ["a1"], name="sign1", domain=QONNX),
        helper.make_node("Flatten", ["a1"], ["f"], name="flat", axis=1),
        helper.make_node("Quant", ["w2", "w2_s", "zero", "b8"], ["w2q"], name="w2_q", domain=QONNX, signed=1,
                         narrow=1, rounding_mode="ROUND"),
        helper.make_node("Gemm", ["f", "w2q", "b2"], ["logits"], name="fc", transB=1),
    ]
    return onnx_case.finish_model(nodes, inits, L, [("", 13), (QONNX, 1)], "qonnx_bin")


def reference(xq):
    """QONNX semantics in float64: Quant = clip(round(x/s + zp)) ... dequantized; BipolarQuant
    = (x >= 0 ? +1 : -1) * scale."""
    x = xq.astype(np.float64) * X_S
    w1 = np.where(W1 >= 0, 1.0, -1.0) * W1_S
    xp = np.pad(x[:, None, :], ((0, 0), (0, 0), (2, 2)))
    c1 = np.zeros((len(x), C, L))
    for k in range(K):
        c1 += xp[:, :, k:k + L] * w1[None, :, 0, k, None]
    c1 += B1[None, :, None]
    a1 = np.where(c1 >= 0, 1.0, -1.0) * A_S
    w2 = np.clip(np.rint(W2 / W2_S), -127, 127) * W2_S
    return a1.reshape(len(x), -1) @ w2.T.astype(np.float64) + B2


def main():
    exe, work = sys.argv[1], sys.argv[2]
    net, manifest = onnx_case.import_model(exe, work, "qonnx_bin", build())
    scale = manifest["logit_scale"]
    types = [lay["type"] for lay in net["layers"]]
    assert types[:2] == ["conv1d", "threshold"], types
    assert net["tensors"][net["layers"][0]["weight"]]["encoding"] == "binary"
    xq = rng.integers(0, 256, (2000, L))
    ref = reference(xq)
    got, cls, _ = qnet.run_int(net, xq, np.zeros((len(xq), 0)))
    diff = np.abs(ref / scale - got)
    agree = float((cls == ref.argmax(1)).mean())
    print("qonnx binary: %d inputs, layers %s, logits |diff| max %.2f LSB, class agreement %.2f %%"
          % (len(xq), " ".join(types), diff.max(), 100 * agree))
    if diff.max() > 2 or agree < 0.99:
        print("FAIL")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
