#!/usr/bin/python3
"""ONNX (a quantized 1-D CNN) -> the project's integer network format (docs/qnet-format.md).

Run by `ecg_sim import` (sim/cmd_import.cpp); docs/byo-model.md is the walk-through.
Written in Python because Debian's python3-onnx is the ONNX reader available here (the C++
protobuf schema would need its own generated code and a copy of the operator semantics);
the quantization conventions (requant multiplier/shift, the integer simulation) are the
training scripts' own (scripts/train/qnet.py), so an imported network and a trained one
follow one rule.

Accepted forms (everything else: one line naming the node, its op type and why; exit 2):
  * QDQ: QuantizeLinear/DequantizeLinear around Conv, Gemm, MatMul(+Add), with MaxPool,
    Relu, Clip, Flatten/Reshape, Concat (signal + aux input), Identity/Dropout;
  * QOperator: QLinearConv, QLinearMatMul (with QuantizeLinear/DequantizeLinear at the ends);
  * QONNX (FINN): Quant (weights and activations), BipolarQuant (binary weights/activations).

How values map (docs/byo-model.md "Fidelity"): every activation is a qnet integer v with
real value (v - z) * s (per-tensor scale s; z is the input's zero point, 0 after a requant:
the importer stores q - zero_point); a Conv/Gemm output is an int32 accumulator with real
value acc * s_x * s_w[o]; the QuantizeLinear after it becomes a `requant` whose
(mult, shift) = scripts/train/qnet.py requant_params(s_x * s_w[o] / s_y); Relu/Clip become
its lo/hi; a MaxPool between the accumulator and that QuantizeLinear moves after the requant
(both are monotonic, so the result is identical).
"""
import argparse
import json
import math
import os
import shutil
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "train"))

import onnx  # noqa: E402  (Debian python3-onnx)
from onnx import numpy_helper  # noqa: E402

import qnet  # noqa: E402  (scripts/train/qnet.py: requant_params, int_range, run_int)

CLASSES = {"nlrav5": ["N", "L", "R", "A", "V"], "aami5": ["N", "S", "V", "F", "Q"],
           "nlrv4": ["N", "L", "R", "V"], "afib2": ["nonAF", "AF"]}  # = scripts/train/archs.py
DTYPE_RANGE = {onnx.TensorProto.UINT8: (0, 255, False), onnx.TensorProto.INT8: (-128, 127, True)}
ACC_BITS = 32


def _reduce_axes(a, ins):
    axes = a.get("axes")
    if axes is None and len(ins) > 1 and ins[1] is not None:
        axes = [int(v) for v in ins[1]]
    return None if axes is None else tuple(axes)


def _div(x, y):
    return np.floor_divide(x, y) if x.dtype.kind in "iu" and y.dtype.kind in "iu" else np.true_divide(x, y)


# Constant folding: exporters often leave the weight-scale computation (Abs, ReduceMax, Div,
# Clip ...) in the graph; on constant inputs it is evaluated here (numpy), like an ONNX
# runtime would at load time.
FOLD = {
    "Abs": lambda a, i: np.abs(i[0]),
    "Neg": lambda a, i: -i[0],
    "Add": lambda a, i: i[0] + i[1],
    "Sub": lambda a, i: i[0] - i[1],
    "Mul": lambda a, i: i[0] * i[1],
    "Div": lambda a, i: _div(i[0], i[1]),
    "Max": lambda a, i: np.maximum(i[0], i[1]),
    "Min": lambda a, i: np.minimum(i[0], i[1]),
    "Reshape": lambda a, i: i[0].reshape([d if d != 0 else i[0].shape[k] for k, d in enumerate(i[1].astype(np.int64))]),
    "ReduceMax": lambda a, i: np.max(i[0], axis=_reduce_axes(a, i), keepdims=bool(a.get("keepdims", 1))),
    "Clip": lambda a, i: np.clip(i[0], i[1] if len(i) > 1 and i[1] is not None else -np.inf,
                                 i[2] if len(i) > 2 and i[2] is not None else np.inf).astype(i[0].dtype),
    "Relu": lambda a, i: np.maximum(i[0], 0),
    "Transpose": lambda a, i: np.transpose(i[0], a.get("perm")),
    "Unsqueeze": lambda a, i: np.expand_dims(i[0], tuple(a.get("axes", i[1] if len(i) > 1 else []))),
    "Squeeze": lambda a, i: np.squeeze(i[0], tuple(a.get("axes", i[1] if len(i) > 1 else [])) or None),
    "Identity": lambda a, i: i[0],
}


class Reject(Exception):
    """One line for the user; exit 2."""


def node_err(node, why):
    return Reject("node '%s' (%s): %s" % (node.name or node.output[0], node.op_type, why))


def bits_for(lo, hi):
    """Smallest (bits, signed) holding [lo, hi]."""
    if lo >= 0:
        return max(1, int(hi).bit_length()), False
    b = max(int(-lo - 1).bit_length(), int(hi).bit_length()) + 1
    return b, True


def rne(x):
    """ONNX rounding: half to even (numpy's rint)."""
    return np.rint(x)


class Act:
    """An activation: qnet integer v in [lo, hi], real = (v - z) * s. flat: already flattened
    to [N, C*L] (a Flatten/Reshape seen). c, l: its qnet shape."""

    def __init__(self, s, z, lo, hi, c, l, flat=False, d=0, binary=False):
        self.s, self.z, self.lo, self.hi, self.c, self.l = float(s), int(z), int(lo), int(hi), c, l
        self.flat, self.d, self.binary = flat, int(d), binary  # d: ONNX code q = v + d
        self.codes = False  # True: the tensor holds ONNX codes (a QuantizeLinear output), not reals

    def as_codes(self, codes):
        y = Act(self.s, self.z, self.lo, self.hi, self.c, self.l, self.flat, self.d, self.binary)
        y.codes = codes
        if hasattr(self, "is_aux"):
            y.is_aux = self.is_aux
        return y


class Acc:
    """An accumulator (conv/dense output): real = v * s[c]; pending Relu/Clip bounds (real
    units) and MaxPools to apply after the requant."""

    def __init__(self, s, c, l, layer, flat=False, bias_lsb=None):
        self.s, self.c, self.l, self.layer, self.flat = np.asarray(s, np.float64), c, l, layer, flat
        # the exact bias in accumulator LSBs (the stored one is rounded): an exact sign threshold
        self.bias_lsb = np.zeros(c) if bias_lsb is None else np.asarray(bias_lsb, np.float64)
        self.clip_lo, self.clip_hi = -math.inf, math.inf
        self.pools = []


class QConst:
    """A quantized constant: integer codes q (zero point removed), per-channel scale, bits."""

    def __init__(self, q, s, bits=None, binary=False):
        self.q, self.s, self.bits, self.binary = np.asarray(q, np.int64), np.asarray(s, np.float64), bits, binary


class Importer:
    def __init__(self, model, spec, arch):
        self.m = model
        self.g = model.graph
        self.spec = spec
        self.arch = arch
        self.const = {t.name: numpy_helper.to_array(t) for t in self.g.initializer}
        self.val = {}
        self.layers, self.tensors = [], {}

    # -- helpers -------------------------------------------------------------------------
    def attrs(self, node):
        return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}

    def get(self, node, i, what="input"):
        if i >= len(node.input) or node.input[i] == "":
            return None
        name = node.input[i]
        if name in self.val:
            return self.val[name]
        if name in self.const:
            return self.const[name]
        raise node_err(node, "%s '%s' is not produced by a supported node" % (what, name))

    def scalar_or_vec(self, node, i):
        v = self.get(node, i)
        if not isinstance(v, np.ndarray):
            raise node_err(node, "scale/zero point must be a constant")
        return v

    def layer_name(self, base):
        base = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in base).strip("_") or "layer"
        n, k = base, 1
        names = {lay["name"] for lay in self.layers}
        while n in names:
            n, k = "%s_%d" % (base, k), k + 1
        return n

    def add_tensor(self, name, data, bits, signed=True, encoding="int"):
        data = np.asarray(data, np.int64)
        self.tensors[name] = {"shape": list(data.shape), "bits": int(bits), "signed": bool(signed),
                              "encoding": encoding, "data": [int(v) for v in data.reshape(-1)]}
        return name

    def emit(self, layer, lo, hi):
        bits, signed = bits_for(lo, hi)
        if bits > 32:
            raise Reject("layer '%s': values up to %d need more than 32 bits" % (layer["name"], max(-lo, hi)))
        layer["out_bits"], layer["out_signed"] = bits, signed
        self.layers.append(layer)
        return layer

    # -- weights -------------------------------------------------------------------------
    def weights(self, node, i, axis):
        """Integer weights + per-output scale [O] of input i (axis = output axis)."""
        w = self.get(node, i, "weight")
        if isinstance(w, np.ndarray):
            kind = "float" if w.dtype.kind == "f" else "integer"
            raise node_err(node, "weight '%s' is a plain %s tensor, not quantized (no DequantizeLinear/"
                                 "Quant before it): a float-only model has no integer network to run"
                           % (node.input[i], kind))
        if not isinstance(w, QConst):
            raise node_err(node, "weight '%s' is computed at run time (the engines need constant weights)"
                           % node.input[i])
        o = w.q.shape[axis]
        s = np.broadcast_to(w.s.reshape(-1) if w.s.size > 1 else w.s.reshape(1), (o,)).astype(np.float64)
        if w.s.size > 1 and w.s.size != o:
            raise node_err(node, "weight scale has %d values for %d outputs" % (w.s.size, o))
        return w, s

    def bias_int(self, node, i, s_acc):
        b = self.get(node, i, "bias")
        if b is None:
            return None
        if isinstance(b, QConst):
            real = b.q * b.s
        elif isinstance(b, np.ndarray):
            real = b.astype(np.float64)
        else:
            raise node_err(node, "bias is not a constant")
        return real.reshape(-1) / s_acc  # exact, in accumulator LSBs (conv/dense round it)

    def x_act(self, node, i=0):
        x = self.get(node, i)
        if isinstance(x, Acc):
            raise node_err(node, "input is an unquantized accumulator (insert QuantizeLinear/DequantizeLinear "
                                 "after the previous layer)")
        if not isinstance(x, Act) or x.codes:
            raise node_err(node, "input '%s' is not a dequantized activation (a float-only model, or "
                                 "no QuantizeLinear/DequantizeLinear on the graph input)" % node.input[i])
        return x

    # -- layers --------------------------------------------------------------------------
    def conv(self, node, x, w, s_w, b_int, attrs, qlinear_out=None):
        if w.q.ndim != 3:
            raise node_err(node, "%d-D convolution (weight shape %s); the engines run 1-D convolutions"
                           % (w.q.ndim - 2, list(w.q.shape)))
        if attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            raise node_err(node, "auto_pad is not supported (give explicit pads)")
        if any(d != 1 for d in attrs.get("dilations", [1])):
            raise node_err(node, "dilation %s is not supported" % attrs["dilations"])
        if x.flat:
            raise node_err(node, "convolution after Flatten/Reshape")
        k = w.q.shape[2]
        stride = attrs.get("strides", [1])[0]
        pads = attrs.get("pads", [0, 0])
        groups = attrs.get("group", 1)
        cout, cin_g = w.q.shape[0], w.q.shape[1]
        if cin_g * groups != x.c:
            raise node_err(node, "weight expects %d input channels, the input has %d" % (cin_g * groups, x.c))
        lout = (x.l + pads[0] + pads[1] - k) // stride + 1
        if lout < 1:
            raise node_err(node, "output length %d" % lout)
        bias = np.zeros(cout, np.int64) if b_int is None else rne(b_int).astype(np.int64)
        if x.z:  # real = (v - z) s: pad with z (real 0) and subtract z * sum(w) (exact)
            bias -= x.z * w.q.reshape(cout, -1).sum(1)
        name = self.layer_name(node.name or "conv")
        layer = {"name": name, "type": "conv1d", "weight": self.add_tensor(name + "_w", w.q, w.bits, True,
                                                                            "binary" if w.binary else "int"),
                 "stride": int(stride), "pad_left": int(pads[0]), "pad_right": int(pads[1]),
                 "pad_value": int(x.z), "groups": int(groups)}
        if b_int is not None or x.z:
            layer["bias"] = self.add_tensor(name + "_b", bias, 32)
        amax = max(abs(x.lo), abs(x.hi), abs(x.z))
        bound = int((np.abs(bias) + np.abs(w.q.reshape(cout, -1)).sum(1) * amax).max())
        self.emit(layer, -bound, bound)
        return Acc(x.s * s_w, cout, lout, layer, bias_lsb=b_int)

    def dense(self, node, x, wq, s_w, b_int, binary=False, bits=8):
        """wq [O, I] integer; x flattened (or [1, I] already)."""
        n_in = x.c * x.l  # after concat_aux: features and aux values
        if wq.shape[1] != n_in:
            raise node_err(node, "weight expects %d inputs, the input has %d" % (wq.shape[1], n_in))
        o = wq.shape[0]
        bias = np.zeros(o, np.int64) if b_int is None else rne(b_int).astype(np.int64)
        if x.z:
            bias -= x.z * wq[:, :x.c * x.l].sum(1)
        name = self.layer_name(node.name or "dense")
        layer = {"name": name, "type": "dense", "weight": self.add_tensor(name + "_w", wq, bits, True,
                                                                           "binary" if binary else "int")}
        if b_int is not None or x.z:
            layer["bias"] = self.add_tensor(name + "_b", bias, 32)
        amax = max(abs(x.lo), abs(x.hi), abs(x.z))
        bound = int((np.abs(bias) + np.abs(wq).sum(1) * amax).max())
        self.emit(layer, -bound, bound)
        return Acc(x.s * s_w, o, 1, layer, flat=True, bias_lsb=b_int)

    def requant(self, node, acc, s_y, lo, hi, binary=False):
        """acc -> Act at scale s_y, qnet range [lo, hi] (real clip bounds folded in)."""
        if acc.clip_lo > -math.inf:
            lo = max(lo, int(rne(acc.clip_lo / s_y)))
        if acc.clip_hi < math.inf:
            hi = min(hi, int(rne(acc.clip_hi / s_y)))
        if lo > hi:
            raise node_err(node, "Relu/Clip leave no representable value")
        mult, shift = qnet.requant_params(acc.s / s_y)
        name = self.layer_name((node.name or "rq") + "_rq")
        self.emit({"name": name, "type": "requant", "mult": [int(v) for v in mult],
                   "shift": [int(v) for v in shift], "lo": int(lo), "hi": int(hi)}, lo, hi)
        act = Act(s_y, 0, lo, hi, acc.c, acc.l, acc.flat)
        for p in acc.pools:
            act = self.pool(p[0], act, p[1])
        return act

    def clamp(self, node, x, lo, hi):
        """An identity requant that clamps an activation to [lo, hi] (Relu/Clip on a
        dequantized activation)."""
        lo, hi = max(lo, x.lo), min(hi, x.hi)
        if lo == x.lo and hi == x.hi:
            return x
        name = self.layer_name((node.name or "clip") + "_clamp")
        self.emit({"name": name, "type": "requant", "mult": [1] * x.c, "shift": [0] * x.c,
                   "lo": int(lo), "hi": int(hi)}, lo, hi)
        return Act(x.s, x.z, lo, hi, x.c, x.l, x.flat, x.d)

    def pool(self, node, x, attrs):
        ks = attrs.get("kernel_shape", [1])
        if len(ks) != 1:
            raise node_err(node, "%d-D pooling; the engines run 1-D pooling" % len(ks))
        if attrs.get("ceil_mode", 0):
            raise node_err(node, "ceil_mode=1 is not supported")
        if any(d != 1 for d in attrs.get("dilations", [1])):
            raise node_err(node, "dilation is not supported")
        if attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            raise node_err(node, "auto_pad is not supported (give explicit pads)")
        if x.flat:
            raise node_err(node, "pooling after Flatten/Reshape")
        k = ks[0]
        st = attrs.get("strides", [1])[0]
        pads = attrs.get("pads", [0, 0])
        lout = (x.l + pads[0] + pads[1] - k) // st + 1
        name = self.layer_name(node.name or "pool")
        self.emit({"name": name, "type": "maxpool", "k": int(k), "stride": int(st),
                   "pad_left": int(pads[0]), "pad_right": int(pads[1])}, x.lo, x.hi)
        y = Act(x.s, x.z, x.lo, x.hi, x.c, lout, False, x.d, x.binary)
        y.codes = x.codes
        return y

    def quantize(self, node, x, s, zp, qmin, qmax):
        """QuantizeLinear (or QONNX Quant) of an activation/accumulator: returns Act with
        d = zp (ONNX code = v + zp), qnet range [qmin - zp, qmax - zp]."""
        if isinstance(x, Acc):
            act = self.requant(node, x, s, qmin - zp, qmax - zp)
            act.d = zp
            return act
        if x.binary:
            raise node_err(node, "quantizing a binary activation")
        if abs(x.s - s) <= 1e-9 * s:
            if x.z == zp and x.d == zp:  # a graph-input Q/DQ pair requantized with the same parameters
                return Act(x.s, x.z, max(x.lo, qmin - x.d), min(x.hi, qmax - x.d), x.c, x.l, x.flat, x.d)
            if x.z:
                raise node_err(node, "requantizing an activation with a nonzero zero point")
            out = self.clamp(node, x, qmin - zp, qmax - zp)
            return Act(out.s, 0, out.lo, out.hi, out.c, out.l, out.flat, zp)
        if x.z:
            raise node_err(node, "rescaling an activation with a nonzero zero point")
        acc = Acc(np.full(x.c, x.s), x.c, x.l, None, x.flat)
        act = self.requant(node, acc, s, qmin - zp, qmax - zp)
        act.d = zp
        return act

    # -- graph ---------------------------------------------------------------------------
    def inputs(self):
        init = set(self.const)
        ins = [i for i in self.g.input if i.name not in init]
        if not ins:
            raise Reject("graph has no input")
        sig = ins[0]
        dims = [d.dim_value if d.HasField("dim_value") else -1 for d in sig.type.tensor_type.shape.dim]
        if len(dims) != 3:
            raise Reject("input '%s': shape %s is %s; the engines take a 1-D signal [N, 1, L]"
                         % (sig.name, dims, "2-D (an image-like input)" if len(dims) == 4
                            else "%d-dimensional" % len(dims)))
        if dims[1] != 1:
            raise Reject("input '%s': %d channels; the engines take one lead [N, 1, L]" % (sig.name, dims[1]))
        if dims[2] != self.spec["length"]:
            raise Reject("input '%s': length %d differs from the input spec's length %d"
                         % (sig.name, dims[2], self.spec["length"]))
        self.val[sig.name] = ("input", dims[2])
        if len(ins) > 1:
            aux = ins[1]
            adims = [d.dim_value for d in aux.type.tensor_type.shape.dim]
            if len(adims) != 2:
                raise Reject("input '%s': aux input must be [N, A], got %s" % (aux.name, adims))
            if self.spec.get("aux", "none") == "none":
                raise Reject("input '%s': the model takes aux values but the input spec has aux \"none\""
                             % aux.name)
            self.val[aux.name] = ("aux", adims[1])
        if len(ins) > 2:
            raise Reject("input '%s': more than two graph inputs (signal, aux)" % ins[2].name)

    def run(self):
        quant_ops = {"QuantizeLinear", "DequantizeLinear", "QLinearConv", "QLinearMatMul", "Quant", "BipolarQuant"}
        if not any(n.op_type in quant_ops for n in self.g.node):
            raise Reject("float-only model: no QuantizeLinear/DequantizeLinear, QLinearConv/QLinearMatMul or QONNX "
                         "Quant node, so no integer network to run (quantize it first: fake quantization/QAT "
                         "in PyTorch, or a static quantization tool)")
        self.inputs()
        for node in self.g.node:
            out = self.step(node)
            if out is not None:
                self.val[node.output[0]] = out
        outs = [o.name for o in self.g.output]
        if len(outs) != 1:
            raise Reject("graph has %d outputs; expected one (the logits)" % len(outs))
        y = self.val.get(outs[0])
        if isinstance(y, Acc):
            if y.pools or y.clip_lo > -math.inf or y.clip_hi < math.inf:
                raise Reject("output '%s': pooling/Relu on the logits without a QuantizeLinear" % outs[0])
            self.logit_scale = float(y.s[0])
            if np.ptp(y.s) > 1e-9 * y.s.max():
                # Per-channel scales: a requant to one common scale, so that the argmax of the
                # integers is the argmax of the real logits; the scale puts the largest possible
                # |logit| at 32767 (16-bit outputs, the finest grid that cannot saturate).
                bound = 2 ** (self.layers[-1]["out_bits"] - 1)
                self.logit_scale = float((y.s * bound).max() / 32767)
                fake = onnx.helper.make_node("Identity", [outs[0]], [outs[0] + "_common"], name="logits")
                self.requant(fake, y, self.logit_scale, -32768, 32767)
        elif isinstance(y, Act):
            self.logit_scale = y.s
        else:
            raise Reject("output '%s' is not computed from the input by supported nodes" % outs[0])
        last = self.layers[-1] if self.layers else None
        if last is None or last["type"] not in ("dense", "requant", "gsum"):
            raise Reject("output '%s': the network must end in a dense layer (logits [classes])" % outs[0])
        n_out = (self.layers[-2] if last["type"] == "requant" else last)
        classes = CLASSES[self.spec["labels"]]
        w = self.tensors.get(n_out.get("weight", ""), {"shape": [0]})
        if w["shape"][0] != len(classes):
            raise Reject("output '%s': %d logits, but input spec labels '%s' have %d classes (%s)"
                         % (outs[0], w["shape"][0], self.spec["labels"], len(classes), " ".join(classes)))
        return {"format": qnet.FORMAT, "arch": self.arch, "classes": classes, "input": self.spec,
                "tensors": self.tensors, "layers": self.layers}

    def step(self, node):
        op, a = node.op_type, self.attrs(node)
        if node.domain not in ("", "ai.onnx") and op not in ("Quant", "BipolarQuant"):
            raise node_err(node, "operator domain '%s' is not supported" % node.domain)
        if op in FOLD and node.input and all(n == "" or n in self.const for n in node.input):
            ins = [self.const[n] if n else None for n in node.input]
            try:
                self.const[node.output[0]] = np.asarray(FOLD[op](a, ins))
            except (ValueError, TypeError, IndexError) as e:
                raise node_err(node, "cannot evaluate on constants: %s" % e)
            return None
        if op in ("Identity", "Dropout"):
            return self.get(node, 0)
        if op == "Constant":
            self.const[node.output[0]] = numpy_helper.to_array(a["value"])
            return None
        if op == "Cast":
            x = self.get(node, 0)
            if isinstance(x, np.ndarray):
                self.const[node.output[0]] = x.astype(onnx.helper.tensor_dtype_to_np_dtype(a["to"]))
                return None
            raise node_err(node, "Cast of an activation is not supported")
        if op == "QuantizeLinear":
            return self.op_quantize(node, a)
        if op == "DequantizeLinear":
            return self.op_dequantize(node, a)
        if op == "Quant":
            return self.op_qonnx_quant(node, a)
        if op == "BipolarQuant":
            return self.op_bipolar(node, a)
        if op == "Conv":
            x = self.x_act(node)
            w, s_w = self.weights(node, 1, 0)
            return self.conv(node, x, w, s_w, self.bias_int(node, 2, x.s * s_w), a)
        if op == "QLinearConv":
            x = self.qlinear_in(node, 0)
            w = self.qlinear_weight(node, 3, 0)
            s_w = np.broadcast_to(self.scalar_or_vec(node, 4).astype(np.float64).reshape(-1), (w.q.shape[0],))
            b = self.get(node, 8)
            b_int = None if b is None else np.asarray(b, np.int64).reshape(-1)
            acc = self.conv(node, x, w, s_w, b_int, a)
            return self.qlinear_out(node, acc, 6, 7)
        if op in ("Gemm", "MatMul", "QLinearMatMul"):
            return self.op_dense(node, a)
        if op == "Add":
            return self.op_add(node)
        if op in ("Relu", "Clip"):
            return self.op_relu(node, a)
        if op == "MaxPool":
            if len(node.output) > 1 and node.output[1]:
                raise node_err(node, "the Indices output is not supported")
            x = self.get(node, 0)
            if isinstance(x, Acc):
                x.pools.append((node, a))  # applied after the requant (monotonic: same result)
                return x
            if not isinstance(x, Act):
                raise node_err(node, "input '%s' is not a quantized activation" % node.input[0])
            return self.pool(node, x, a)
        if op in ("Flatten", "Reshape"):
            return self.op_flatten(node, a)
        if op == "Concat":
            return self.op_concat(node, a)
        why = {"AveragePool": "average pooling has no layer (use MaxPool, or a global sum via ReduceSum)",
               "GlobalAveragePool": "global average pooling has no exact integer layer",
               "Sigmoid": "no nonlinear activation other than Relu/Clip/sign",
               "Tanh": "no nonlinear activation other than Relu/Clip/sign",
               "Softmax": "softmax does not change the class; export the logits",
               "LSTM": "recurrent layers have no equivalent", "GRU": "recurrent layers have no equivalent",
               "BatchNormalization": "fold batch norm into the convolution before export",
               "Mul": "element-wise products of activations have no layer",
               "ConvTranspose": "transposed convolution has no layer"}.get(op, "no ecg_sim layer does this")
        raise node_err(node, why)

    # -- ops -----------------------------------------------------------------------------
    def q_params(self, node, i_s, i_zp, default_dtype=onnx.TensorProto.UINT8):
        s = self.scalar_or_vec(node, i_s).astype(np.float64).reshape(-1)
        zp_v = self.get(node, i_zp) if i_zp < len(node.input) and node.input[i_zp] else None
        if zp_v is None:
            zp, dt = np.zeros(1, np.int64), default_dtype
        else:
            zp_v = np.asarray(zp_v)
            dt = {np.dtype(np.uint8): onnx.TensorProto.UINT8, np.dtype(np.int8): onnx.TensorProto.INT8}.get(zp_v.dtype)
            if dt is None:
                raise node_err(node, "zero point type %s (INT8/UINT8 only)" % zp_v.dtype)
            zp = zp_v.astype(np.int64).reshape(-1)
        return s, zp, dt

    def op_quantize(self, node, a):
        y = self.op_quantize_value(node, a)
        return y.as_codes(True) if isinstance(y, Act) else y

    def op_quantize_value(self, node, a):
        x = self.get(node, 0)
        s, zp, dt = self.q_params(node, 1, 2)
        qmin, qmax, signed = DTYPE_RANGE[dt]
        if isinstance(x, np.ndarray):  # a float weight/bias being quantized: fold
            axis = a.get("axis", 1)
            shape = [1] * x.ndim
            if s.size > 1:
                shape[axis] = -1
            q = np.clip(rne(x / s.reshape(shape)) + zp.reshape(shape if zp.size > 1 else [1] * x.ndim), qmin, qmax)
            return ("qcode", q.astype(np.int64), s, zp, axis, signed)
        if s.size != 1 or zp.size != 1:
            raise node_err(node, "per-channel quantization of an activation (per-tensor only)")
        s, zp = float(s[0]), int(zp[0])
        if not s > 0:
            raise node_err(node, "scale %g is not positive" % s)
        if isinstance(x, tuple) and x[0] == "input":
            lo, hi = qnet.int_range(self.spec["bits"], self.spec["signed"])
            if lo < qmin or hi > qmax:
                raise node_err(node, "quantizes the input to %s but the input spec is %d-bit %s"
                               % ("INT8" if signed else "UINT8", self.spec["bits"],
                                  "signed" if self.spec["signed"] else "unsigned"))
            return Act(s, zp, lo, hi, 1, x[1], d=0)
        if isinstance(x, tuple) and x[0] == "aux":
            if zp != 0 or signed:
                raise node_err(node, "aux values are UINT8 with zero point 0")
            return self.aux_act(s, x[1])
        if not isinstance(x, (Act, Acc)) or getattr(x, "codes", False):
            raise node_err(node, "input '%s' is not an activation of the network" % node.input[0])
        return self.quantize(node, x, s, zp, qmin, qmax)

    def aux_act(self, s, count):
        act = Act(s, 0, 0, 255, count, 1, flat=True)
        act.is_aux = True
        return act

    def op_dequantize(self, node, a):
        x = self.get(node, 0)
        if isinstance(x, tuple) and x[0] == "qcode":
            _, q, s, zp, axis, signed = x
            return self.qconst_from(node, q, s, zp, a.get("axis", axis))
        if isinstance(x, np.ndarray):  # an integer initializer (QOperator/ORT-style weights)
            s, zp, _ = self.q_params(node, 1, 2, onnx.TensorProto.INT8)
            if x.dtype.kind == "f":
                raise node_err(node, "dequantizes a float tensor")
            if x.dtype == np.int32:  # a bias
                return QConst(x.astype(np.int64) - zp.reshape(-1)[0], s, 32)
            return self.qconst_from(node, x.astype(np.int64), s, zp, a.get("axis", 1))
        if isinstance(x, Act) and x.codes:
            s, zp, _ = self.q_params(node, 1, 2)
            if s.size != 1 or abs(float(s[0]) - x.s) > 1e-9 * x.s or int(zp[0]) != x.z + x.d:
                raise node_err(node, "scale/zero point differ from the QuantizeLinear that produced '%s'"
                               % node.input[0])
            return x.as_codes(False)
        raise node_err(node, "input '%s' is not a quantized tensor" % node.input[0])

    def qconst_from(self, node, q, s, zp, axis):
        if np.any(zp != 0):
            raise node_err(node, "weights with a nonzero zero point (symmetric weight quantization only)")
        if s.size > 1 and axis != 0 and not (q.ndim == 2 and axis == 1):
            raise node_err(node, "per-channel weight scales on axis %d (output axis only)" % axis)
        lo, hi = int(q.min(initial=0)), int(q.max(initial=0))
        # The exporter writes INT8 codes; weights whose codes all fit a narrower width (a
        # 4-bit or 2-bit quantizer) are stored at that width.
        bits = next(b for b in (2, 4, 8, 16, 32) if lo >= -(1 << (b - 1)) and hi < (1 << (b - 1)))
        qc = QConst(q, s, bits)
        qc.axis = axis
        return qc

    def op_qonnx_quant(self, node, a):
        x = self.get(node, 0)
        s = self.scalar_or_vec(node, 1).astype(np.float64)
        zp = self.scalar_or_vec(node, 2).astype(np.float64)
        bw = int(self.scalar_or_vec(node, 3).reshape(-1)[0])
        signed, narrow = a.get("signed", 1), a.get("narrow", 0)
        mode = a.get("rounding_mode", b"ROUND")
        mode = mode.decode() if isinstance(mode, bytes) else mode
        if mode != "ROUND":
            raise node_err(node, "rounding_mode %s (ROUND only)" % mode)
        if signed:
            qmin, qmax = -(1 << (bw - 1)) + (1 if narrow else 0), (1 << (bw - 1)) - 1
        else:
            qmin, qmax = 0, (1 << bw) - 1 - (1 if narrow else 0)
        if isinstance(x, np.ndarray):  # weights
            if np.any(zp != 0):
                raise node_err(node, "weights with a nonzero zero point (symmetric weight quantization only)")
            shape = list(s.shape) if s.ndim == x.ndim else ([-1] + [1] * (x.ndim - 1) if s.size > 1 else [1] * x.ndim)
            q = np.clip(rne(x / s.reshape(shape)), qmin, qmax).astype(np.int64)
            qc = QConst(q, s.reshape(-1), bw)
            return qc
        if s.size != 1 or zp.size != 1:
            raise node_err(node, "per-channel quantization of an activation (per-tensor only)")
        s0, zp0 = float(s.reshape(-1)[0]), int(zp.reshape(-1)[0])
        if isinstance(x, tuple) and x[0] == "input":
            lo, hi = qnet.int_range(self.spec["bits"], self.spec["signed"])
            if lo < qmin - zp0 or hi > qmax - zp0:
                raise node_err(node, "input quantizer [%d, %d] does not hold the input spec's %d-bit samples"
                               % (qmin, qmax, self.spec["bits"]))
            return Act(s0, -zp0, lo, hi, 1, x[1], d=0)
        if isinstance(x, tuple) and x[0] == "aux":
            if zp0 != 0 or signed or qmax < 255:
                raise node_err(node, "aux values are UINT8 with zero point 0")
            return self.aux_act(s0, x[1])
        if not isinstance(x, (Act, Acc)) or getattr(x, "codes", False):
            raise node_err(node, "input '%s' is not an activation of the network" % node.input[0])
        act = self.quantize(node, x, s0, zp0, qmin, qmax)
        if act.d:  # QONNX Quant returns the dequantized value (q - zp) * s: v is already q - zp
            act.d = 0
        return act

    def op_bipolar(self, node, a):
        x = self.get(node, 0)
        s = self.scalar_or_vec(node, 1).astype(np.float64)
        if isinstance(x, np.ndarray):
            q = np.where(x >= 0, 1, -1).astype(np.int64)
            return QConst(q, s.reshape(-1), 1, binary=True)
        if not isinstance(x, Acc):
            raise node_err(node, "BipolarQuant of an activation must follow a Conv/Gemm (it becomes a threshold)")
        if x.pools:
            raise node_err(node, "MaxPool between the layer and BipolarQuant")
        # acc = S + round(b) with S the exact integer sum and b the bias in accumulator LSBs;
        # real >= 0 <=> S >= ceil(-b) <=> acc >= ceil(-b) + round(b): exact, no rounding left.
        t = np.ceil(-x.bias_lsb - 1e-9) + rne(x.bias_lsb)
        name = self.layer_name((node.name or "sign") + "_th")
        self.emit({"name": name, "type": "threshold", "t": [int(v) for v in t], "dir": [1] * x.c, "lo": -1, "hi": 1},
                  -1, 1)
        return Act(float(s.reshape(-1)[0]), 0, -1, 1, x.c, x.l, x.flat, binary=True)

    def qlinear_in(self, node, i):
        x = self.get(node, i)
        if not isinstance(x, Act) or not x.codes:
            raise node_err(node, "input '%s' is not a QuantizeLinear/QLinear output" % node.input[i])
        s, zp, _ = self.q_params(node, i + 1, i + 2)
        if abs(float(s[0]) - x.s) > 1e-9 * x.s or int(zp[0]) != x.z + x.d:
            raise node_err(node, "input scale/zero point differ from those of '%s'" % node.input[i])
        return x

    def qlinear_weight(self, node, i, axis):
        w = self.get(node, i, "weight")
        if not isinstance(w, np.ndarray) or w.dtype.kind not in "iu":
            raise node_err(node, "weight '%s' is not a constant integer tensor" % node.input[i])
        zp = self.get(node, i + 2)
        s = self.scalar_or_vec(node, i + 1)
        return self.qconst_from(node, w.astype(np.int64), s.astype(np.float64),
                                np.asarray(zp if zp is not None else 0, np.int64).reshape(-1), axis)

    def qlinear_out(self, node, acc, i_s, i_zp):
        s, zp, dt = self.q_params(node, i_s, i_zp)
        qmin, qmax, _ = DTYPE_RANGE[dt]
        act = self.requant(node, acc, float(s[0]), qmin - int(zp[0]), qmax - int(zp[0]))
        act.d = int(zp[0])
        return act.as_codes(True)

    def op_dense(self, node, a):
        op = node.op_type
        if op == "QLinearMatMul":
            x = self.qlinear_in(node, 0)
            w = self.qlinear_weight(node, 3, 1)
            wq, s_w = w.q.T, np.broadcast_to(w.s.reshape(-1), (w.q.shape[1],))
            x = self.flat_input(node, x)
            acc = self.dense(node, x, wq, s_w, None, False, w.bits)
            return self.qlinear_out(node, acc, 6, 7)
        x = self.flat_input(node, self.x_act(node))
        if op == "Gemm":
            if a.get("alpha", 1.0) != 1.0 or a.get("beta", 1.0) != 1.0 or a.get("transA", 0):
                raise node_err(node, "alpha/beta/transA other than 1/1/0")
            trans_b = a.get("transB", 0)
            w, s_w = self.weights(node, 1, 0 if trans_b else 1)
            wq = w.q if trans_b else w.q.T
            b = self.bias_int(node, 2, x.s * s_w)
        else:
            w, s_w = self.weights(node, 1, 1)
            if w.q.ndim != 2:
                raise node_err(node, "MatMul weight must be 2-D [in, out]")
            wq, b = w.q.T, None
        return self.dense(node, x, wq, s_w, b, w.binary, w.bits)

    def flat_input(self, node, x):
        if not x.flat and x.l != 1 and x.c != 1:
            raise node_err(node, "input is [%d, %d]: Flatten/Reshape it to [N, %d] first" % (x.c, x.l, x.c * x.l))
        return x

    def op_add(self, node):
        x, y = self.get(node, 0), self.get(node, 1)
        if isinstance(y, Acc) and not isinstance(x, Acc):
            x, y = y, x
        if isinstance(x, Acc) and isinstance(y, (np.ndarray, QConst)) and x.layer is not None:
            real = y.q * y.s if isinstance(y, QConst) else np.asarray(y, np.float64)
            if x.pools or x.clip_lo > -math.inf or x.clip_hi < math.inf:
                raise node_err(node, "bias added after Relu/Clip/MaxPool")
            b_lsb = np.broadcast_to(real.reshape(-1), (x.c,)) / x.s
            b = rne(b_lsb).astype(np.int64)
            x.bias_lsb = x.bias_lsb + b_lsb
            lay = x.layer
            if "bias" in lay:
                t = self.tensors[lay["bias"]]
                t["data"] = [int(v) + int(d) for v, d in zip(t["data"], b)]
            else:
                lay["bias"] = self.add_tensor(lay["name"] + "_b", b, 32)
            bound = (2 ** (lay["out_bits"] - 1)) + int(np.abs(b).max(initial=0))
            lay["out_bits"], lay["out_signed"] = bits_for(-bound, bound)
            return x
        raise node_err(node, "adds two activations (a residual connection); only a constant bias after "
                             "MatMul/Conv has a layer")

    def op_relu(self, node, a):
        x = self.get(node, 0)
        if node.op_type == "Relu":
            lo, hi = 0.0, math.inf
        else:
            lo_v, hi_v = self.get(node, 1), self.get(node, 2)
            lo = float(np.asarray(lo_v).reshape(-1)[0]) if lo_v is not None else a.get("min", -math.inf)
            hi = float(np.asarray(hi_v).reshape(-1)[0]) if hi_v is not None else a.get("max", math.inf)
        if isinstance(x, tuple) and x[0] == "qcode":  # Clip on codes (PyTorch's (0, 127) range)
            return (x[0], np.clip(x[1], lo, hi), *x[2:])
        if isinstance(x, Acc):
            x.clip_lo, x.clip_hi = max(x.clip_lo, lo), min(x.clip_hi, hi)
            return x
        if isinstance(x, Act) and x.codes:  # Clip on codes, e.g. PyTorch's (0, 127) activations
            vlo = -2 ** 31 if lo == -math.inf else int(math.ceil(lo)) - x.d
            vhi = 2 ** 31 if hi == math.inf else int(math.floor(hi)) - x.d
            return self.clamp(node, x, vlo, vhi).as_codes(True)
        if isinstance(x, Act):
            vlo = -2 ** 31 if lo == -math.inf else x.z + int(math.ceil(lo / x.s - 1e-9))
            vhi = 2 ** 31 if hi == math.inf else x.z + int(math.floor(hi / x.s + 1e-9))
            return self.clamp(node, x, vlo, vhi)
        raise node_err(node, "input '%s' is not an activation of the network" % node.input[0])

    def op_flatten(self, node, a):
        x = self.get(node, 0)
        if not isinstance(x, Act):
            raise node_err(node, "Flatten/Reshape of something other than a quantized activation")
        if node.op_type == "Flatten" and a.get("axis", 1) != 1:
            raise node_err(node, "axis %d (axis 1 only)" % a["axis"])
        if node.op_type == "Reshape":
            shape = self.get(node, 1)
            if not isinstance(shape, np.ndarray):
                raise node_err(node, "shape is computed at run time")
            shape = [int(v) for v in shape.reshape(-1)]
            if len(shape) != 2 or shape[1] not in (-1, x.c * x.l):
                raise node_err(node, "reshape to %s (only [N, C*L], row-major, is a flatten)" % shape)
        y = x.as_codes(x.codes)
        y.flat = True
        return y

    def op_concat(self, node, a):
        if a.get("axis", 1) not in (1, -1):
            raise node_err(node, "axis %d (features axis 1 only)" % a.get("axis"))
        parts = [self.get(node, i) for i in range(len(node.input))]
        if len(parts) != 2 or not all(isinstance(p, Act) and not p.codes for p in parts):
            raise node_err(node, "only [flattened signal features, aux input] is supported (concat_aux)")
        x, aux = parts
        if not getattr(aux, "is_aux", False) or getattr(x, "is_aux", False):
            raise node_err(node, "the second input must be the aux graph input (concat_aux)")
        if abs(x.s - aux.s) > 1e-9 * x.s:
            raise node_err(node, "features (scale %g) and aux values (scale %g) need one scale for the dense "
                                 "layer after concat_aux" % (x.s, aux.s))
        if x.z:
            raise node_err(node, "features with a nonzero zero point")
        name = self.layer_name(node.name or "concat")
        lo, hi = min(x.lo, 0), max(x.hi, 255)
        self.emit({"name": name, "type": "concat_aux", "count": int(aux.c)}, lo, hi)
        return Act(x.s, 0, lo, hi, x.c * x.l + aux.c, 1, True, 0)  # [C*L + count][1]


def load_spec(args, model):
    meta = {p.key: p.value for p in model.metadata_props}
    if args.input_spec:
        try:
            with open(args.input_spec) as f:
                return json.load(f)
        except (OSError, ValueError) as e:
            raise Reject("--input-spec %s: %s" % (args.input_spec, e))
    if "ecg_sim.input" in meta:
        try:
            return json.loads(meta["ecg_sim.input"])
        except ValueError as e:
            raise Reject("metadata ecg_sim.input is not JSON: %s" % e)
    dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    return {"task": "beat", "labels": "aami5", "lead": "MLII", "baseline": "median", "pre": 90, "post": 110,
            "length": dims[-1] if dims else 0, "norm": "minmax", "zscore_scale": 32, "fixed_gain": 64,
            "bits": 8, "signed": False, "aux": "none"}


def convert(args):
    try:
        model = onnx.load(args.model)
    except Exception as e:  # noqa: BLE001 (protobuf raises several types)
        raise Reject("not an ONNX model (%s)" % (str(e).splitlines()[0] if str(e) else type(e).__name__))
    spec = load_spec(args, model)
    for k in ("labels", "length", "bits", "signed"):
        if k not in spec:
            raise Reject("input spec: missing '%s'" % k)
    if spec["labels"] not in CLASSES:
        raise Reject("input spec: labels '%s' (one of %s)" % (spec["labels"], ", ".join(CLASSES)))
    imp = Importer(model, spec, args.arch)
    net = imp.run()
    return model, net, imp.logit_scale


def write_dir(out, net, manifest):
    """All files into OUT.tmp, then one rename: no half-written output."""
    tmp = out.rstrip("/") + ".tmp%d" % os.getpid()
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    import train  # scripts/train/train.py: the committed networks' layout (one line per tensor/layer)
    train.dump_compact(net, os.path.join(tmp, "model.json"))
    with open(os.path.join(tmp, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    return tmp


def main(argv=None):
    ap = argparse.ArgumentParser(description="ONNX quantized 1-D CNN -> qnet model.json")
    ap.add_argument("model")
    ap.add_argument("--out", required=True, help="output folder (weights/NAME)")
    ap.add_argument("--input-spec", help="input spec JSON (docs/qnet-format.md); default: the model's "
                                         "metadata 'ecg_sim.input', else a 128-sample aami5 beat")
    ap.add_argument("--arch", default="byo8", help="hardware target written as model.json 'arch'")
    ap.add_argument("--staging", action="store_true", help="write OUT.tmpPID and print its path (ecg_sim import)")
    args = ap.parse_args(argv)
    try:
        if not os.path.isfile(args.model):
            raise Reject("%s: no such file" % args.model)
        model, net, logit_scale = convert(args)
        manifest = {"source": os.path.basename(args.model), "importer": "scripts/onnx/onnx2qnet.py",
                    "onnx_opset": [{"domain": o.domain, "version": o.version} for o in model.opset_import],
                    "producer": "%s %s" % (model.producer_name, model.producer_version),
                    "logit_scale": logit_scale,  # real value of one logit LSB
                    "storage_bytes": int(sum((len(t["data"]) * t["bits"] + 7) // 8 for t in net["tensors"].values())),
                    "layers": [lay["name"] + ":" + lay["type"] for lay in net["layers"]]}
        tmp = write_dir(args.out, net, manifest)
        if args.staging:
            print(tmp)
        else:
            shutil.rmtree(args.out, ignore_errors=True)
            os.rename(tmp, args.out)
    except Reject as e:
        print("%s: %s" % (args.model, e), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
