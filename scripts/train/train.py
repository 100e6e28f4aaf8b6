#!/usr/bin/python3
"""Quantization-aware training + integer simulation + export for one architecture.

  /usr/bin/python3 scripts/train/train.py --arch qrcnn [--eval inter|intra|both]

inter: train on DS1 minus a random 15% of its beats used for model selection (a recipe
       may name DS1 records to hold out instead; none does), test on DS2
       -> weights/<arch>/{model.json, vectors.json}
intra: random stratified split of DS1+DS2 beats (70% train / 10% selection / 20% test)
       -> weights/<arch>/intra/{model.json, vectors.json}
Both update weights/<arch>/manifest.json. Integer accuracy and vectors come from the
numpy integer simulation of the exported model.json (qnet.run_int).
"""
import argparse
import copy
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import archs  # noqa: E402
import data as D  # noqa: E402
import qnet  # noqa: E402

BATCH = 256
# Test vectors per model: up to 16 (inter) / 6 (intra), fewer when a vector (every layer's
# output) is large, so vectors.json stays under ~320 KB / ~120 KB (weights/ ~2 MB in all).
N_VECTORS = {"inter": 16, "intra": 6}
VECTOR_BYTES = {"inter": 320000, "intra": 120000}


def set_determinism(seed, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    np.random.seed(seed)
    try:
        torch.use_deterministic_algorithms(True)
    except Exception:  # older torch without the switch
        pass


def tensors(b, idx=None):
    if idx is None:
        idx = np.arange(len(b))
    x = torch.from_numpy(b.x[idx].astype(np.float32))[:, None, :]
    a = torch.from_numpy(b.aux[idx].astype(np.float32))
    y = torch.from_numpy(b.y[idx].astype(np.int64))
    return x, a, y


@torch.no_grad()
def predict_logits(model, b, quant):
    model.eval()
    model.set_quant(quant)
    out = []
    for i in range(0, len(b), 2048):
        x, a, _ = tensors(b, np.arange(i, min(i + 2048, len(b))))
        out.append(model(x, a).numpy().astype(np.float64))
    return np.concatenate(out)


@torch.no_grad()
def predict(model, b, quant):
    model.eval()
    model.set_quant(quant)
    out = []
    for i in range(0, len(b), 2048):
        x, a, _ = tensors(b, np.arange(i, min(i + 2048, len(b))))
        out.append(model(x, a).argmax(1).numpy())
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def class_weights(b, n, alpha, cap=10.0):
    cnt = np.bincount(b.y, minlength=n).astype(np.float64)
    w = np.where(cnt > 0, (cnt.sum() / np.maximum(cnt, 1)) ** alpha, 0.0)
    w = np.minimum(w, w[cnt > 0].min() * cap)  # cap the weight of near-empty classes
    return torch.tensor(w / w[cnt > 0].mean(), dtype=torch.float32)


def select_score(b, pred, classes, mode):
    """intra: accuracy; inter: mean sensitivity over the classes with >= 20 selection
    beats (a class with 1-2 beats, e.g. Q, would make the score jump by 1/n_classes);
    aami (inter-patient, patient-wise hold-out): the mean of that and of the classes' F1
    (Se alone rewards flooding S with false positives)."""
    m = qnet.metrics(b.y, pred, classes)
    if mode == "intra":
        return m["accuracy"]
    big = [v for v in m["per_class"].values() if v["n"] >= 20]
    if not big:
        return m["accuracy"]
    mean_se = float(np.mean([v["se"] for v in big]))
    if mode != "aami":
        return mean_se
    f1 = [2 * v["se"] * v["ppv"] / (v["se"] + v["ppv"]) if v["ppv"] and v["se"] else 0.0 for v in big]
    return 0.5 * mean_se + 0.5 * float(np.mean(f1))


def augment(x, aux, spec, rng, p=0.8):
    """Waveform/RR augmentation against memorising the DS1 patients (--task aami), applied
    to a fraction p of a batch of integer inputs and re-normalised as the C++ front end
    does (minmax to 0..2^bits-1, or zscore x zscore_scale, rounded and saturated), so the
    net still sees valid integer inputs: time stretch 0.88-1.12 about the R peak and shift
    +-3 samples (QRS width, alignment), baseline wander (a slow sinusoid + ramp up to 0.3 of
    the window's range), Gaussian noise (up to 3% of the range), and a +-7% jitter of each
    RR feature. Amplitude scaling alone is a no-op under per-window normalisation, so the
    wander/noise amplitudes are drawn relative to the range instead."""
    x = x.astype(np.float64)
    aux = aux.astype(np.float64)
    n, L = x.shape
    sel = np.nonzero(rng.random(n) < p)[0]
    if len(sel) == 0:
        return x, aux
    v = x[sel]
    t = np.arange(L, dtype=np.float64)[None, :]
    c = L * spec["pre"] / float(spec["pre"] + spec["post"])
    k = len(sel)
    pos = np.clip(c + (t - c) * rng.uniform(0.88, 1.12, (k, 1)) + rng.uniform(-3, 3, (k, 1)), 0, L - 1)
    i0 = np.minimum(np.floor(pos).astype(np.int64), L - 2)
    f = pos - i0
    rows = np.arange(k)[:, None]
    v = v[rows, i0] * (1 - f) + v[rows, i0 + 1] * f
    rng_ = np.ptp(v, 1, keepdims=True) + 1e-9
    tt = t / L
    wander = (rng.uniform(0, 0.3, (k, 1)) * np.sin(2 * np.pi * (rng.uniform(0.2, 1.0, (k, 1)) * tt
                                                                + rng.uniform(0, 1, (k, 1))))
              + rng.uniform(-0.2, 0.2, (k, 1)) * (tt - 0.5))
    v = v + rng_ * (wander + rng.uniform(0, 0.03, (k, 1)) * rng.standard_normal((k, L)))
    bits, signed = spec["bits"], spec["signed"]
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    if spec["norm"] == "minmax":
        mn, mx = v.min(1, keepdims=True), v.max(1, keepdims=True)
        q = lo + (v - mn) / np.maximum(mx - mn, 1e-9) * (hi - lo)
    elif spec["norm"] == "zscore":
        zero = 0 if signed else (1 << (bits - 1))
        q = (v - v.mean(1, keepdims=True)) / (v.std(1, keepdims=True) + 1e-9) * spec["zscore_scale"] + zero
    else:
        raise ValueError("augment: norm %s not supported" % spec["norm"])
    x[sel] = np.clip(np.sign(q) * np.floor(np.abs(q) + 0.5), lo, hi)  # round half away from zero
    if aux.shape[1]:
        aux[sel] = np.clip(np.round(aux[sel] * rng.uniform(0.93, 1.07, (k, aux.shape[1]))), 0, 255)
    return x, aux


def train_phase(model, tr, val, classes, epochs, lr, cw, quant, mode, rng, log, tag,
                teacher=None, kd=None, epoch_cap=16000, aug_spec=None, merge=None):
    """merge (dst, src): select the epoch with class dst's logit left out and its beats
    counted as src (a tied RR row, whose aux weights QAT rounds to 0 and tune_rr fits
    afterwards: the quantized epochs are chosen by how well they separate the rest)."""
    if epochs <= 0:
        return
    model.set_quant(quant)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * ((min(len(tr), epoch_cap) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.15)
    best, best_state = -1.0, None
    for ep in range(epochs):
        t0 = time.time()
        model.train()
        model.set_quant(quant)
        idx = rng.permutation(len(tr))[:epoch_cap]
        tot = 0.0
        for i in range(0, len(idx), BATCH):
            bi = idx[i:i + BATCH]
            x, a, y = tensors(tr, bi)
            if aug_spec is not None:
                xa, aa = augment(tr.x[bi], tr.aux[bi], aug_spec, rng)
                x = torch.from_numpy(xa.astype(np.float32))[:, None, :]
                a = torch.from_numpy(aa.astype(np.float32))
            logits = model(x, a)
            loss = F.cross_entropy(logits, y, weight=cw)
            if teacher is not None:
                with torch.no_grad():
                    tl = teacher(x, a)
                T = kd["T"]
                kl = F.kl_div(F.log_softmax(logits / T, 1), F.softmax(tl / T, 1),
                              reduction="batchmean") * T * T
                loss = (1 - kd["w"]) * loss + kd["w"] * kl
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(bi)
        if merge is None:
            pred = predict(model, val, quant)
            score = select_score(val, pred, classes, mode)
        else:
            lg = predict_logits(model, val, quant)
            lg[:, merge[0]] = -np.inf
            vm = D.Beats(val.x, val.aux, np.where(val.y == merge[0], merge[1], val.y).astype(np.int32),
                         val.rec, val.sample, val.classes)
            score = select_score(vm, lg.argmax(1), classes, mode)
        if score > best:
            best, best_state = score, copy.deepcopy(model.state_dict())
        log("%s ep %d/%d loss %.4f val %.4f (best %.4f) %.1fs" % (
            tag, ep + 1, epochs, tot / len(idx), score, best, time.time() - t0))
    model.load_state_dict(best_state)


@torch.no_grad()
def calibrate(model, tr, rng):
    """Sets every Requant output scale from float-mode activation statistics (99.9th
    percentile maps to `hi`); shared scale parameters take the largest."""
    model.eval()
    model.set_quant(False)
    reqs = [m for m in model.mods if isinstance(m, qnet.Requant)]
    for r in reqs:
        r.observed = []
    idx = rng.permutation(len(tr))[:4096]
    x, a, _ = tensors(tr, idx)
    model(x, a)
    by_param = {}
    for r in reqs:
        key = id(r.log_s)
        v = max(r.observed) / r.hi
        by_param[key] = (r.log_s, max(v, by_param.get(key, (None, 0.0))[1]))
        r.observed = None
    for p, v in by_param.values():
        p.fill_(float(np.log(max(v, 1e-6))))


@torch.no_grad()
def prune(model, frac, names):
    for m in model.mods:
        if getattr(m, "name", None) in names:
            fixed = getattr(m, "fixed_mask", torch.ones_like(m.mask))
            w = (m.weight * m.mask * fixed).abs().flatten()
            th = torch.quantile(w, frac)
            m.mask.copy_((m.weight.abs() > th).float())


def pick_vectors(b, n=20, seed=1):
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(b))
    picked = []
    per = max(1, n // len(b.classes))
    for c in range(len(b.classes)):
        picked += [i for i in order if b.y[i] == c][:per]
    for i in order:
        if len(picked) >= n:
            break
        if i not in picked:
            picked.append(i)
    return np.array(sorted(picked[:n]))


def n_vectors(model_json, b, mode):
    """How many vectors fit the size budget (one vector's JSON size measured)."""
    one = len(json.dumps(vectors(model_json, b, np.arange(1))["vectors"][0], separators=(",", ":")))
    return int(max(4, min(N_VECTORS[mode], VECTOR_BYTES[mode] // one)))


def vectors(model_json, b, idx):
    logits, cls, layers = qnet.run_int(model_json, b.x[idx], b.aux[idx], keep_layers=True)
    out = []
    for j, i in enumerate(idx):
        out.append({"record": str(int(b.rec[i])), "sample": int(b.sample[i]),
                    "label": int(b.y[i]),
                    "input": [int(v) for v in b.x[i]], "aux": [int(v) for v in b.aux[i]],
                    "layers": {lay["name"]: [int(v) for v in layers[k][j]]
                               for k, lay in enumerate(model_json["layers"])},
                    "logits": [int(v) for v in logits[j]], "class": int(cls[j])})
    return {"format": qnet.FORMAT, "arch": model_json["arch"], "vectors": out}


def dump_compact(obj, path):
    """JSON with one line per top-level entry / tensor / layer / vector (no pretty-printed
    arrays), so the files stay small and diffable."""
    c = lambda v: json.dumps(v, separators=(",", ":"))  # noqa: E731
    lines = ["{"]
    keys = list(obj.keys())
    for k_i, k in enumerate(keys):
        v = obj[k]
        end = "," if k_i < len(keys) - 1 else ""
        if isinstance(v, dict) and k == "tensors":
            items = list(v.items())
            lines.append(' "%s": {' % k)
            for i, (tk, tv) in enumerate(items):
                lines.append("  %s:%s%s" % (c(tk), c(tv), "," if i < len(items) - 1 else ""))
            lines.append(" }" + end)
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            lines.append(' "%s": [' % k)
            for i, e in enumerate(v):
                lines.append("  %s%s" % (c(e), "," if i < len(v) - 1 else ""))
            lines.append(" ]" + end)
        else:
            lines.append(" %s:%s%s" % (c(k), c(v), end))
    lines.append("}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def split_intra(b, seed):
    """Stratified random 70/10/20 split of all beats."""
    rng = np.random.default_rng(seed)
    tr, va, te = [], [], []
    for c in range(len(b.classes)):
        idx = rng.permutation(np.nonzero(b.y == c)[0])
        n = len(idx)
        n_te, n_va = int(round(0.2 * n)), int(round(0.1 * n))
        te += list(idx[:n_te])
        va += list(idx[n_te:n_te + n_va])
        tr += list(idx[n_te + n_va:])
    return b.take(np.sort(tr)), b.take(np.sort(va)), b.take(np.sort(te))


def rr_swap(tr, classes, factor, rng, back=0.0):
    """Inter-patient S augmentation: an S beat is a beat of normal (supraventricular)
    morphology that comes early. Adds factor x #S copies of random N beats (their own
    waveform) carrying the RR features of random S beats, labelled S, so the net learns
    "premature + normal shape" instead of the few DS1 patients' S waveforms."""
    n_i, s_i = classes.index("N"), classes.index("S")
    ns, ss = np.nonzero(tr.y == n_i)[0], np.nonzero(tr.y == s_i)[0]
    k = int(factor * len(ss))
    pick_n, pick_s = rng.choice(ns, k), rng.choice(ss, k)
    add = D.Beats(tr.x[pick_n], tr.aux[pick_s], np.full(k, s_i, dtype=np.int32), tr.rec[pick_n],
                  tr.sample[pick_n], tr.classes)
    out = concat(tr, add)
    if back > 0:
        # ...and back x #S copies of S waveforms with the RR features of N beats, labelled
        # N: an S waveform that comes on time is not evidence of an S beat.
        k = int(back * len(ss))
        pick_s, pick_n = rng.choice(ss, k), rng.choice(ns, k)
        out = concat(out, D.Beats(tr.x[pick_s], tr.aux[pick_n], np.full(k, n_i, dtype=np.int32),
                                  tr.rec[pick_s], tr.sample[pick_s], tr.classes))
    return out


def concat(a, b):
    return D.Beats(np.concatenate([a.x, b.x]), np.concatenate([a.aux, b.aux]),
                   np.concatenate([a.y, b.y]), np.concatenate([a.rec, b.rec]),
                   np.concatenate([a.sample, b.sample]), a.classes)


def load_data(spec, classes, args, mode):
    if args.synthetic:
        all_ = D.synthetic(spec, classes, n=args.synthetic)
        ds1 = all_.take(np.nonzero(np.isin(all_.rec, [int(r) for r in D.DS1]))[0])
        ds2 = all_.take(np.nonzero(np.isin(all_.rec, [int(r) for r in D.DS2]))[0])
    else:
        ds1 = D.export_beats(spec, "ds1", args.data)
        ds2 = D.export_beats(spec, "ds2", args.data)
        assert ds1.classes == classes, (ds1.classes, classes)
    return ds1, ds2


def set_morph_drop(model, p):
    for m in model.mods:
        if isinstance(m, qnet.ConcatAux):
            m.morph_drop = p


def set_rr_head(model, classes, rr_head):
    """rr_head {"S": [0]}: the logits of the named classes see only the listed RR (aux)
    inputs, not the waveform features: their weight-mask entries are 0 (exported as zero
    weights, so the integer network and the hardware are unchanged in shape). Only for a
    single dense head right after concat_aux (qrcnn, int2kd); a hidden layer mixes them."""
    mods = list(model.mods)
    k = max(i for i, m in enumerate(mods) if isinstance(m, qnet.QDense))
    if k == 0 or not isinstance(mods[k - 1], qnet.ConcatAux):
        raise SystemExit("train.py: rr_head needs a logits layer right after concat_aux")
    head, count = mods[k], mods[k - 1].count
    with torch.no_grad():
        for name, keep in rr_head.items():
            if name not in classes:
                raise SystemExit("train.py: rr_head: unknown class %s (classes %s)" % (name, classes))
            if any(not 0 <= a < count for a in keep):
                raise SystemExit("train.py: rr_head: aux index out of 0..%d" % (count - 1))
            row = classes.index(name)
            head.mask[row, :] = 0.0
            for a in keep:
                head.mask[row, head.nin - count + a] = 1.0


def set_rr_branch(model, classes, tie, hidden=0):
    """tie {"S": "N"}: the logits row of S is tied to N's on every input except the RR path,
    so that logit(S) - logit(N) is a function of the RR features only ("an S beat is a beat of
    normal shape that comes early"): the waveform cannot call a DS2 N beat S because its shape
    is unlike DS1's, and the S/N boundary is learned from every DS1 patient's RR, not from the
    few DS1 S waveforms. Single dense head after concat_aux (qrcnn, int2kd): the RR path is the
    aux columns. Head with a hidden layer (concat_aux -> fc1 -> requant -> fc2: bnn, dwsep):
    `hidden` of fc1's units see only the aux inputs (their waveform weights are structural
    zeros) and are the RR path, so S - N is a small MLP of the RR features. The exported
    integers keep the format and the hardware unchanged (equal rows, zero weights)."""
    mods = list(model.mods)
    dense = [i for i, m in enumerate(mods) if isinstance(m, qnet.QDense)]
    cats = [i for i, m in enumerate(mods) if isinstance(m, qnet.ConcatAux)]
    if not cats or not dense or dense[-1] < cats[-1]:
        raise SystemExit("train.py: tie needs concat_aux before the logits layer")
    k, cat = dense[-1], cats[-1]
    head, count = mods[k], mods[cat].count
    if k == cat + 1:
        if hidden:
            raise SystemExit("train.py: rr_hidden needs a hidden dense layer after concat_aux")
        n_shared = head.nin - count
    else:
        fc1 = mods[cat + 1]
        if not isinstance(fc1, qnet.QDense) or dense[-2] != cat + 1 or not 0 < hidden < fc1.nout:
            raise SystemExit("train.py: tie with a hidden layer needs rr_hidden in 1..units-1 "
                             "and concat_aux -> dense -> ... -> dense")
        with torch.no_grad():
            fc1.fixed_mask[fc1.nout - hidden:, :fc1.nin - count] = 0.0
        n_shared = head.nin - hidden
    for dst, src in tie.items():
        if dst not in classes or src not in classes:
            raise SystemExit("train.py: tie: unknown class (classes %s)" % classes)
        head.tie.append((classes.index(dst), classes.index(src), n_shared))


def build_model(arch, seed, **kw):
    torch.manual_seed(seed)
    return archs.ARCHS[arch](**kw)


def test_set(arch, mode, args):
    """The test split run_training uses (DS2, or the intra-patient random 20%)."""
    spec, _ = archs.ARCHS[arch](**archs.task_kw(args.task, arch))
    classes = archs.CLASSES[spec["labels"]]
    ds1, ds2 = load_data(spec, classes, args, mode)
    if mode == "inter":
        return ds2
    return split_intra(concat(ds1, ds2), args.seed)[2]


def recipe_of(arch, args):
    recipe = archs.recipe(arch, args.task)
    for kv in args.recipe:
        k, _, v = kv.partition("=")
        if k not in recipe and k not in ("morph_drop", "rr_swap", "rr_swap_back", "tune_bias", "augment",
                                         "rr_head", "tie", "rr_hidden", "tune_rr", "cv_folds", "cv_bias"):
            raise SystemExit("train.py: --recipe %s: unknown key %s" % (kv, k))
        recipe[k] = json.loads(v)
    return recipe


def apply_recipe_heads(model, recipe, classes):
    """The recipe's structural changes to a freshly built model (morphology dropout, an RR-only
    row, the tied S/N head); the exported model and cv_bias's fold models get the same."""
    set_morph_drop(model, recipe.get("morph_drop", 0.0))
    if recipe.get("rr_head"):
        set_rr_head(model, classes, recipe["rr_head"])
    if recipe.get("tie"):
        set_rr_branch(model, classes, recipe["tie"], recipe.get("rr_hidden", 0))


def with_rr_swap(tr, classes, recipe, seed):
    """tr plus the recipe's RR-swap copies (its own generator, seed + 7)."""
    return rr_swap(tr, classes, recipe["rr_swap"], np.random.default_rng(seed + 7),
                   recipe.get("rr_swap_back", 0.0))


def add_json_bias(model_json, off, what):
    """Adds the integer offsets `off` (one per class) to the logits layer's bias in model_json,
    checks the result still fits its format and returns the bias before."""
    t = model_json["tensors"][logits_layer(model_json)]
    before = list(t["data"])
    t["data"] = [int(b + o) for b, o in zip(t["data"], off)]
    lo, hi = -(1 << (t["bits"] - 1)), (1 << (t["bits"] - 1)) - 1
    assert all(lo <= v <= hi for v in t["data"]), what + " outside its format"
    return before


def run_training(arch, mode, args, log):
    recipe = recipe_of(arch, args)
    tkw = archs.task_kw(args.task, arch)
    if args.quick:
        for k in ("fp_epochs", "q_epochs"):
            recipe[k] = min(recipe[k], 1)
        if "kd" in recipe:
            recipe["kd"] = dict(recipe["kd"], teacher_epochs=1)
    spec, model = build_model(arch, args.seed, **tkw)
    classes = archs.CLASSES[spec["labels"]]
    apply_recipe_heads(model, recipe, classes)
    ds1, ds2 = load_data(spec, classes, args, mode)
    rng = np.random.default_rng(args.seed)
    if mode == "inter":
        ho = recipe["holdout"]
        if ho and not args.synthetic:
            val = ds1.records(ho)
            tr = ds1.records([r for r in D.DS1 if r not in ho])
            split = {"train": "DS1 minus " + ",".join(ho), "select": "DS1 records " + ",".join(ho),
                     "test": "DS2"}
        else:
            perm = np.random.default_rng(args.seed).permutation(len(ds1))
            k = int(0.15 * len(ds1))
            val, tr = ds1.take(np.sort(perm[:k])), ds1.take(np.sort(perm[k:]))
            split = {"train": "DS1 (85% of windows)", "select": "DS1 (random 15% of windows)",
                     "test": "DS2"}
        te = ds2
    else:
        tr, val, te = split_intra(concat(ds1, ds2), args.seed)
        split = {"train": "DS1+DS2 random 70% (stratified)", "select": "random 10%",
                 "test": "random 20%"}
    tr_real = tr  # the training records' own beats (before the RR-swap copies)
    if mode == "inter" and recipe.get("rr_swap"):
        tr = with_rr_swap(tr, classes, recipe, args.seed)
        split["train"] += " + RR-swap augmentation (x%.1f S beats, x%.1f back)" % (
            recipe["rr_swap"], recipe.get("rr_swap_back", 0.0))
    log("%s %s: train %d %s  select %d  test %d" % (arch, mode, len(tr), tr.counts(), len(val), len(te)))
    sel_mode = "aami" if args.task == "aami" else mode
    aug_spec = spec if recipe.get("augment") else None
    if aug_spec is not None:
        split["train"] += " + waveform/RR augmentation"
    alpha = recipe["alpha"] if mode == "inter" else recipe.get("alpha_intra", recipe["alpha"])
    cw = class_weights(tr, len(classes), alpha, recipe.get("wcap", 10.0))
    t_start = time.time()
    result = {"split": split, "counts": {"train": tr.counts(), "select": val.counts(),
                                        "test": te.counts()}, "seed": args.seed,
              "recipe": {k: v for k, v in recipe.items()}, "class_weights": cw.tolist()}

    ctx = dict(arch=arch, recipe=recipe, args=args, tkw=tkw, classes=classes, spec=spec,
               sel_mode=sel_mode, aug_spec=aug_spec, log=log)
    fp_pred = train_net(ctx, model, tr, val, te, cw, rng, result)
    result["train_wall_s"] = round(time.time() - t_start, 1)
    model_json = export_tuned(ctx, model, tr_real, val, te, result)
    if mode == "inter" and recipe.get("cv_folds") and not args.synthetic:
        cv_bias(ctx, model, model_json, ds1, val, te, result)
    t0 = time.time()
    _, icls, _ = qnet.run_int(model_json, te.x, te.aux)
    result["int_sim_s"] = round(time.time() - t0, 2)
    qpred = predict(model, te, True)
    result["fp"] = qnet.metrics(te.y, fp_pred, classes)
    result["int"] = qnet.metrics(te.y, icls, classes)
    result["torch_quant_vs_int_agreement"] = float((qpred == icls).mean())
    result["stats"] = qnet.model_stats(model_json)
    vec = vectors(model_json, te, pick_vectors(te, n_vectors(model_json, te, mode)))
    log("%s %s: FP acc %.4f  INT acc %.4f  meanSe %.4f  agree %.4f  storage %d B  %s" % (
        arch, mode, result["fp"]["accuracy"], result["int"]["accuracy"], result["int"]["mean_se"],
        result["torch_quant_vs_int_agreement"], result["stats"]["storage_bytes"],
        {c: (round(v["se"] or 0, 3), round(v["ppv"] or 0, 3))
         for c, v in result["int"]["per_class"].items()}))
    return model_json, vec, result


def head_scale(model, b):
    """Real value of one unit of the integer logits: the logits layer's output scale in the
    quantized forward (real logits = integer logits x this)."""
    head = [m for m in model.mods if isinstance(m, qnet.QDense)][-1]
    seen = []
    hook = head.register_forward_hook(lambda m, i, o: seen.append(o[1]))
    predict(model, b.take(np.arange(min(8, len(b)))), True)
    hook.remove()
    return float(seen[-1].reshape(-1)[0])


def train_net(ctx, model, tr, val, te, cw, rng, result):
    """Trains `model` with ctx's recipe on tr, the epochs selected on val (te only for the
    reported FP figures): the KD teacher when the recipe has one, then the float and QAT
    phases. Returns the FP predictions on te. The exported model and the fold models of
    cv_bias are trained by this one function."""
    arch, recipe, args, tkw = ctx["arch"], ctx["recipe"], ctx["args"], ctx["tkw"]
    classes, spec, sel_mode, aug_spec, log = (ctx["classes"], ctx["spec"], ctx["sel_mode"],
                                              ctx["aug_spec"], ctx["log"])
    pre = ctx.get("tag", "")

    def fit(model, tag, teacher=None):
        kd = recipe.get("kd")
        train_phase(model, tr, val, classes, recipe["fp_epochs"], recipe["lr"], cw, False,
                    sel_mode, rng, log, pre + tag + " fp", teacher, kd, recipe["epoch_cap"], aug_spec)
        model.fold_bn()
        fp_pred = predict(model, te, False)
        calibrate(model, tr, rng)
        if recipe["prune"]:
            prune(model, *recipe["prune"])
        merge = None
        if recipe.get("tune_rr"):
            merge = (classes.index(recipe["tune_rr"][0]), classes.index(recipe["tune_rr"][1]))
        train_phase(model, tr, val, classes, recipe["q_epochs"], recipe["lr"] / 3, cw, True,
                    sel_mode, rng, log, pre + tag + " qat", teacher, kd, recipe["epoch_cap"], aug_spec,
                    merge=merge)
        if recipe["fp_epochs"] == 0:
            # No float phase (BNN: always binary): "FP" is the trained net with float
            # BatchNorm/PReLU before each sign and a float dense head.
            fp_pred = predict(model, te, False)
        return fp_pred

    if "kd" in recipe:
        kd = recipe["kd"]
        _, teacher = build_model(arch, args.seed + 100, wide=2, bits=8, **tkw)
        set_morph_drop(teacher, recipe.get("morph_drop", 0.0))
        if recipe.get("tie"):
            set_rr_branch(teacher, classes, recipe["tie"], recipe.get("rr_hidden", 0))
        train_phase(teacher, tr, val, classes, kd["teacher_epochs"], recipe["lr"], cw, False,
                    sel_mode, rng, log, pre + "teacher", epoch_cap=recipe["epoch_cap"], aug_spec=aug_spec)
        teacher.eval()
        teacher.set_quant(False)
        result["teacher_fp"] = qnet.metrics(te.y, predict(teacher, te, False), classes)
        teacher.eval()
        # Student without KD (reported; kd_plain=False skips it), then the exported student with KD.
        if recipe.get("kd_plain", True):
            _, plain = build_model(arch, args.seed, **tkw)
            plain_fp = fit(plain, "noKD")
            plain_json = plain.export(*tensors(te, np.arange(min(8, len(te))))[:2], arch, classes, spec)
            _, pc, _ = qnet.run_int(plain_json, te.x, te.aux)
            result["no_kd"] = {"fp": qnet.metrics(te.y, plain_fp, classes),
                               "int": qnet.metrics(te.y, pc, classes)}
        return fit(model, "KD", teacher)
    return fit(model, "net")


def export_tuned(ctx, model, tr_real, val, te, result):
    """model.json of the trained `model`, with the recipe's post-training steps on DS1:
    tune_rr (the tied RR row: aux integers fitted on tr_real, bias on val) and tune_bias
    (head bias offsets on val); te's first beats only carry the shapes."""
    arch, recipe, classes, spec, log = ctx["arch"], ctx["recipe"], ctx["classes"], ctx["spec"], ctx["log"]
    model_json = model.export(*tensors(te, np.arange(min(8, len(te))))[:2], arch, classes, spec)
    if recipe.get("tune_rr"):
        head = [m for m in model.mods if isinstance(m, qnet.QDense)][-1]
        rr = tune_rr_row(model_json, val, classes, recipe["tune_rr"], log, fit=tr_real)
        result["rr_row"] = rr
        sw = head_scale(model, te)
        r = classes.index(rr["row"])
        if head.wq == ("int", 4) or (head.wq[0] == "int" and head.wq[1] > 2):
            with torch.no_grad():  # the same integers in the torch model (|a| <= qmax keeps its scale)
                cnt = len(rr["aux_weights"])
                for j, v in enumerate(rr["aux_weights"]):
                    head.weight[r, head.nin - cnt + j] = v * sw / qnet.AUX_SCALE
                head.bias[r] = rr["bias"] * sw
        else:
            rr["torch"] = "not applied to the torch model (ternary scale depends on every weight)"
    if recipe.get("tune_bias"):
        before = model_json["tensors"][logits_layer(model_json)]["data"]
        off, score = tune_head_bias(model_json, val, classes, recipe["tune_bias"], log)
        result["head_bias"] = {"offsets": off, "select_score": score, "bias_before": before}
        add_head_bias(model, te, classes, off)
    return model_json


def add_head_bias(model, b, classes, off):
    """The integer offsets `off` ({class: int}) of the logits layer's bias, in the torch model
    (the head's weight scale sw in the quantized forward; its bias / sw is rounded)."""
    head = [m for m in model.mods if isinstance(m, qnet.QDense)][-1]
    sw = head_scale(model, b)
    with torch.no_grad():
        for i, c in enumerate(classes):
            head.bias[i] += off[c] * sw


def offset_ascent(score, off, best, idx, grid, rounds):
    """Coordinate ascent of per-class logit offsets: for each class index in idx, the grid value
    that raises score(offsets) most, repeated up to `rounds` times or until nothing moves.
    Returns (best score, offsets). Used by cv_bias (pooled folds) and tune_head_bias (hold-out)."""
    for _ in range(rounds):
        moved = False
        for c in idx:
            for g in grid:
                o = off.copy()
                o[c] = g
                v = score(o)
                if v > best + 1e-9:
                    best, off, moved = v, o, True
        if not moved:
            break
    return best, off


def cv_bias(ctx, model, model_json, ds1, val, te, result):
    """Recipe `cv_folds` (lists of DS1 records) + `cv_bias` (classes): decision offsets set on
    leave-patients-out folds over DS1 instead of the 4-record hold-out alone. For each fold a
    model is trained exactly as the exported one (train_net, export_tuned: same recipe, seed and
    post-training steps) on DS1 minus that fold, its epochs and tuned rows chosen on the fold;
    the exported model is the fold model of the hold-out (`holdout`). Each model's integer
    logits on its own unseen fold, times its logits scale (head_scale), give real log-odds for
    every DS1 record; the offsets of the `cv_bias` classes (real units, one per class, coordinate
    ascent on a grid of +-4 standard deviations) maximise select_score("aami") over these pooled
    out-of-fold beats, each model applying round(offset / its scale) to its integer bias (what
    the score counts is what the integer models do). The exported model's logits bias gets its
    rounded offsets. DS2 is never read here."""
    arch, recipe, args, tkw, classes, log = (ctx["arch"], ctx["recipe"], ctx["args"], ctx["tkw"],
                                             ctx["classes"], ctx["log"])
    folds = [list(f) for f in recipe["cv_folds"]]
    ho = list(recipe["holdout"])
    every = sorted(sum(folds, []) + ho)
    if sorted(set(every)) != every or not set(every) <= set(D.DS1):
        raise SystemExit("train.py: cv_folds must be disjoint DS1 records, apart from the hold-out")
    t0 = time.time()
    parts = [(ho, model, model_json, val)]
    for k, fold in enumerate(folds):
        fctx = dict(ctx, tag="cv%d " % (k + 1))
        vk = ds1.records(fold)
        trk_real = ds1.records([r for r in D.DS1 if r not in fold])
        trk = with_rr_swap(trk_real, classes, recipe, args.seed) if recipe.get("rr_swap") else trk_real
        cwk = class_weights(trk, len(classes), recipe["alpha"], recipe.get("wcap", 10.0))
        _, mk = build_model(arch, args.seed, **tkw)
        apply_recipe_heads(mk, recipe, classes)
        log("cv fold %d (%s): train %d %s  select %d %s" % (
            k + 1, ",".join(fold), len(trk), trk.counts(), len(vk), vk.counts()))
        train_net(fctx, mk, trk, vk, vk, cwk, np.random.default_rng(args.seed + 1000 * (k + 1)), {})
        mjk = export_tuned(fctx, mk, trk_real, vk, vk, {})
        parts.append((fold, mk, mjk, vk))
    logits, scales, ys = [], [], []
    for fold, mk, mjk, vk in parts:
        lg, _, _ = qnet.run_int(mjk, vk.x, vk.aux)
        logits.append(lg.astype(np.int64))
        scales.append(head_scale(mk, vk))
        ys.append(vk.y)
    y = np.concatenate(ys)
    pooled = D.Beats(np.zeros((len(y), 1), np.int32), np.zeros((len(y), 0), np.int32), y,
                     np.concatenate([vk.rec for _, _, _, vk in parts]), np.zeros(len(y), np.int64), classes)

    def ints(o, s):
        return np.round(o / s).astype(np.int64)

    def pred(o):
        return np.concatenate([(lg + ints(o, s)[None, :]).argmax(1) for lg, s in zip(logits, scales)])

    def fold_scores(o):
        out = []
        for lg, s, (_, _, _, vk) in zip(logits, scales, parts):
            out.append(round(select_score(vk, (lg + ints(o, s)[None, :]).argmax(1), classes, "aami"), 4))
        return out

    off = np.zeros(len(classes))
    score = lambda o: select_score(pooled, pred(o), classes, "aami")  # noqa: E731
    best = before = score(off)
    real = np.concatenate([lg * s for lg, s in zip(logits, scales)])
    sd = float(real.std()) or 1.0
    grid = np.linspace(-4 * sd, 4 * sd, 161)
    best, off = offset_ascent(score, off, best, [classes.index(n) for n in recipe["cv_bias"]], grid, 3)

    def per_class(o):
        m = qnet.metrics(y, pred(o), classes)
        return {c: [round(v["se"] or 0, 4), round(v["ppv"] or 0, 4), v["n"]] for c, v in m["per_class"].items()}

    int_off = ints(off, scales[0])
    bias_before = add_json_bias(model_json, int_off, "cv bias")
    add_head_bias(model, te, classes, {c: int(int_off[i]) for i, c in enumerate(classes)})
    result["cv"] = {
        "folds": [list(p[0]) for p in parts], "beats": int(len(y)),
        "counts": {c: int((y == i).sum()) for i, c in enumerate(classes)},
        "classes_tuned": list(recipe["cv_bias"]), "logit_scales": scales,
        "offsets_real": {c: float(off[i]) for i, c in enumerate(classes)},
        "offsets_int": {c: int(int_off[i]) for i, c in enumerate(classes)},
        "bias_before": bias_before,
        "score_before": float(before), "score": float(best),
        "fold_scores_before": fold_scores(np.zeros(len(classes))), "fold_scores": fold_scores(off),
        "per_class_before": per_class(np.zeros(len(classes))), "per_class": per_class(off),
        "wall_s": round(time.time() - t0, 1)}
    log("cv bias (%d DS1 beats out of fold, %d models): offsets %s (real %s) -> pooled score %.4f "
        "(before %.4f), folds %s (before %s), per class %s" % (
            len(y), len(parts), result["cv"]["offsets_int"],
            {c: round(v, 3) for c, v in result["cv"]["offsets_real"].items() if v},
            best, before, result["cv"]["fold_scores"], result["cv"]["fold_scores_before"],
            result["cv"]["per_class"]))


def logits_layer(model_json):
    """The last layer (the dense that produces the logits) and its bias tensor's name."""
    last = model_json["layers"][-1]
    assert last["type"] == "dense" and last.get("bias"), "logits layer is not a dense with a bias"
    return last["bias"]


def tune_head_bias(model_json, val, classes, classes_tuned, log, rounds=3, steps=81):
    """Post-training prior correction chosen on the selection (hold-out) beats only: adds an
    integer offset to the logits layer's bias of each class in `classes_tuned` (coordinate
    ascent over a grid of +-4 standard deviations of the hold-out logits) where it raises
    the selection score (select_score, "aami"). Training balances the classes (S ~1.4% of
    DS1 weighted like N), which moves the decision boundary towards the rare classes; the
    offset moves it back to where the hold-out patients' Se/+P balance is best. Exact in the
    integer model: adding c to a dense bias adds c to that logit. Returns the offsets."""
    logits, _, _ = qnet.run_int(model_json, val.x, val.aux)
    logits = logits.astype(np.int64)
    off = np.zeros(len(classes), dtype=np.int64)
    score = lambda o: select_score(val, (logits + o[None, :]).argmax(1), classes, "aami")  # noqa: E731
    best = score(off)
    log("head bias tuning: hold-out score %.4f before" % best)
    sd = float(logits.std()) or 1.0
    grid = np.unique(np.round(np.linspace(-4 * sd, 4 * sd, steps)).astype(np.int64))
    best, off = offset_ascent(score, off, best, [classes.index(n) for n in classes_tuned], grid, rounds)
    add_json_bias(model_json, off, "tuned bias")
    log("head bias tuning: offsets %s -> hold-out score %.4f" % (
        {classes[i]: int(v) for i, v in enumerate(off) if v}, best))
    return {classes[i]: int(v) for i, v in enumerate(off)}, best


def tune_rr_row(model_json, val, classes, pair, log, fit=None):
    """The RR row of a tied single-dense head (recipe `tie`, qrcnn/int2kd): logit(S) =
    logit(N) on the waveform inputs plus a*aux + b. With one weight scale for the whole
    INT4 (qrcnn) or ternary (int2kd) logits layer, QAT rounds a to 0 (the waveform weights
    set the scale), so S would never be called on RR. This fits a (the S row's integers on
    the aux columns: every vector in [-3, 3]^4 for INT4, {-1, 0, 1}^4 for the ternary INT2;
    N's aux weights are kept) on the beats `fit` (the DS1 training records; the hold-out when
    None), each a scored with its best bias (select_score "aami"; ties: the smaller |a|), then
    sets the S bias b alone on the DS1 hold-out `val`. A direction fitted on the hold-out's 3
    S patients did not carry to DS2 (docs/training.md). Exact in the integer model (only that
    row's integers change). Returns {"aux_weights": a, "bias": b, "select_score": ...}."""
    dst = classes.index(pair[0])
    layers = model_json["layers"]
    if layers[-2]["type"] != "concat_aux":
        raise SystemExit("train.py: tune_rr needs the logits dense right after concat_aux")
    count = layers[-2]["count"]
    wt = model_json["tensors"][layers[-1]["weight"]]
    bt = model_json["tensors"][layers[-1]["bias"]]
    nout, nin = wt["shape"]
    w = np.asarray(wt["data"], dtype=np.int64).reshape(nout, nin)
    b = np.asarray(bt["data"], dtype=np.int64)
    lo, hi = (-1, 1) if wt["bits"] == 2 else (-(1 << (wt["bits"] - 1)) + 1, (1 << (wt["bits"] - 1)) - 1)
    a0 = w[dst, nin - count:].copy()
    fit_on = fit if fit is not None else val
    lo_a, span = max(lo, -min(hi, 3)), min(hi, 3)
    grid = np.array(np.meshgrid(*[np.arange(lo_a, span + 1)] * count, indexing="ij")).reshape(count, -1).T
    grid = grid[np.argsort(np.abs(grid).sum(1), kind="stable")]  # ties: the smaller |a|
    best_a, fit_score = a0.copy(), -1.0
    ev = _rr_row_eval(model_json, fit_on, classes, dst, a0, int(b[dst]), count)
    for t in grid:
        sc, _ = ev(t)
        if sc > fit_score + 1e-9:
            fit_score, best_a = sc, t.copy()
    ev_val = _rr_row_eval(model_json, val, classes, dst, a0, int(b[dst]), count)
    score0 = ev_val.score_at(a0, int(b[dst]))
    score, bias = ev_val(best_a)
    a = best_a
    log("rr row tuning (%s = %s + a*aux + b): a %s fitted on %s (score %.4f), bias on the hold-out: "
        "a %s b %d -> hold-out score %.4f (before %.4f)" % (
            pair[0], pair[1], a.tolist(), "the training records" if fit is not None else "the hold-out",
            fit_score, a.tolist(), bias, score, score0))
    check = select_score(val, ev_val.pred(a, bias), classes, "aami")
    assert abs(check - score) < 1e-9, (check, score)
    w[dst, nin - count:] = a
    b[dst] = bias
    wt["data"] = [int(v) for v in w.reshape(-1)]
    bt["data"] = [int(v) for v in b]
    blo, bhi = -(1 << (bt["bits"] - 1)), (1 << (bt["bits"] - 1)) - 1
    assert blo <= bias <= bhi, "tuned bias outside its format"
    return {"row": pair[0], "aux_weights": [int(v) for v in a], "bias": int(bias),
            "fit_score": float(fit_score), "select_score": float(score), "select_score_before": float(score0),
            "fitted_on": "DS1 training records (aux weights), DS1 hold-out (bias)" if fit is not None
            else "DS1 hold-out"}


def _rr_row_eval(model_json, val, classes, dst, a, b0, count):
    """Scores of the tied head with row dst's aux integers a and bias b on beats `val`:
    returns f(a) -> (best select_score over every bias, that bias), with .pred(a, b) and
    .score_at(a, b)."""
    logits, _, _ = qnet.run_int(model_json, val.x, val.aux)
    nout = logits.shape[1]
    f = val.aux[:, :count].astype(np.int64)
    b = np.zeros(nout, dtype=np.int64)
    b[dst] = b0
    base = logits[:, dst] - f @ a - b[dst]  # the S logit without its aux terms and bias
    others = logits.copy()
    others[:, dst] = np.iinfo(np.int64).min
    o_arg = others.argmax(1)  # the class when S does not win (first max among the others)
    before_max = logits[:, :dst].max(1) if dst > 0 else np.full(len(f), np.iinfo(np.int64).min)
    after_max = logits[:, dst + 1:].max(1) if dst + 1 < nout else np.full(len(f), np.iinfo(np.int64).min)

    def pred(av, bv):
        sl = base + f @ av + bv
        return np.where((sl > before_max) & (sl >= after_max), dst, o_arg)

    C = nout
    y = val.y.astype(np.int64)
    ny = np.bincount(y, minlength=C)
    big = ny >= 20
    base_cm = np.zeros((C, C), dtype=np.int64)
    np.add.at(base_cm, (y, o_arg), 1)

    def best_bias(av):
        """Every bias at once: S wins beat i iff b >= need_i; sorted by need, the prefix of
        the first k beats is S. Returns (score, bias) of select_score's best prefix."""
        raw = base + f @ av
        need = np.maximum(before_max + 1, after_max) - raw
        order = np.argsort(need, kind="stable")
        ns = need[order]
        last = np.r_[np.nonzero(np.diff(ns))[0], len(ns) - 1]  # last index of each need value
        ys, os_ = y[order], o_arg[order]
        # confusion after the first k beats turn S: base - onehot(y, o) + onehot(y, S)
        mv = np.zeros((len(ns), C, C), dtype=np.int64)
        mv[np.arange(len(ns)), ys, os_] -= 1
        mv[np.arange(len(ns)), ys, dst] += 1
        cm = base_cm[None] + np.cumsum(mv, 0)[last]  # [K, C, C]
        cm = np.concatenate([base_cm[None], cm], 0)  # k = 0: no beat is S
        bias_k = np.r_[ns[0] - 1, ns[last]]
        tp = np.einsum("kii->ki", cm).astype(np.float64)
        se = tp / np.maximum(ny, 1)[None]
        pc = cm.sum(1).astype(np.float64)
        ppv = np.where(pc > 0, tp / np.maximum(pc, 1), 0.0)
        f1 = np.where(se * ppv > 0, 2 * se * ppv / np.maximum(se + ppv, 1e-12), 0.0)
        score = 0.5 * se[:, big].mean(1) + 0.5 * f1[:, big].mean(1)
        k = int(np.argmax(score))
        return float(score[k]), int(bias_k[k])

    def run(av):
        return best_bias(av)

    run.pred = pred
    run.score_at = lambda av, bv: select_score(val, pred(av, bv), classes, "aami")
    return run


def retune(args, out, manifest, man_path, log):
    """--retune: the last step of an aami run (the head bias tuning) applied to the model.json
    that training exported, without retraining: reads OUT/model.json, tunes on the recipe's
    hold-out, rewrites model.json and vectors.json and the manifest's integer DS2 figures."""
    if args.task != "aami" or args.synthetic:
        raise SystemExit("train.py: --retune needs --task aami on MIT-BIH data")
    recipe = recipe_of(args.arch, args)
    if not recipe.get("tune_bias"):
        raise SystemExit("train.py: --retune needs --recipe 'tune_bias=[\"S\",\"V\"]' (the classes to tune)")
    with open(os.path.join(out, "model.json")) as f:
        model_json = json.load(f)
    spec = model_json["input"]
    classes = model_json["classes"]
    ds1, te = load_data(spec, classes, args, "inter")
    val = ds1.records(recipe["holdout"])
    r = manifest["inter"]
    if "head_bias" in r:
        raise SystemExit("train.py: %s is already tuned (manifest inter.head_bias)" % out)
    before = list(model_json["tensors"][logits_layer(model_json)]["data"])
    off, score = tune_head_bias(model_json, val, classes, recipe["tune_bias"], log)
    _, icls, _ = qnet.run_int(model_json, te.x, te.aux)
    r["int_before_tuning"] = r["int"]
    r["int"] = qnet.metrics(te.y, icls, classes)
    r["head_bias"] = {"offsets": off, "select_score": score, "bias_before": before,
                      "applied": "train.py --retune on the exported model (torch-quant agreement "
                                 "recorded before the tuning)"}
    r["recipe"] = dict(r["recipe"], tune_bias=recipe["tune_bias"])
    r["command"] += " && /usr/bin/python3 scripts/train/train.py --arch %s --task aami --retune%s" % (
        args.arch, "".join(" --recipe '%s'" % kv for kv in args.recipe))
    dump_compact(model_json, os.path.join(out, "model.json"))
    dump_compact(vectors(model_json, te, pick_vectors(te, n_vectors(model_json, te, "inter"))),
                 os.path.join(out, "vectors.json"))
    with open(man_path, "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    log("%s retuned: DS2 INT acc %.4f  %s" % (args.arch, r["int"]["accuracy"], {
        c: (round(v["se"] or 0, 3), round(v["ppv"] or 0, 3)) for c, v in r["int"]["per_class"].items()}))


def git_rev():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=D.REPO, check=True,
                              capture_output=True, text=True).stdout.strip()
    except Exception:
        return None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", required=True, choices=sorted(archs.ARCHS))
    ap.add_argument("--eval", default="both", choices=["inter", "intra", "both"])
    ap.add_argument("--task", default="paper", choices=["paper", "aami"],
                    help="paper: each paper's class set (inter + intra) -> OUT/<arch>; aami: AAMI-5 "
                         "inter-patient with causal RR features -> OUT/aami/<arch> (inter only)")
    ap.add_argument("--out", default=os.path.join(D.REPO, "weights"))
    ap.add_argument("--data", default=None, help="MIT-BIH directory (passed to export-beats)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads (1: fastest on the shared, oversubscribed 2-core machine)")
    ap.add_argument("--quick", action="store_true", help="1 epoch per phase (smoke test)")
    ap.add_argument("--revector", action="store_true",
                    help="only rewrite vectors.json from the existing model.json (no training)")
    ap.add_argument("--recipe", action="append", default=[], metavar="KEY=JSON",
                    help="override one recipe entry (e.g. rr_swap_back=3.0), recorded in the manifest")
    ap.add_argument("--retune", action="store_true",
                    help="--task aami: only apply the recipe's head bias tuning (tune_head_bias, on the "
                         "DS1 hold-out) to the existing model.json and re-evaluate it (no training)")
    ap.add_argument("--score", action="store_true",
                    help="--task aami: print the DS1 hold-out selection score of the exported "
                         "OUT/aami/<arch>/model.json (no training, DS2 not read)")
    ap.add_argument("--synthetic", type=int, default=0, metavar="N",
                    help="train on N synthetic beats instead of MIT-BIH (tests only)")
    args = ap.parse_args(argv)
    if args.task == "aami":
        if args.arch not in archs.AAMI_ARCHS:
            ap.error("--task aami: --arch must be one of %s (beat networks)" % ", ".join(archs.AAMI_ARCHS))
        if args.eval != "both" and args.eval != "inter":
            ap.error("--task aami: inter-patient only (--eval inter)")
        args.eval = "inter"
    set_determinism(args.seed, args.threads)
    out = os.path.join(args.out, "aami", args.arch) if args.task == "aami" else os.path.join(args.out, args.arch)
    os.makedirs(out, exist_ok=True)
    t_all = time.time()

    def log(msg):
        print("[%7.1fs] %s" % (time.time() - t_all, msg), flush=True)

    man_path = os.path.join(out, "manifest.json")
    manifest = {}
    if os.path.exists(man_path):
        with open(man_path) as f:
            manifest = json.load(f)
    modes = ["inter", "intra"] if args.eval == "both" else [args.eval]
    if args.retune:
        retune(args, out, manifest, man_path, log)
        return
    if args.score:
        with open(os.path.join(out, "model.json")) as f:
            model_json = json.load(f)
        classes = model_json["classes"]
        val = (D.export_beats(model_json["input"], "ds1", args.data)
               .records(recipe_of(args.arch, args)["holdout"]))
        _, pred, _ = qnet.run_int(model_json, val.x, val.aux)
        m = qnet.metrics(val.y, pred, classes)
        log("%s: DS1 hold-out score %.4f  acc %.4f  %s" % (
            out, select_score(val, pred, classes, "aami"), m["accuracy"],
            {c: (round(v["se"] or 0, 3), round(v["ppv"] or 0, 3)) for c, v in m["per_class"].items()}))
        return
    if args.revector:
        for mode in modes:
            d = out if mode == "inter" else os.path.join(out, "intra")
            with open(os.path.join(d, "model.json")) as f:
                model_json = json.load(f)
            te = test_set(args.arch, mode, args)
            dump_compact(vectors(model_json, te, pick_vectors(te, n_vectors(model_json, te, mode))),
                         os.path.join(d, "vectors.json"))
            log("rewrote %s/vectors.json" % d)
        return
    for mode in modes:
        model_json, vec, result = run_training(args.arch, mode, args, log)
        d = out if mode == "inter" else os.path.join(out, "intra")
        os.makedirs(d, exist_ok=True)
        dump_compact(model_json, os.path.join(d, "model.json"))
        dump_compact(vec, os.path.join(d, "vectors.json"))
        result["files"] = os.path.relpath(d, D.REPO)
        result["command"] = "/usr/bin/python3 scripts/train/train.py --arch %s%s --eval %s --seed %d --threads %d%s%s" % (
            args.arch, " --task aami" if args.task == "aami" else "", mode, args.seed, args.threads,
            " --quick" if args.quick else "",
            "".join(" --recipe '%s'" % kv for kv in args.recipe) +
            (" --synthetic %d" % args.synthetic if args.synthetic else ""))
        result["synthetic_data"] = bool(args.synthetic)
        result["environment"] = {"torch": torch.__version__, "numpy": np.__version__,
                                 "python": platform.python_version(), "threads": args.threads,
                                 "git": git_rev()}
        manifest.update({"format": qnet.FORMAT, "arch": args.arch, "classes": model_json["classes"],
                         "input": model_json["input"]})
        manifest[mode] = result
        with open(man_path, "w") as f:
            json.dump(manifest, f, indent=1)
            f.write("\n")
    log("done")


if __name__ == "__main__":
    main()
