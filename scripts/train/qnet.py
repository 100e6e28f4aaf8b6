"""Shared quantization-aware layers, export and integer simulation for the `qnet` format.

One module for all five architectures (docs/qnet-format.md is the normative semantics):

* QAT layers (`QConv`, `QDense`, `Requant`, `Threshold`, `MaxPool`, `GSum`, `ConcatAux`)
  carry every activation as a pair (x, s): `x` holds the value the hardware stores
  (integer-valued in quantized mode) and `s` a per-channel scale, so real = x * s.
  In float mode nothing is rounded (the FP reference); in quantized mode the forward pass
  reproduces the integer arithmetic (STE for the gradients).
* `QSeq.export()` turns a trained net into the model.json dict (integers only).
* `run_int()` is the integer simulation: numpy int64, executes a model.json dict layer by
  layer exactly as the format says. It produces the reported integer accuracy and the
  test vectors; nothing else is used for them.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FORMAT = "ecg_sim.qnet/1"
MULT_BITS = 15  # requant multipliers are < 2^15 (fit a 16-bit signed operand)
AUX_SCALE = 1.0 / 64  # real value of one aux LSB seen by the network (10 ms RR units / 64)


def int_range(bits, signed):
    return (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)


def ste(x, q):
    """Forward q, backward identity w.r.t. x."""
    return x + (q - x).detach()


def round_half_up(x):
    return torch.floor(x + 0.5)


def requant_params(m):
    """Float multiplier(s) -> (mult, shift) with mult < 2^MULT_BITS, shift in 0..62."""
    m = np.asarray(m, dtype=np.float64)
    mult = np.zeros(m.shape, dtype=np.int64)
    shift = np.zeros(m.shape, dtype=np.int64)
    for i, v in np.ndenumerate(m):
        if not v > 0:
            mult[i], shift[i] = 0, 0
            continue
        e = math.floor(math.log2(v))
        s = MULT_BITS - 1 - e
        s = min(max(s, 0), 62)
        q = int(round(v * (1 << s)))
        if q >= (1 << MULT_BITS) and s > 0:
            s -= 1
            q = int(round(v * (1 << s)))
        mult[i], shift[i] = min(q, (1 << 31) - 1), s
    return mult, shift


# ----------------------------------------------------------------------------------------
# Weight quantizers: W_eff [O, ...] -> (q integer-valued, scale [O]) with W_eff ~ q * scale.
# ----------------------------------------------------------------------------------------
def quant_weight(w, kind, bits, per_channel=True):
    o = w.shape[0]
    flat = w.reshape(o, -1)
    if kind == "binary":
        q = torch.where(w >= 0, torch.ones_like(w), -torch.ones_like(w))
        q = w.clamp(-1, 1) + (q - w.clamp(-1, 1)).detach()  # STE, clipped at |w| > 1
        return q, torch.ones(o, dtype=w.dtype, device=w.device)
    a = flat.detach().abs()
    if not per_channel:
        a = a.reshape(1, -1).expand(o, -1)
    if kind == "int" and bits == 2:
        # Ternary {-1, 0, +1} (TWN): threshold 0.7 * mean|w|, scale = mean of the kept |w|.
        delta = 0.7 * a.mean(1, keepdim=True)
        keep = (a > delta).float()
        scale = (a * keep).sum(1) / keep.sum(1).clamp(min=1)
        scale = torch.where(scale > 0, scale, torch.ones_like(scale))
        v = flat / scale[:, None]
        d = delta / scale[:, None]
        qv = torch.where(v > d, torch.ones_like(v), torch.where(v < -d, -torch.ones_like(v),
                                                                 torch.zeros_like(v)))
        return ste(v, qv).reshape(w.shape), scale
    if kind == "int":
        qmax = (1 << (bits - 1)) - 1
        scale = a.amax(1) / qmax
        scale = torch.where(scale > 0, scale, torch.ones_like(scale))
        v = flat / scale[:, None]
        qv = round_half_up(v).clamp(-qmax - 1, qmax)
        return ste(v, qv).reshape(w.shape), scale
    if kind == "pow2":
        emax = (1 << (bits - 1)) - 2  # exponents 0..emax (one code kept free for zero)
        scale = a.amax(1) / (1 << emax)
        scale = torch.where(scale > 0, scale, torch.ones_like(scale))
        v = flat / scale[:, None]
        mag = v.detach().abs()
        e = torch.round(torch.log2(mag.clamp(min=1e-12))).clamp(0, emax)
        qv = torch.where(mag < 0.5, torch.zeros_like(v), torch.sign(v) * torch.pow(2.0, e))
        return ste(v, qv).reshape(w.shape), scale
    raise ValueError(kind)


class QLayer(nn.Module):
    quant = False  # set by QSeq.set_quant

    def export(self, ex, x, s, aux):  # pragma: no cover - interface
        raise NotImplementedError


class QConv(QLayer):
    """conv1d (+ optional bias, + BatchNorm in float mode, folded by fold_bn())."""

    def __init__(self, cin, cout, k, stride=1, pad=(0, 0), pad_value=0, groups=1,
                 wq=("int", 8), bias=True, bn=False, name=None):
        super().__init__()
        self.cin, self.cout, self.k, self.stride, self.pad = cin, cout, k, stride, tuple(pad)
        self.pad_value, self.groups, self.wq, self.name = pad_value, groups, wq, name
        self.weight = nn.Parameter(torch.empty(cout, cin // groups, k))
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None
        self.bn = nn.BatchNorm1d(cout) if bn else None
        self.register_buffer("mask", torch.ones_like(self.weight))

    def _in_scale(self, s):
        cg = self.cin // self.groups
        idx = (torch.arange(self.cout) // (self.cout // self.groups))[:, None] * cg + torch.arange(cg)[None, :]
        return s[idx][:, :, None]  # [cout, cin/g, 1]

    def qweights(self, s):
        if bool(torch.all(s == s[0])):
            # Uniform input scale (every conv in our nets): quantize W itself and carry the
            # scalar in the acc scale, so the integer weights do not depend on the input
            # scale (a shared/recurrent conv then has one integer tensor for every use).
            w = self.weight * self.mask
            if self.wq[0] == "binary":
                q, sw = quant_weight(w, "binary", 1)
                # no weight scale; dividing by sqrt(fan-in) is pure bookkeeping that keeps
                # the real values ~unit size for the BatchNorm/threshold that follows
                return q, sw * s[0] / math.sqrt(self.weight[0].numel())
            if self.quant:
                q, sw = quant_weight(w, self.wq[0], self.wq[1])
            else:
                q, sw = w, torch.ones(self.cout)
            return q, sw * s[0]
        assert self.wq[0] != "binary"
        w_eff = self.weight * self.mask * self._in_scale(s)
        if self.wq[0] == "binary":
            q, sw = quant_weight(self.weight * self.mask, "binary", 1)
            # binary: no per-channel weight scale; the acc scale is the (common) input scale
            # over sqrt(fan-in), a pure bookkeeping choice that keeps real values ~unit size
            return q, sw * s.mean() / math.sqrt(self.weight[0].numel())
        if self.quant:
            q, sw = quant_weight(w_eff, self.wq[0], self.wq[1])
        else:
            q, sw = w_eff, torch.ones(self.cout)
        return q, sw

    def qbias(self, sw):
        if self.bias is None:
            return None
        b = self.bias / sw
        return ste(b, round_half_up(b)) if self.quant else b

    def forward(self, x, s, aux):
        q, sw = self.qweights(s)
        xp = F.pad(x, self.pad, value=float(self.pad_value)) if any(self.pad) else x
        y = F.conv1d(xp, q, None, self.stride, 0, 1, self.groups)
        b = self.qbias(sw)
        if b is not None:
            y = y + b[None, :, None]
        if self.bn is not None:
            y = self.bn(y * sw[None, :, None])
            sw = torch.ones_like(sw)
        return y, sw

    @torch.no_grad()
    def fold_bn(self, s_in_nominal=None):
        """Folds the BatchNorm (running stats) into weight/bias; valid when the float-mode
        scale of the conv output is 1 (the case after a float-mode Requant/input)."""
        if self.bn is None:
            return
        bn = self.bn
        g = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        self.weight.mul_(g[:, None, None])
        b = self.bias if self.bias is not None else torch.zeros(self.cout)
        nb = (b - bn.running_mean) * g + bn.bias
        if self.bias is None:
            self.bias = nn.Parameter(nb)
        else:
            self.bias.copy_(nb)
        self.bn = None

    def export(self, ex, x, s, aux):
        q, sw = self.qweights(s)
        wq = self.wq
        enc = {"binary": "binary", "int": "int", "pow2": "pow2"}[wq[0]]
        wname = ex.tensor(self.name + "_w", q, wq[1] if wq[0] != "binary" else 1, True, enc)
        layer = {"type": "conv1d", "weight": wname, "stride": self.stride,
                 "pad_left": self.pad[0], "pad_right": self.pad[1]}
        if self.pad_value:
            layer["pad_value"] = int(self.pad_value)
        if self.groups != 1:
            layer["groups"] = self.groups
        b = self.qbias(sw)
        if b is not None:
            layer["bias"] = ex.tensor(self.name + "_b", b, 32, True, "int")
        ex.layer(layer, 32, True)


class QDense(QLayer):
    """dense over the flattened input (c*L + t); per_channel=False gives one weight scale
    for all outputs (needed for the logits layer so the integer argmax is the real one)."""

    def __init__(self, nin, nout, wq=("int", 8), bias=True, per_channel=True, bn_in=False,
                 name=None):
        super().__init__()
        self.nin, self.nout, self.wq, self.per_channel, self.name = nin, nout, wq, per_channel, name
        self.weight = nn.Parameter(torch.empty(nout, nin))
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        self.bias = nn.Parameter(torch.zeros(nout)) if bias else None
        self.register_buffer("mask", torch.ones_like(self.weight))
        # Structural zeros (kept through pruning, which rewrites `mask`): e.g. hidden units
        # that see only the RR features (train.set_rr_branch).
        self.register_buffer("fixed_mask", torch.ones_like(self.weight))
        # Tied rows: (dst, src, n) makes row dst's first n weights the same parameters as row
        # src's (so the integer weights are equal too: a row differs from another only in
        # its last columns, e.g. S = N on the waveform features, S - N = a function of RR).
        self.tie = []

    def tied_weight(self):
        w = self.weight
        if self.tie:
            w = w.clone()
            for dst, src, n in self.tie:
                w[dst, :n] = self.weight[src, :n]
        return w * self.mask * self.fixed_mask

    def qweights(self, s):
        w_eff = self.tied_weight() * s[None, :]
        if self.quant:
            return quant_weight(w_eff, self.wq[0], self.wq[1], self.per_channel)
        return w_eff, torch.ones(self.nout)

    def qbias(self, sw):
        if self.bias is None:
            return None
        b = self.bias / sw
        return ste(b, round_half_up(b)) if self.quant else b

    def forward(self, x, s, aux):
        n, c, l = x.shape
        s_flat = s[:, None].expand(c, l).reshape(-1)
        q, sw = self.qweights(s_flat)
        y = x.reshape(n, c * l) @ q.t()
        b = self.qbias(sw)
        if b is not None:
            y = y + b[None, :]
        return y[:, :, None], sw

    def export(self, ex, x, s, aux):
        n, c, l = x.shape
        q, sw = self.qweights(s[:, None].expand(c, l).reshape(-1))
        layer = {"type": "dense",
                 "weight": ex.tensor(self.name + "_w", q, self.wq[1], True, self.wq[0])}
        b = self.qbias(sw)
        if b is not None:
            layer["bias"] = ex.tensor(self.name + "_b", b, 32, True, "int")
        ex.layer(layer, 32, True)


class Requant(QLayer):
    """requant to [lo, hi] with a learned output scale (LSQ-style gradient through the
    straight-through rounding). `scale` may be a Parameter shared by several Requants
    (QRCNN: every input of the shared conv must have the same scale). In float mode it is
    ReLU (lo == 0) or identity."""

    def __init__(self, lo, hi, scale=None):
        super().__init__()
        self.lo, self.hi = lo, hi
        self.log_s = scale if scale is not None else nn.Parameter(torch.zeros(()))
        self.observed = None

    def multipliers(self, s):
        m = (s / torch.exp(self.log_s)).detach().numpy()
        mult, shift = requant_params(m)
        return mult, shift

    def forward(self, x, s, aux):
        if not self.quant:
            y = x * s[None, :, None]
            if self.lo == 0:
                y = F.relu(y)
            if self.observed is not None:
                self.observed.append(torch.quantile(y.detach().flatten()[:200000].float(), 0.999).item())
            return y, torch.ones_like(s)
        so = torch.exp(self.log_s)
        m = s / so
        mult, shift = self.multipliers(s)
        mq = torch.tensor(mult / np.power(2.0, shift), dtype=x.dtype)
        v = x * ste(m, mq)[None, :, None]
        y = ste(v, round_half_up(v)).clamp(self.lo, self.hi)
        return y, so.expand_as(s)

    def export(self, ex, x, s, aux):
        mult, shift = self.multipliers(s)
        bits, signed = ex.range_bits(self.lo, self.hi)
        ex.layer({"type": "requant", "mult": [int(v) for v in mult],
                  "shift": [int(v) for v in shift], "lo": int(self.lo), "hi": int(self.hi)},
                 bits, signed)


class Threshold(QLayer):
    """BNN activation: sign(BN(PReLU(x))) with sign(0) = +1, trained with the STE; exported
    as per-channel integer thresholds (`threshold` layer, hi=+1, lo=-1)."""

    def __init__(self, c, prelu=True):
        super().__init__()
        self.prelu = nn.Parameter(torch.full((c,), 0.25)) if prelu else None
        self.bn = nn.BatchNorm1d(c)

    def real(self, x, s):
        v = x * s[None, :, None]
        if self.prelu is not None:
            a = self.prelu.clamp(min=0.01)
            v = torch.where(v >= 0, v, a[None, :, None] * v)
        return self.bn(v)

    def forward(self, x, s, aux):
        v = self.real(x, s)
        y = torch.where(v >= 0, torch.ones_like(v), -torch.ones_like(v))
        return ste(v.clamp(-1, 1), y), torch.ones_like(s)

    @torch.no_grad()
    def thresholds(self, s):
        bn = self.bn
        g = (bn.weight.double() / torch.sqrt(bn.running_var.double() + bn.eps)).numpy()
        tau = bn.running_mean.double().numpy() - bn.bias.double().numpy() / np.where(g == 0, 1, g)
        a = (self.prelu.clamp(min=0.01).double().numpy() if self.prelu is not None
             else np.ones(len(g)))
        s = s.double().numpy()
        t, d = [], []
        for c in range(len(g)):
            if g[c] == 0:  # constant output sign(beta)
                t.append(-(1 << 30) if bn.bias[c] >= 0 else (1 << 30))
                d.append(1)
                continue
            u = tau[c] if tau[c] >= 0 else tau[c] / a[c]  # PReLU^-1 of the BN threshold
            xv = u / s[c]
            if g[c] > 0:  # BN increasing: +1 iff x >= ceil(xv)
                t.append(int(np.clip(math.ceil(xv - 1e-9), -(1 << 30), 1 << 30)))
                d.append(1)
            else:  # decreasing: +1 iff x <= floor(xv)
                t.append(int(np.clip(math.floor(xv + 1e-9), -(1 << 30), 1 << 30)))
                d.append(-1)
        return t, d

    def export(self, ex, x, s, aux):
        t, d = self.thresholds(s)
        ex.layer({"type": "threshold", "t": t, "dir": d, "lo": -1, "hi": 1}, 2, True)


class MaxPool(QLayer):
    def __init__(self, k, stride=None, pad=(0, 0)):
        super().__init__()
        self.k, self.stride, self.pad = k, stride or k, tuple(pad)

    def forward(self, x, s, aux):
        if any(self.pad):
            x = F.pad(x, self.pad, value=-1e30)
        return F.max_pool1d(x, self.k, self.stride), s

    def export(self, ex, x, s, aux):
        ex.layer({"type": "maxpool", "k": self.k, "stride": self.stride,
                  "pad_left": self.pad[0], "pad_right": self.pad[1]}, *ex.prev)


class GSum(QLayer):
    """Global sum over time (integer); the real value is the mean (scale s / L)."""

    def forward(self, x, s, aux):
        return x.sum(-1, keepdim=True), s / x.shape[-1]

    def export(self, ex, x, s, aux):
        ex.layer({"type": "gsum"}, 32, True)


class ConcatAux(QLayer):
    def __init__(self, count):
        super().__init__()
        self.count = count
        # Training only (no effect on the exported arithmetic): the fraction of beats whose
        # waveform features are zeroed before the head ("morphology dropout"), so the head
        # must also decide from the RR features alone and cannot lean on memorised shapes.
        self.morph_drop = 0.0

    def forward(self, x, s, aux):
        n, c, l = x.shape
        if self.training and self.morph_drop > 0:
            x = x * (torch.rand(n, 1, 1) >= self.morph_drop).to(x.dtype)
        xs = torch.cat([x.reshape(n, c * l), aux.to(x.dtype)], 1)[:, :, None]
        ss = torch.cat([s[:, None].expand(c, l).reshape(-1), torch.full((self.count,), AUX_SCALE)])
        return xs, ss

    def export(self, ex, x, s, aux):
        bits, signed = ex.prev
        if signed:
            out = (max(bits, 9), True)
        else:
            out = (max(bits, 8), False)
        ex.layer({"type": "concat_aux", "count": self.count}, *out)


class QSeq(nn.Module):
    """A sequence of QLayers; a module may appear several times (weight sharing)."""

    def __init__(self, steps, in_scale):
        super().__init__()
        self.steps = steps
        uniq = []
        for m in steps:
            if not any(m is u for u in uniq):
                uniq.append(m)
        self.mods = nn.ModuleList(uniq)
        self.in_scale = in_scale

    def set_quant(self, on):
        for m in self.mods:
            m.quant = on

    def forward(self, x, aux, trace=None):
        s = torch.full((x.shape[1],), self.in_scale)
        for m in self.steps:
            x, s = m(x, s, aux)
            if trace is not None:
                trace.append((x, s))
        return x[:, :, 0] * s[None, :]  # real logits

    def fold_bn(self):
        for m in self.mods:
            if isinstance(m, QConv):
                m.fold_bn()

    @torch.no_grad()
    def export(self, x_int, aux_int, arch, classes, spec):
        """model.json dict; x_int [N,1,L] int tensor (a calibration batch, only used to
        carry shapes)."""
        self.eval()
        self.set_quant(True)
        ex = Exporter(int(spec["bits"]), bool(spec["signed"]))
        x = x_int.float()
        aux = aux_int.float()
        s = torch.full((x.shape[1],), self.in_scale)
        for m in self.steps:
            m.export(ex, x, s, aux)
            x, s = m(x, s, aux)
        return {"format": FORMAT, "arch": arch, "classes": list(classes), "input": spec,
                "tensors": ex.tensors, "layers": ex.layers}


class Exporter:
    def __init__(self, in_bits, in_signed):
        self.tensors, self.layers = {}, []
        self.prev = (in_bits, in_signed)

    @staticmethod
    def range_bits(lo, hi):
        signed = lo < 0
        bits = 1
        while True:
            rlo, rhi = int_range(bits, signed)
            if rlo <= lo and hi <= rhi:
                return bits, signed
            bits += 1

    def tensor(self, name, values, bits, signed, encoding):
        v = values.detach().double().numpy()
        iv = np.rint(v).astype(np.int64)
        assert np.all(np.abs(v - iv) < 1e-4), name
        lo, hi = int_range(bits, signed) if encoding == "int" else (-(1 << 30), 1 << 30)
        assert iv.min() >= lo and iv.max() <= hi, (name, iv.min(), iv.max(), bits)
        entry = {"shape": list(v.shape), "bits": int(bits), "signed": bool(signed),
                 "encoding": encoding, "data": [int(a) for a in iv.reshape(-1)]}
        if name in self.tensors:  # shared (recurrent) tensor: must be identical
            assert self.tensors[name] == entry, "shared tensor %s differs between uses" % name
        else:
            self.tensors[name] = entry
        return name

    def layer(self, d, out_bits, out_signed):
        d = dict(d)
        d = {"name": "l%d" % len(self.layers), **d, "out_bits": int(out_bits),
             "out_signed": bool(out_signed)}
        self.layers.append(d)
        self.prev = (out_bits, out_signed)


# ----------------------------------------------------------------------------------------
# Integer simulation of a model.json dict (numpy int64), the reference for accuracy/vectors.
# ----------------------------------------------------------------------------------------
_F64_EXACT = float(1 << 52)


def _matmul_exact(a, b):
    """Integer matmul a[..., K] @ b[K, M] in int64. Uses float64 BLAS when every partial
    sum is provably below 2^52 (then exact), else int64 numpy."""
    bound = float(np.abs(a).max(initial=0)) * float(np.abs(b).max(initial=0)) * a.shape[-1]
    if bound < _F64_EXACT:
        return np.rint(a.astype(np.float64) @ b.astype(np.float64)).astype(np.int64)
    return a.astype(np.int64) @ b.astype(np.int64)


def _check_range(name, y, bits, signed):
    lo, hi = int_range(bits, signed)
    if y.size and (y.min() < lo or y.max() > hi):
        raise OverflowError("layer %s: output outside %d-bit %s range [%d, %d]"
                            % (name, bits, "signed" if signed else "unsigned", y.min(), y.max()))


def run_layer(layer, tensors, x, aux):
    """x int64 [N, C, L] -> int64 [N, C', L']."""
    t = layer["type"]
    n, c, l = x.shape
    if t == "conv1d":
        w = np.asarray(tensors[layer["weight"]]["data"], dtype=np.int64).reshape(
            tensors[layer["weight"]]["shape"])
        cout, cg, k = w.shape
        g = layer.get("groups", 1)
        st = layer.get("stride", 1)
        pl, pr = layer.get("pad_left", 0), layer.get("pad_right", 0)
        xp = np.pad(x, ((0, 0), (0, 0), (pl, pr)), constant_values=layer.get("pad_value", 0))
        lout = (l + pl + pr - k) // st + 1
        win = np.lib.stride_tricks.sliding_window_view(xp, k, axis=2)[:, :, ::st, :][:, :, :lout, :]
        # win [N, C, Lout, K]
        og = cout // g
        ys = []
        for gi in range(g):
            wi = win[:, gi * cg:(gi + 1) * cg]  # [N, cg, Lout, K]
            a = wi.transpose(0, 2, 1, 3).reshape(n, lout, cg * k)
            b = w[gi * og:(gi + 1) * og].reshape(og, cg * k).T
            ys.append(_matmul_exact(a, b))  # [N, Lout, og]
        y = np.concatenate(ys, axis=2).transpose(0, 2, 1)
        if "bias" in layer:
            y = y + np.asarray(tensors[layer["bias"]]["data"], dtype=np.int64)[None, :, None]
        return y
    if t == "requant":
        mult = np.asarray(layer["mult"], dtype=np.int64)[None, :, None]
        shift = np.asarray(layer["shift"], dtype=np.int64)[None, :, None]
        if np.abs(x).max(initial=0) * int(mult.max(initial=0)) >= (1 << 62):
            raise OverflowError("layer %s: 64-bit product overflow" % layer["name"])
        rnd = np.where(shift > 0, np.left_shift(1, np.maximum(shift - 1, 0)), 0)
        y = (x * mult + rnd) >> shift
        return np.clip(y, layer["lo"], layer["hi"])
    if t == "threshold":
        th = np.asarray(layer["t"], dtype=np.int64)[None, :, None]
        d = np.asarray(layer["dir"], dtype=np.int64)[None, :, None]
        cond = np.where(d == 1, x >= th, x <= th)
        return np.where(cond, layer["hi"], layer["lo"]).astype(np.int64)
    if t == "maxpool":
        k, st = layer["k"], layer.get("stride", layer["k"])
        pl, pr = layer.get("pad_left", 0), layer.get("pad_right", 0)
        lo = np.iinfo(np.int64).min
        xp = np.pad(x, ((0, 0), (0, 0), (pl, pr)), constant_values=lo)
        lout = (l + pl + pr - k) // st + 1
        win = np.lib.stride_tricks.sliding_window_view(xp, k, axis=2)[:, :, ::st, :][:, :, :lout, :]
        return win.max(-1)
    if t == "gsum":
        return x.sum(-1, keepdims=True)
    if t == "dense":
        w = np.asarray(tensors[layer["weight"]]["data"], dtype=np.int64).reshape(
            tensors[layer["weight"]]["shape"])
        y = _matmul_exact(x.reshape(n, c * l), w.T)
        if "bias" in layer:
            y = y + np.asarray(tensors[layer["bias"]]["data"], dtype=np.int64)[None, :]
        return y[:, :, None]
    if t == "concat_aux":
        cnt = layer["count"]
        return np.concatenate([x.reshape(n, c * l), aux[:, :cnt].astype(np.int64)], 1)[:, :, None]
    raise ValueError("unknown layer type " + t)


def run_int(model, x, aux, keep_layers=False, chunk=4096):
    """Integer inference. x int [N, L], aux int [N, A]. Returns (logits int64 [N, classes],
    class [N] (first index of the max), per-layer outputs list (if keep_layers))."""
    x = np.asarray(x, dtype=np.int64)
    aux = np.asarray(aux, dtype=np.int64).reshape(len(x), -1)
    lo, hi = int_range(model["input"]["bits"], model["input"]["signed"])
    assert x.min() >= lo and x.max() <= hi, "input outside its format"
    logits, outs = [], []
    for i in range(0, len(x), chunk):
        h = x[i:i + chunk, None, :]
        a = aux[i:i + chunk]
        per = []
        for layer in model["layers"]:
            h = run_layer(layer, model["tensors"], h, a)
            _check_range(layer["name"], h, layer["out_bits"], layer["out_signed"])
            if keep_layers:
                per.append(h.reshape(len(h), -1))
        logits.append(h[:, :, 0])
        outs.append(per)
    logits = np.concatenate(logits, 0)
    cls = logits.argmax(1)  # numpy argmax returns the first maximal index
    layers = None
    if keep_layers:
        layers = [np.concatenate([o[j] for o in outs], 0) for j in range(len(model["layers"]))]
    return logits, cls, layers


# ----------------------------------------------------------------------------------------
# Model statistics
# ----------------------------------------------------------------------------------------
def model_stats(model):
    """storage bytes (format rule, shared tensors once), parameter count, MACs/ops per beat,
    inline per-channel constants (requant mult/shift, thresholds)."""
    storage = sum((len(t["data"]) * t["bits"] + 7) // 8 for t in model["tensors"].values())
    params = sum(len(t["data"]) for t in model["tensors"].values())
    nonzero = sum(int(np.count_nonzero(t["data"])) for t in model["tensors"].values())
    weight_params = sum(len(t["data"]) for k, t in model["tensors"].items() if k.endswith("_w"))
    inline = 0
    for layer in model["layers"]:
        if layer["type"] == "requant":
            inline += len(layer["mult"]) * (MULT_BITS + 6)
        elif layer["type"] == "threshold":
            inline += len(layer["t"]) * 17  # 16-bit threshold + direction bit
    c, l = 1, model["input"]["length"]
    macs = 0
    per_layer = []
    for layer in model["layers"]:
        t = layer["type"]
        if t == "conv1d":
            w = model["tensors"][layer["weight"]]["shape"]
            lout = (l + layer["pad_left"] + layer["pad_right"] - w[2]) // layer.get("stride", 1) + 1
            m = lout * w[0] * w[1] * w[2]
            c, l = w[0], lout
        elif t == "dense":
            w = model["tensors"][layer["weight"]]["shape"]
            m = w[0] * w[1]
            c, l = w[0], 1
        else:
            m = 0
            if t == "maxpool":
                l = (l + layer["pad_left"] + layer["pad_right"] - layer["k"]) // layer["stride"] + 1
            elif t == "gsum":
                l = 1
            elif t == "concat_aux":
                c, l = c * l + layer["count"], 1
        macs += m
        per_layer.append({"name": layer["name"], "type": t, "out": [c, l], "macs": m})
    return {"storage_bytes": storage, "inline_constant_bytes": (inline + 7) // 8,
            "params": params, "weight_params": weight_params, "nonzero_params": nonzero,
            "macs_per_inference": macs, "ops_per_inference": 2 * macs, "layers": per_layer}


def confusion(y, p, n):
    cm = np.zeros((n, n), dtype=np.int64)
    np.add.at(cm, (y, p), 1)
    return cm


def metrics(y, p, classes):
    cm = confusion(np.asarray(y), np.asarray(p), len(classes))
    out = {"n": int(cm.sum()), "accuracy": float(np.trace(cm) / max(cm.sum(), 1)),
           "confusion": cm.tolist(), "per_class": {}}
    ses = []
    for i, c in enumerate(classes):
        tp, pos, pred = cm[i, i], cm[i].sum(), cm[:, i].sum()
        se = float(tp / pos) if pos else None
        pp = float(tp / pred) if pred else None
        out["per_class"][c] = {"n": int(pos), "se": se, "ppv": pp}
        if pos:
            ses.append(se)
    out["mean_se"] = float(np.mean(ses)) if ses else 0.0
    return out
