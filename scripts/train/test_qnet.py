#!/usr/bin/python3
"""Self-tests of the training side (no MIT-BIH data needed):

  /usr/bin/python3 scripts/train/test_qnet.py

* the numpy integer simulation (qnet.run_layer) against naive per-element loops written
  straight from docs/qnet-format.md (conv1d with stride/groups/pad_value, requant rounding
  and floor shift, threshold, maxpool with ignored padding, gsum, dense, concat_aux);
* every architecture: the quantized PyTorch forward and the integer simulation of its
  exported model.json give the same class on random inputs, and every exported tensor
  fits its bits/encoding;
* the committed weights/<arch>/ files (if present): vectors.json reproduces bit for bit.
"""
import json
import os
import sys
import unittest

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import archs  # noqa: E402
import qnet  # noqa: E402
import data as D  # noqa: E402


def naive(layer, tensors, x, aux):
    """x: list of channels (lists of ints) -> list of channels."""
    t = layer["type"]
    C, L = len(x), len(x[0])
    if t == "conv1d":
        W = tensors[layer["weight"]]
        cout, cg, k = W["shape"]
        w = W["data"]
        g = layer.get("groups", 1)
        pl, pr, st = layer["pad_left"], layer["pad_right"], layer["stride"]
        pv = layer.get("pad_value", 0)
        xp = [[pv] * pl + list(ch) + [pv] * pr for ch in x]
        lout = (L + pl + pr - k) // st + 1
        b = tensors[layer["bias"]]["data"] if "bias" in layer else [0] * cout
        y = []
        for o in range(cout):
            gi = o // (cout // g)
            row = []
            for tt in range(lout):
                acc = b[o]
                for i in range(cg):
                    for kk in range(k):
                        acc += w[(o * cg + i) * k + kk] * xp[gi * cg + i][tt * st + kk]
                row.append(acc)
            y.append(row)
        return y
    if t == "requant":
        y = []
        for c in range(C):
            m, s = layer["mult"][c], layer["shift"][c]
            r = (1 << (s - 1)) if s > 0 else 0
            y.append([min(max((v * m + r) >> s, layer["lo"]), layer["hi"]) for v in x[c]])
        return y
    if t == "threshold":
        return [[layer["hi"] if ((v >= layer["t"][c]) if layer["dir"][c] == 1 else (v <= layer["t"][c]))
                 else layer["lo"] for v in x[c]] for c in range(C)]
    if t == "maxpool":
        k, st, pl, pr = layer["k"], layer["stride"], layer["pad_left"], layer["pad_right"]
        lout = (L + pl + pr - k) // st + 1
        return [[max(x[c][j] for j in range(tt * st - pl, tt * st - pl + k) if 0 <= j < L)
                 for tt in range(lout)] for c in range(C)]
    if t == "gsum":
        return [[sum(ch)] for ch in x]
    if t == "dense":
        W = tensors[layer["weight"]]
        o, n = W["shape"]
        v = [x[c][tt] for c in range(C) for tt in range(L)]
        b = tensors[layer["bias"]]["data"] if "bias" in layer else [0] * o
        return [[b[i] + sum(W["data"][i * n + j] * v[j] for j in range(n))] for i in range(o)]
    if t == "concat_aux":
        v = [x[c][tt] for c in range(C) for tt in range(L)] + list(aux[:layer["count"]])
        return [[a] for a in v]
    raise ValueError(t)


def tensor(rng, shape, lo, hi):
    return {"shape": list(shape), "bits": 32, "signed": True, "encoding": "int",
            "data": [int(v) for v in rng.integers(lo, hi + 1, int(np.prod(shape)))]}


class IntegerSimulation(unittest.TestCase):
    def check(self, layer, tensors, x, aux=None):
        aux = np.zeros((len(x), 0), dtype=np.int64) if aux is None else aux
        layer = {"name": "t", **layer}
        got = qnet.run_layer(layer, tensors, np.asarray(x, dtype=np.int64), aux)
        for n in range(len(x)):
            want = naive(layer, tensors, [list(map(int, ch)) for ch in x[n]], list(map(int, aux[n])))
            self.assertEqual(got[n].tolist(), want, layer["type"])

    def test_conv_variants(self):
        rng = np.random.default_rng(0)
        x = rng.integers(-20, 20, (3, 6, 17))
        for g, st, pl, pr, pv, k in [(1, 1, 2, 2, 0, 5), (2, 2, 5, 5, 1, 7), (6, 1, 1, 3, -3, 3),
                                     (3, 3, 0, 0, 0, 1)]:
            ts = {"w": tensor(rng, (6, 6 // g, k), -8, 7), "b": tensor(rng, (6,), -100, 100)}
            self.check({"type": "conv1d", "weight": "w", "bias": "b", "stride": st, "pad_left": pl,
                        "pad_right": pr, "pad_value": pv, "groups": g}, ts, x)

    def test_requant_rounding(self):
        rng = np.random.default_rng(1)
        x = rng.integers(-5000, 5000, (4, 3, 9))
        x[0, 0, :4] = [-3, -2, 2, 3]  # exact halves: (x*m + 2^(s-1)) >> s rounds them up
        layer = {"type": "requant", "mult": [1, 12345, 3], "shift": [2, 17, 0], "lo": -7, "hi": 15}
        self.check(layer, {}, x)
        got = qnet.run_layer({"name": "t", **layer}, {}, np.array([[[-3, -2, 2, 3]] * 3]), None)
        self.assertEqual(got[0, 0].tolist(), [-1, 0, 1, 1])  # floor((x + 2) / 4)

    def test_threshold_pool_gsum_dense_aux(self):
        rng = np.random.default_rng(2)
        x = rng.integers(-30, 30, (3, 4, 11))
        self.check({"type": "threshold", "t": [0, 5, -3, 2], "dir": [1, -1, 1, -1], "lo": -1, "hi": 1},
                   {}, x)
        self.check({"type": "maxpool", "k": 7, "stride": 2, "pad_left": 3, "pad_right": 2}, {}, x)
        self.check({"type": "gsum"}, {}, x)
        ts = {"w": tensor(rng, (5, 44), -100, 100), "b": tensor(rng, (5,), -9, 9)}
        self.check({"type": "dense", "weight": "w", "bias": "b"}, ts, x)
        aux = rng.integers(0, 256, (3, 4))
        self.check({"type": "concat_aux", "count": 4}, {}, x, aux)

    def test_requant_params(self):
        for m in [1e-6, 0.0123, 0.5, 1.0, 3.7, 1000.0]:
            mult, shift = qnet.requant_params([m])
            self.assertLess(int(mult[0]), 1 << qnet.MULT_BITS)
            self.assertTrue(0 <= shift[0] <= 62)
            self.assertAlmostEqual(mult[0] / 2.0 ** shift[0], m, delta=m * 2e-3)


class ArchExport(unittest.TestCase):
    def test_all_archs_torch_matches_int(self):
        # each paper's task, and the AAMI-5 task (--task aami: 5-class heads, aux rrq4)
        cases = [(a, "paper") for a in sorted(archs.ARCHS)] + [(a, "aami") for a in archs.AAMI_ARCHS]
        for arch, task in cases:
            with self.subTest(arch=arch, task=task):
                torch.manual_seed(0)
                spec, model = archs.ARCHS[arch](**archs.task_kw(task))
                classes = archs.CLASSES[spec["labels"]]
                b = D.synthetic(spec, classes, n=256, seed=3)
                x = torch.from_numpy(b.x.astype(np.float32))[:, None, :]
                a = torch.from_numpy(b.aux.astype(np.float32))
                model.train()
                model.set_quant(False)
                model(x, a)  # BatchNorm statistics
                model.fold_bn()
                reqs = [m for m in model.mods if isinstance(m, qnet.Requant)]
                for r in reqs:
                    r.observed = []
                model.eval()
                model(x, a)
                for r in reqs:
                    r.log_s.data.fill_(float(np.log(max(r.observed) / r.hi + 1e-9)))
                    r.observed = None
                mj = model.export(x[:4], a[:4], arch, classes, spec)
                mj = json.loads(json.dumps(mj))
                for name, t in mj["tensors"].items():
                    v = np.array(t["data"])
                    self.assertEqual(v.size, int(np.prod(t["shape"])), name)
                    if t["encoding"] == "binary":
                        self.assertTrue(set(v.tolist()) <= {-1, 1}, name)
                    elif t["encoding"] == "pow2":
                        nz = np.abs(v[v != 0])
                        self.assertTrue(np.all(nz & (nz - 1) == 0), name)
                    else:
                        lo, hi = qnet.int_range(t["bits"], t["signed"])
                        self.assertTrue(v.min() >= lo and v.max() <= hi, name)
                with torch.no_grad():
                    model.set_quant(True)
                    tl = model(x, a).numpy()
                il, ic, _ = qnet.run_int(mj, b.x, b.aux)
                agree = float((tl.argmax(1) == ic).mean())
                self.assertGreaterEqual(agree, 0.98, arch)


class Augment(unittest.TestCase):
    def test_outputs_stay_valid_integer_inputs(self):
        import train
        rng = np.random.default_rng(0)
        for arch in archs.AAMI_ARCHS:
            spec, _ = archs.ARCHS[arch](**archs.task_kw("aami"))
            b = D.synthetic(spec, archs.CLASSES["aami5"], n=64, seed=1)
            x, a = train.augment(b.x, b.aux, spec, rng, p=1.0)
            lo, hi = qnet.int_range(spec["bits"], spec["signed"])
            self.assertTrue(np.all(x == np.round(x)) and x.min() >= lo and x.max() <= hi, arch)
            self.assertTrue(np.all(a == np.round(a)) and a.min() >= 0 and a.max() <= 255, arch)
            self.assertGreater(np.abs(x - b.x).mean(), 0.5, arch)  # it does change the beats
            x0, a0 = train.augment(b.x, b.aux, spec, rng, p=0.0)
            self.assertTrue(np.array_equal(x0, b.x) and np.array_equal(a0, b.aux), arch)

    def test_morph_drop_only_in_training(self):
        import train
        spec, model = archs.ARCHS["dwsep"](**archs.task_kw("aami"))
        b = D.synthetic(spec, archs.CLASSES["aami5"], n=8, seed=2)
        x = torch.from_numpy(b.x.astype(np.float32))[:, None, :]
        x2 = torch.flip(x, [2])
        a = torch.from_numpy(b.aux.astype(np.float32))
        with torch.no_grad():
            model.eval()
            y0 = model(x, a)
            train.set_morph_drop(model, 1.0)
            self.assertTrue(torch.equal(model(x, a), y0))  # eval: no effect
            model.train()  # training: the head sees the RR features only
            self.assertTrue(torch.allclose(model(x, a), model(x2, a)))
            train.set_morph_drop(model, 0.0)
            self.assertFalse(torch.allclose(model(x, a), model(x2, a)))


    def test_rr_head_logit_sees_only_its_rr_inputs(self):
        import train
        torch.manual_seed(0)
        classes = archs.CLASSES["aami5"]
        for arch in ("qrcnn", "int2kd"):
            spec, model = archs.ARCHS[arch](**archs.task_kw("aami"))
            train.set_rr_head(model, classes, {"S": [0]})
            b = D.synthetic(spec, classes, n=8, seed=2)
            x = torch.from_numpy(b.x.astype(np.float32))[:, None, :]
            a = torch.from_numpy(b.aux.astype(np.float32))
            a2 = a.clone()
            a2[:, 1:] += 17.0  # RR inputs the S logit must not see
            model.eval()
            model.fold_bn()
            for quant in (False, True):
                model.set_quant(quant)
                with torch.no_grad():
                    y, y_flip, y_aux = model(x, a), model(torch.flip(x, [2]), a), model(x, a2)
                s = classes.index("S")
                self.assertTrue(torch.allclose(y[:, s], y_flip[:, s]), arch)  # not the waveform
                self.assertTrue(torch.allclose(y[:, s], y_aux[:, s]), arch)   # only aux 0
                if not quant:  # (untrained quantized activations may all round to 0)
                    self.assertFalse(torch.allclose(y[:, 0], y_flip[:, 0]), arch)  # N still does
            mj = json.loads(json.dumps(model.export(x[:4], a[:4], arch, classes, spec)))
            w = [ly for ly in mj["layers"] if ly["type"] == "dense"][-1]["weight"]
            q = np.array(mj["tensors"][w]["data"]).reshape(len(classes), -1)
            self.assertTrue(np.all(q[s, :-4] == 0) and np.all(q[s, -3:] == 0), arch)
        spec, model = archs.ARCHS["dwsep"](**archs.task_kw("aami"))
        with self.assertRaises(SystemExit):  # a hidden layer between concat_aux and the logits
            train.set_rr_head(model, classes, {"S": [0]})


class RrBranch(unittest.TestCase):
    def test_tied_s_minus_n_depends_on_rr_only(self):
        import train
        classes = archs.CLASSES["aami5"]
        s, n = classes.index("S"), classes.index("N")
        for arch, hidden in (("qrcnn", 0), ("int2kd", 0), ("dwsep", 8), ("bnn", 3)):
            torch.manual_seed(0)
            spec, model = archs.ARCHS[arch](**archs.task_kw("aami"))
            train.set_rr_branch(model, classes, {"S": "N"}, hidden)
            b = D.synthetic(spec, classes, n=16, seed=2)
            x = torch.from_numpy(b.x.astype(np.float32))[:, None, :]
            x2 = torch.flip(x, [2])
            a = torch.from_numpy(b.aux.astype(np.float32))
            model.train()
            model.set_quant(False)
            model(x, a)  # BatchNorm statistics
            model.eval()
            model.fold_bn()
            with torch.no_grad():
                y, y2 = model(x, a), model(x2, a)
            # S - N does not change with the waveform; N alone does
            self.assertTrue(torch.allclose(y[:, s] - y[:, n], y2[:, s] - y2[:, n], atol=1e-4), arch)
            self.assertFalse(torch.allclose(y[:, n], y2[:, n]), arch)
            mj = json.loads(json.dumps(model.export(x[:4], a[:4], arch, classes, spec)))
            dense = [ly for ly in mj["layers"] if ly["type"] == "dense"]
            q = np.array(mj["tensors"][dense[-1]["weight"]]["data"]).reshape(len(classes), -1)
            shared = q.shape[1] - (hidden or 4)
            self.assertTrue(np.array_equal(q[s, :shared], q[n, :shared]), arch)
            if hidden:  # the RR units of the hidden layer read the aux inputs only
                w1 = mj["tensors"][dense[0]["weight"]]
                q1 = np.array(w1["data"]).reshape(w1["shape"])
                self.assertTrue(np.all(q1[-hidden:, :-4] == 0), arch)
        spec, model = archs.ARCHS["dwsep"](**archs.task_kw("aami"))
        with self.assertRaises(SystemExit):  # a hidden head needs rr_hidden
            train.set_rr_branch(model, classes, {"S": "N"}, 0)

    def test_rr_row_tuning_is_exact_and_changes_only_the_s_row(self):
        import train
        torch.manual_seed(0)
        classes = archs.CLASSES["aami5"]
        s = classes.index("S")
        spec, model = archs.ARCHS["qrcnn"](**archs.task_kw("aami"))
        train.set_rr_branch(model, classes, {"S": "N"})
        b = D.synthetic(spec, classes, n=600, seed=4)
        fit, val = b.take(np.arange(300)), b.take(np.arange(300, 600))
        x = torch.from_numpy(b.x.astype(np.float32))[:, None, :]
        a = torch.from_numpy(b.aux.astype(np.float32))
        model.eval()
        model.fold_bn()
        mj = json.loads(json.dumps(model.export(x[:4], a[:4], "qrcnn", classes, spec)))
        before = json.loads(json.dumps(mj))
        r = train.tune_rr_row(mj, val, classes, ["S", "N"], lambda m: None, fit=fit)
        _, c1, _ = qnet.run_int(mj, val.x, val.aux)
        self.assertAlmostEqual(train.select_score(val, c1, classes, "aami"), r["select_score"])
        self.assertGreaterEqual(r["select_score"], r["select_score_before"])
        w0 = np.array(before["tensors"]["fc_w"]["data"]).reshape(len(classes), -1)
        w1 = np.array(mj["tensors"]["fc_w"]["data"]).reshape(len(classes), -1)
        self.assertTrue(np.array_equal(np.delete(w0, s, 0), np.delete(w1, s, 0)))
        self.assertTrue(np.array_equal(w0[s, :-4], w1[s, :-4]))
        self.assertEqual(w1[s, -4:].tolist(), r["aux_weights"])
        self.assertTrue(np.all(np.abs(w1) <= 7))
        b0, b1 = before["tensors"]["fc_b"]["data"], mj["tensors"]["fc_b"]["data"]
        self.assertEqual([v for i, v in enumerate(b0) if i != s], [v for i, v in enumerate(b1) if i != s])


class HeadBias(unittest.TestCase):
    def test_tuning_shifts_logits_exactly_and_never_lowers_the_score(self):
        import train
        torch.manual_seed(0)
        spec, model = archs.ARCHS["dwsep"](**archs.task_kw("aami"))
        classes = archs.CLASSES["aami5"]
        b = D.synthetic(spec, classes, n=400, seed=4)
        x = torch.from_numpy(b.x.astype(np.float32))[:, None, :]
        a = torch.from_numpy(b.aux.astype(np.float32))
        model.eval()
        model.fold_bn()
        mj = json.loads(json.dumps(model.export(x[:4], a[:4], "dwsep", classes, spec)))
        l0, c0, _ = qnet.run_int(mj, b.x, b.aux)
        s0 = train.select_score(b, c0, classes, "aami")
        off, s1 = train.tune_head_bias(mj, b, classes, ["S", "V"], lambda m: None)
        l1, c1, _ = qnet.run_int(mj, b.x, b.aux)
        o = np.array([off[c] for c in classes])
        self.assertTrue(np.array_equal(l1, l0 + o[None, :]))  # a bias offset moves that logit only
        self.assertEqual(off["N"], 0)
        self.assertEqual(off["F"], 0)
        self.assertGreaterEqual(s1, s0)
        self.assertAlmostEqual(train.select_score(b, c1, classes, "aami"), s1)


class CommittedWeights(unittest.TestCase):
    def test_vectors_reproduce(self):
        root = os.path.join(D.REPO, "weights")
        found = 0
        dirs = [os.path.join(root, arch, sub) for arch in sorted(archs.ARCHS) for sub in ("", "intra")]
        dirs += [os.path.join(root, "aami", arch) for arch in archs.AAMI_ARCHS]
        for d in dirs:
            if not os.path.exists(os.path.join(d, "vectors.json")):
                continue
            found += 1
            with open(os.path.join(d, "model.json")) as f:
                mj = json.load(f)
            with open(os.path.join(d, "vectors.json")) as f:
                vec = json.load(f)["vectors"]
            x = np.array([v["input"] for v in vec])
            aux = np.array([v["aux"] for v in vec]).reshape(len(vec), -1)
            logits, cls, layers = qnet.run_int(mj, x, aux, keep_layers=True)
            for j, v in enumerate(vec):
                self.assertEqual(logits[j].tolist(), v["logits"])
                self.assertEqual(int(cls[j]), v["class"])
                for k, layer in enumerate(mj["layers"]):
                    self.assertEqual(layers[k][j].tolist(), v["layers"][layer["name"]])
        if not found:
            self.skipTest("no committed weights yet")


if __name__ == "__main__":
    unittest.main()
