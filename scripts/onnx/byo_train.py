#!/usr/bin/python3
"""Bring-your-own-model example (docs/byo-model.md): a tiny 1-D CNN trained in PyTorch with
fake quantization on real MIT-BIH beats, exported to ONNX the way PyTorch tooling does it.

  --kind int8   INT8 weights (per-channel), UINT8 activations; ONNX QuantizeLinear/
                DequantizeLinear around Conv/Gemm, MaxPool, Relu, Flatten (QDQ form).
  --kind int4q  INT4 conv weights, the RR aux features concatenated before the dense layer;
                exported as QDQ, then rewritten into QONNX Quant nodes (bitwidth 4 for the
                conv weights, 8 for the rest) as FINN/Brevitas write them.

Writes OUT (.onnx) and OUT with .pt (the PyTorch model: kind, state, scales) for
scripts/onnx/byo_agree.py. Beats come from `ecg_sim export-beats` (the simulator's own
preprocessing, scripts/train/data.py); training runs on one thread, nice it.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "train"))
import data  # noqa: E402  (scripts/train/data.py: DS1/DS2, load_dir)

LENGTH = 128
IN_SCALE = 1.0 / 128  # real value of one input LSB (UINT8 minmax samples)
AUX_SCALE = 1.0 / 64  # real value of one aux LSB (scripts/train/qnet.py); int4q's features share it


def beat_spec(aux):
    return {"task": "beat", "labels": "nlrav5", "lead": "MLII", "baseline": "median", "pre": 90,
            "post": 110, "length": LENGTH, "norm": "minmax", "zscore_scale": 32, "fixed_gain": 64,
            "bits": 8, "signed": False, "aux": "rr4" if aux else "none"}


def export_beats(ecg_sim, spec, records, data_dir, cache):
    """`ecg_sim export-beats` into CACHE/<hash> once; returns scripts/train/data.py Beats."""
    import hashlib
    key = hashlib.sha1((json.dumps(spec, sort_keys=True) + "|" + records).encode()).hexdigest()[:16]
    out = os.path.join(cache, key)
    if not os.path.exists(os.path.join(out, "done")):
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "spec.json"), "w") as f:
            json.dump(spec, f)
        cmd = [ecg_sim, "export-beats", "--spec", os.path.join(out, "spec.json"), "--records", records,
               "--out", out, "-j", "1"] + (["--data", data_dir] if data_dir else [])
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        open(os.path.join(out, "done"), "w").close()
    return data.load_dir(out)


class ActQ(nn.Module):
    """UINT8 activation fake quantization, per tensor, zero point 0 (after ReLU); the scale is
    set by calibrate() and then fixed. Disabled (identity) until then."""

    def __init__(self, fixed=0.0):
        super().__init__()
        self.register_buffer("scale", torch.tensor(float(fixed)))
        self.fixed = fixed > 0  # not calibrated (the input; int4q's concat scale)
        self.observe = False
        self.seen = []

    def forward(self, x):
        if self.observe:
            self.seen.append(x.detach().flatten())
        if float(self.scale) <= 0:
            return x
        return torch.fake_quantize_per_tensor_affine(x, self.scale, torch.tensor(0, dtype=torch.int32), 0, 255)


def wq(w, bits, frozen=False):
    """Symmetric per-output-channel fake quantization of weights to `bits` (codes within
    +-(2^(bits-1)-1), exported as INT8 codes: the exporter knows INT8 only). frozen: the
    scale as a constant (for export: the graph then holds no scale computation)."""
    lim = (1 << (bits - 1)) - 1
    s = (w.detach().abs().reshape(w.shape[0], -1).amax(1) / lim).clamp_min(1e-8)
    if frozen:
        s = torch.tensor(s.numpy())
    return torch.fake_quantize_per_channel_affine(w, s, torch.zeros_like(s, dtype=torch.int32), 0, -128, 127)


class Tiny(nn.Module):
    def __init__(self, kind):
        super().__init__()
        self.kind = kind
        self.aux = kind == "int4q"
        self.wbits = 4 if kind == "int4q" else 8
        self.frozen = False  # export: weight scales as constants
        self.qin = ActQ(IN_SCALE)  # the input is exactly on the grid
        if self.aux:
            self.c1, self.c2 = nn.Conv1d(1, 8, 7, padding=3), nn.Conv1d(8, 8, 5, padding=2)
            # concat_aux needs one scale for features and aux values: the features take the aux's
            self.q = nn.ModuleList([ActQ(), ActQ(AUX_SCALE)])
            self.fc = nn.Linear(8 * 8 + 4, 5)
        else:
            self.c1, self.c2 = nn.Conv1d(1, 8, 7, padding=3), nn.Conv1d(8, 16, 5, padding=2)
            self.c3 = nn.Conv1d(16, 16, 5, padding=2, stride=2)
            self.q = nn.ModuleList([ActQ(), ActQ(), ActQ()])
            self.fc = nn.Linear(16 * 8, 5)

    def conv(self, c, x):
        return F.conv1d(x, wq(c.weight, self.wbits, self.frozen), c.bias, c.stride, c.padding)

    def forward(self, x, aux=None):
        x = self.qin(x)
        if self.aux:
            x = self.q[0](F.max_pool1d(F.relu(self.conv(self.c1, x)), 4))  # pool, then quantize
            x = F.max_pool1d(self.q[1](F.relu(self.conv(self.c2, x))), 4)  # quantize, then pool
            x = torch.cat([torch.flatten(x, 1), self.q[1](aux)], 1)  # aux on the features' scale
        else:
            x = self.q[0](F.max_pool1d(F.relu(self.conv(self.c1, x)), 2))
            x = F.max_pool1d(self.q[1](F.relu(self.conv(self.c2, x))), 2)
            x = F.max_pool1d(self.q[2](F.relu(self.conv(self.c3, x))), 2)
            x = torch.flatten(x, 1)
        return F.linear(x, wq(self.fc.weight, 8, self.frozen), self.fc.bias)


def calibrate(model, x, a):
    """Activation scales: the 99.99th percentile maps to 255 (float statistics)."""
    qs = [q for q in model.q if not q.fixed]
    for q in qs:
        q.observe, q.seen = True, []
    with torch.no_grad():
        model(x, a)
    for q in qs:
        v = torch.cat(q.seen).numpy()
        q.scale.fill_(float(max(np.percentile(v, 99.99), 1e-3) / 255))
        q.observe, q.seen = False, []


def tensors(b, aux, idx=None):
    idx = np.arange(len(b)) if idx is None else idx
    x = torch.tensor(b.x[idx], dtype=torch.float32)[:, None, :] * IN_SCALE
    a = torch.tensor(b.aux[idx], dtype=torch.float32) * AUX_SCALE if aux else None
    return x, a, torch.tensor(b.y[idx], dtype=torch.int64)


def train(model, b, epochs, lr, rng, log):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    counts = np.bincount(b.y, minlength=5).astype(np.float64)
    cw = torch.tensor((counts.sum() / np.maximum(counts, 1)) ** 0.5, dtype=torch.float32)
    for ep in range(epochs):
        model.train()
        idx = rng.permutation(len(b))
        tot = 0.0
        for i in range(0, len(idx), 128):
            x, a, y = tensors(b, model.aux, idx[i:i + 128])
            loss = F.cross_entropy(model(x, a), y, weight=cw)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(y)
        log("epoch %d/%d loss %.4f" % (ep + 1, epochs, tot / len(b)))


def to_qonnx(path):
    """Rewrites the QDQ pairs of an exported model into QONNX Quant nodes (domain
    qonnx.custom_op.general): weights -> Quant(bitwidth = the width their codes need),
    activations -> Quant(bitwidth 8, unsigned)."""
    import onnx
    from onnx import helper, numpy_helper
    m = onnx.load(path)
    g = m.graph
    init = {t.name: t for t in g.initializer}
    consts = {n.output[0]: n for n in g.node if n.op_type == "Constant"}

    def arr(name):
        if name in init:
            return numpy_helper.to_array(init[name])
        return numpy_helper.to_array(consts[name].attribute[0].t)

    by_out = {n.output[0]: n for n in g.node}
    new_nodes, extra, drop = [], [], set()
    for n in g.node:
        if n.op_type != "DequantizeLinear":
            continue
        q = by_out.get(n.input[0])
        src_is_code = q is None  # an INT8 initializer (constant folded QuantizeLinear)
        if q is not None and q.op_type != "QuantizeLinear":
            continue
        s = arr(n.input[1])
        zp = arr(n.input[2]) if len(n.input) > 2 and n.input[2] else np.zeros(1, np.int8)
        weight = src_is_code or q.input[0] in init
        if weight:
            if src_is_code:
                codes = arr(n.input[0]).astype(np.int64)
            else:  # QuantizeLinear of a float weight: its codes
                w = arr(q.input[0])
                sh = [-1] + [1] * (w.ndim - 1) if s.size > 1 else [1] * w.ndim
                codes = np.clip(np.rint(w / s.reshape(sh)), -128, 127).astype(np.int64)
                drop.add(id(q))
            lim = max(int(np.abs(codes).max()), 1)
            bw = next(b for b in (2, 4, 8) if lim <= (1 << (b - 1)) - 1)
            shape = [-1] + [1] * (codes.ndim - 1) if s.size > 1 else [1] * codes.ndim
            wf = (codes * s.reshape(shape)).astype(np.float32)
            x_name, signed = (n.input[0] if src_is_code else q.input[0]) + "_f", 1
            extra.append(numpy_helper.from_array(wf, x_name))
            s_shape = s.reshape(shape).astype(np.float32)
        else:
            x_name, signed, bw, s_shape = q.input[0], int(zp.dtype == np.int8), 8, s.astype(np.float32)
            drop.add(id(q))
        k = n.output[0]
        extra += [numpy_helper.from_array(s_shape, k + "_qs"),
                  numpy_helper.from_array(np.zeros_like(s_shape), k + "_qz"),
                  numpy_helper.from_array(np.array(float(bw), np.float32), k + "_qb")]
        new_nodes.append((id(n), helper.make_node("Quant", [x_name, k + "_qs", k + "_qz", k + "_qb"], [k],
                                                  name=(n.name or k) + "_quant", domain="qonnx.custom_op.general",
                                                  signed=signed, narrow=0, rounding_mode="ROUND")))
    repl = dict(new_nodes)
    nodes = [repl.get(id(n), n) for n in g.node if id(n) not in drop]
    del g.node[:]
    g.node.extend(nodes)
    g.initializer.extend(extra)
    m.opset_import.append(helper.make_opsetid("qonnx.custom_op.general", 1))
    onnx.save(m, path)


def export(model, path, aux):
    model.eval()
    model.frozen = True
    x = torch.zeros(1, 1, LENGTH)
    args = (x, torch.zeros(1, 4)) if aux else (x,)
    names = ["x", "aux"] if aux else ["x"]
    torch.onnx.export(model, args, path, opset_version=13, input_names=names, output_names=["logits"],
                      do_constant_folding=True)
    model.frozen = False
    import onnx
    m = onnx.load(path)
    m.metadata_props.add(key="ecg_sim.input", value=json.dumps(beat_spec(aux)))
    onnx.save(m, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kind", choices=["int8", "int4q"], default="int8")
    ap.add_argument("--out", required=True, help="model.onnx to write (and model.pt beside it)")
    ap.add_argument("--ecg-sim", default=os.environ.get("ECG_SIM_BIN", os.path.join(HERE, "..", "..", "ecg_sim")), help="ecg_sim binary")
    ap.add_argument("--data", help="MIT-BIH folder")
    ap.add_argument("--records", default=",".join(data.DS1[:12]), help="training records")
    ap.add_argument("--max-train", type=int, default=8000, help="training beats (a random subset)")
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--qat-epochs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cache", default=os.environ.get("ECG_SIM_TRAIN_CACHE", "/tmp/ecg_sim_train_cache"))
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    t0 = time.time()
    log = lambda s: print("[byo %s %.0fs] %s" % (args.kind, time.time() - t0, s), file=sys.stderr, flush=True)  # noqa: E731
    aux = args.kind == "int4q"
    b = export_beats(args.ecg_sim, beat_spec(aux), args.records, args.data, args.cache)
    if len(b) > args.max_train:
        b = b.take(np.sort(rng.permutation(len(b))[:args.max_train]))
    log("%d training beats %s" % (len(b), b.counts()))
    model = Tiny(args.kind)
    train(model, b, args.epochs, 3e-3, rng, log)  # weights fake-quantized, activations float
    x, a, _ = tensors(b, aux, rng.permutation(len(b))[:2048])
    calibrate(model, x, a)
    train(model, b, args.qat_epochs, 5e-4, rng, log)  # QAT: everything fake-quantized
    export(model, args.out, aux)
    if aux:
        to_qonnx(args.out)
    torch.save({"kind": args.kind, "state": model.state_dict()}, os.path.splitext(args.out)[0] + ".pt")
    log("wrote %s" % args.out)


def load(pt_path):
    """The trained PyTorch model of a .pt written by main()."""
    ck = torch.load(pt_path)
    model = Tiny(ck["kind"])
    model.load_state_dict(ck["state"])
    model.eval()
    return model


if __name__ == "__main__":
    main()
