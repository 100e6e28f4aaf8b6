#!/usr/bin/python3
"""Hand-made (untrained, seeded random) qnet networks shaped like the five designs, for the
TLM tests until/besides trained weights: weight sharing (qrcnn), binary/XNOR (bnn), INT2
(int2kd), pow2 (logq), depthwise-separable pipeline (dwsep). Run: /usr/bin/python3 make_test_nets.py
(writes t_<arch>.json beside this file). Requant scales are chosen so activations spread
over their range, which exercises clamping."""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def spec(length, labels="aami5", norm="minmax", bits=8, signed=False, aux="none"):
    return {"task": "beat", "labels": labels, "lead": "MLII", "baseline": "median", "pre": 90,
            "post": 110, "length": length, "norm": norm, "zscore_scale": 32, "fixed_gain": 64,
            "bits": bits, "signed": signed, "aux": aux}


class Net:
    def __init__(self, arch, classes, inp, seed):
        self.r = random.Random(seed)
        self.m = {"format": "ecg_sim.qnet/1", "arch": arch, "classes": classes, "input": inp,
                  "tensors": {}, "layers": []}

    def tensor(self, name, shape, bits, enc="int", signed=True):
        n = 1
        for s in shape:
            n *= s
        r = self.r
        if enc == "binary":
            data = [r.choice([-1, 1]) for _ in range(n)]
        elif enc == "pow2":
            emax = 2 ** (bits - 1) - 2
            data = [0 if r.random() < 0.2 else r.choice([-1, 1]) * 2 ** r.randint(0, min(emax, 4))
                    for _ in range(n)]
        else:
            lo, hi = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2 ** bits - 1)
            data = [r.randint(lo, hi) for _ in range(n)]
        self.m["tensors"][name] = {"shape": shape, "bits": bits, "signed": signed,
                                   "encoding": enc, "data": data}
        return name

    def layer(self, **kw):
        self.m["layers"].append(kw)

    def conv(self, name, w, b=None, stride=1, pad=(0, 0), groups=1, pad_value=0):
        d = dict(name=name, type="conv1d", weight=w, stride=stride, pad_left=pad[0],
                 pad_right=pad[1], pad_value=pad_value, groups=groups, out_bits=32, out_signed=True)
        if b:
            d["bias"] = b
        self.layer(**d)

    def requant(self, name, c, shift, lo, hi, bits, signed):
        self.layer(name=name, type="requant", mult=[self.r.randint(200, 400) for _ in range(c)],
                   shift=[shift] * c, lo=lo, hi=hi, out_bits=bits, out_signed=signed)

    def write(self, fname):
        with open(os.path.join(HERE, fname), "w") as f:
            json.dump(self.m, f, separators=(",", ":"))


def qrcnn():
    n = Net("qrcnn", ["N", "L", "R", "A", "V"], spec(128, "nlrav5", aux="rr4"), 1)
    ch = 8
    n.tensor("stem_w", [ch, 1, 5], 4)
    n.tensor("stem_b", [ch], 32)
    n.tensor("rconv_w", [ch, ch, 5], 4)
    n.tensor("rconv_b", [ch], 32)
    n.conv("stem", "stem_w", "stem_b", pad=(2, 2))
    n.requant("rq0", ch, 12, 0, 15, 4, False)
    n.layer(name="pool0", type="maxpool", k=2, stride=2, out_bits=4, out_signed=False)
    L = 64
    for i in range(1, 5):  # the shared conv, applied 4 times (QRCNN reuse)
        n.conv("r%d" % i, "rconv_w", "rconv_b", pad=(2, 2))
        n.requant("rq%d" % i, ch, 10, 0, 15, 4, False)
        n.layer(name="pool%d" % i, type="maxpool", k=2, stride=2, out_bits=4, out_signed=False)
        L //= 2
    n.layer(name="cat", type="concat_aux", count=4, out_bits=8, out_signed=False)
    n.tensor("fc_w", [5, ch * L + 4], 4)
    n.tensor("fc_b", [5], 32)
    n.layer(name="fc", type="dense", weight="fc_w", bias="fc_b", out_bits=32, out_signed=True)
    n.write("t_qrcnn.json")


def bnn():
    n = Net("bnn", ["N", "S", "V", "F", "Q"], spec(256, norm="zscore", signed=True), 2)
    chans = [1, 8, 16, 16]
    L = 256
    for i in range(3):
        n.tensor("b%d_w" % i, [chans[i + 1], chans[i], 7], 1, "binary")
        n.conv("b%d" % i, "b%d_w" % i, stride=2 if i == 0 else 1, pad=(5, 5), pad_value=1)
        n.layer(name="p%d" % i, type="maxpool", k=7, stride=2, out_bits=32, out_signed=True)
        c = chans[i + 1]
        n.layer(name="t%d" % i, type="threshold", t=[n.r.randint(-6, 6) for _ in range(c)],
                dir=[n.r.choice([1, -1]) for _ in range(c)], lo=-1, hi=1, out_bits=2, out_signed=True)
    n.tensor("head_w", [5, 16, 7], 1, "binary")
    n.conv("head", "head_w", pad=(3, 3))
    n.layer(name="sum", type="gsum", out_bits=32, out_signed=True)
    n.write("t_bnn.json")


def int2kd():
    # The training architecture (scripts/train/archs.py int2kd): 16/32 channels, INT2 weights.
    n = Net("int2kd", ["N", "L", "R", "V"], spec(128, "nlrv4", aux="rr4"), 3)
    cfg = [(1, 16, 7), (16, 32, 5), (32, 32, 5), (32, 32, 3)]
    for i, (ci, co, k) in enumerate(cfg):
        n.tensor("c%d_w" % i, [co, ci, k], 2)
        n.tensor("c%d_b" % i, [co], 32)
        n.conv("c%d" % i, "c%d_w" % i, "c%d_b" % i, pad=(k // 2, k // 2))
        n.requant("rq%d" % i, co, 8 if i == 0 else 10, 0, 255, 8, False)
        n.layer(name="pool%d" % i, type="maxpool", k=2, stride=2, out_bits=8, out_signed=False)
    n.layer(name="cat", type="concat_aux", count=4, out_bits=8, out_signed=False)
    n.tensor("fc_w", [4, 32 * 8 + 4], 2)
    n.tensor("fc_b", [4], 32)
    n.layer(name="fc", type="dense", weight="fc_w", bias="fc_b", out_bits=32, out_signed=True)
    n.write("t_int2kd.json")


def logq():
    inp = spec(256, "afib2")
    inp.update({"task": "rhythm", "window": 3600, "hop": 1800})
    n = Net("logq", ["nonAF", "AF"], inp, 4)
    cfg = [(1, 8, 7, 4), (8, 16, 7, 4), (16, 16, 5, 4)]
    for i, (ci, co, k, p) in enumerate(cfg):
        n.tensor("c%d_w" % i, [co, ci, k], 4, "pow2")
        n.tensor("c%d_b" % i, [co], 32)
        n.conv("c%d" % i, "c%d_w" % i, "c%d_b" % i, pad=(k // 2, k // 2))
        n.requant("rq%d" % i, co, 10 if i == 0 else 12, 0, 255, 8, False)
        n.layer(name="pool%d" % i, type="maxpool", k=p, stride=p, out_bits=8, out_signed=False)
    n.layer(name="sum", type="gsum", out_bits=32, out_signed=True)
    n.requant("rqs", 16, 6, 0, 255, 8, False)
    n.tensor("fc_w", [2, 16], 4, "pow2")
    n.layer(name="fc", type="dense", weight="fc_w", out_bits=32, out_signed=True)
    n.write("t_logq.json")


def dwsep():
    # The training architecture (scripts/train/archs.py dwsep): stem 1->16, three
    # depthwise(k5)+pointwise blocks to 32 channels with pooling, two dense layers.
    n = Net("dwsep", ["N", "S", "V", "F", "Q"], spec(128, aux="rr4"), 5)
    n.tensor("c0_w", [16, 1, 7], 8)
    n.tensor("c0_b", [16], 32)
    n.conv("c0", "c0_w", "c0_b", pad=(3, 3))
    n.requant("rq0", 16, 14, 0, 255, 8, False)
    n.layer(name="pool0", type="maxpool", k=2, stride=2, out_bits=8, out_signed=False)
    cin = 16
    for i, cout in enumerate([32, 32, 32], start=1):
        n.tensor("dw%d_w" % i, [cin, 1, 5], 8)
        n.tensor("dw%d_b" % i, [cin], 32)
        n.conv("dw%d" % i, "dw%d_w" % i, "dw%d_b" % i, pad=(2, 2), groups=cin)
        n.requant("rqd%d" % i, cin, 12, 0, 255, 8, False)
        n.tensor("pw%d_w" % i, [cout, cin, 1], 8)
        n.tensor("pw%d_b" % i, [cout], 32)
        n.conv("pw%d" % i, "pw%d_w" % i, "pw%d_b" % i)
        n.requant("rqp%d" % i, cout, 15, 0, 255, 8, False)
        n.layer(name="pool%d" % i, type="maxpool", k=2, stride=2, out_bits=8, out_signed=False)
        cin = cout
    n.layer(name="cat", type="concat_aux", count=4, out_bits=8, out_signed=False)
    n.tensor("fc1_w", [32, cin * 8 + 4], 8)
    n.tensor("fc1_b", [32], 32)
    n.layer(name="fc1", type="dense", weight="fc1_w", bias="fc1_b", out_bits=32, out_signed=True)
    n.requant("rqf", 32, 16, 0, 255, 8, False)
    n.tensor("fc2_w", [5, 32], 8)
    n.tensor("fc2_b", [5], 32)
    n.layer(name="fc2", type="dense", weight="fc2_w", bias="fc2_b", out_bits=32, out_signed=True)
    n.write("t_dwsep.json")


if __name__ == "__main__":
    qrcnn(); bnn(); int2kd(); logq(); dwsep()
