"""Beat/rhythm-window arrays for training, produced by the C++ front end
(`ecg_sim export-beats`, the same preprocessing the simulator uses) and cached under /tmp.
No WFDB reading or preprocessing is re-implemented here."""
import hashlib
import json
import os
import subprocess
import sys

import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CACHE = os.environ.get("ECG_SIM_TRAIN_CACHE", "/tmp/ecg_sim_train_cache")

DS1 = "101 106 108 109 112 114 115 116 118 119 122 124 201 203 205 207 208 209 215 220 223 230".split()
DS2 = "100 103 105 111 113 117 121 123 200 202 210 212 213 214 219 221 222 228 231 232 233 234".split()


class Beats:
    """x int32 [N, L], aux int32 [N, A], y int32 [N], rec int32 [N], sample int64 [N]."""

    def __init__(self, x, aux, y, rec, sample, classes):
        self.x, self.aux, self.y, self.rec, self.sample = x, aux, y, rec, sample
        self.classes = classes

    def __len__(self):
        return len(self.y)

    def take(self, idx):
        return Beats(self.x[idx], self.aux[idx], self.y[idx], self.rec[idx], self.sample[idx],
                     self.classes)

    def records(self, names):
        keep = np.isin(self.rec, np.array([int(r) for r in names]))
        return self.take(np.nonzero(keep)[0])

    def counts(self):
        return {c: int((self.y == i).sum()) for i, c in enumerate(self.classes)}


def export_beats(spec, records, data_dir=None):
    """Runs `ecg_sim export-beats` once per (spec, records) and loads the arrays."""
    key = hashlib.sha1((json.dumps(spec, sort_keys=True) + "|" + records).encode()).hexdigest()[:16]
    out = os.path.join(CACHE, key)
    if not os.path.exists(os.path.join(out, "done")):
        os.makedirs(out, exist_ok=True)
        spec_path = os.path.join(out, "spec.json")
        with open(spec_path, "w") as f:
            json.dump(spec, f)
        cmd = [os.path.join(REPO, "ecg_sim"), "export-beats", "--spec", spec_path,
               "--records", records, "--out", out]
        if data_dir:
            cmd += ["--data", data_dir]
        env = dict(os.environ)
        env.setdefault("ECG_SIM_BUILD_DIR", os.path.join(REPO, "build"))
        print("[data] " + " ".join(cmd), file=sys.stderr, flush=True)
        subprocess.run(cmd, check=True, env=env, cwd=REPO)
        open(os.path.join(out, "done"), "w").close()
    return load_dir(out)


def load_dir(d):
    x = np.load(os.path.join(d, "x.npy")).astype(np.int32)
    aux = np.load(os.path.join(d, "aux.npy")).astype(np.int32).reshape(len(x), -1)
    y = np.load(os.path.join(d, "y.npy")).astype(np.int32)
    rec = np.load(os.path.join(d, "rec.npy")).astype(np.int32)
    sample = np.load(os.path.join(d, "sample.npy")).astype(np.int64)
    with open(os.path.join(d, "classes.txt")) as f:
        classes = [ln.strip() for ln in f if ln.strip()]
    return Beats(x, aux, y, rec, sample, classes)


def synthetic(spec, classes, n=3000, seed=0):
    """Random arrays of the export-beats shapes (tests only): class-dependent bumps so a
    net can learn something."""
    rng = np.random.default_rng(seed)
    L = spec["length"]
    y = rng.integers(0, len(classes), n).astype(np.int32)
    t = np.arange(L)[None, :]
    centre = (L // 2 + 6 * (y[:, None] - len(classes) / 2)).astype(np.float64)
    width = 3 + 2 * y[:, None]
    sig = np.exp(-((t - centre) ** 2) / (2 * width ** 2)) + 0.1 * rng.standard_normal((n, L))
    lo, hi = (-(1 << (spec["bits"] - 1)), (1 << (spec["bits"] - 1)) - 1) if spec["signed"] \
        else (0, (1 << spec["bits"]) - 1)
    x = np.clip(np.round(lo + (sig - sig.min(1, keepdims=True)) /
                         (np.ptp(sig, 1, keepdims=True) + 1e-9) * (hi - lo)), lo, hi).astype(np.int32)
    a = 4 if spec.get("aux", "none") in ("rr4", "rrn4", "rrq4") else 0
    aux = np.clip(rng.normal(80, 10, (n, a)) - 10 * (y[:, None] == 1), 0, 255).astype(np.int32)
    rec = np.array([int(DS1[i % len(DS1)]) if i % 2 else int(DS2[i % len(DS2)]) for i in range(n)],
                   dtype=np.int32)
    sample = (np.arange(n) * 300 + 100).astype(np.int64)
    return Beats(x, aux, y, rec, sample, list(classes))
