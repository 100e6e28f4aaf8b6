#!/usr/bin/python3
"""Where the AAMI models lose S (docs/training.md, "Where S is lost"):

  /usr/bin/python3 scripts/train/rr_ceiling.py

1. What the rrn4 features alone give for S against N on DS1 (training records), the DS1
   hold-out and DS2: the rule 64*pre/avg < T, and a linear discriminant (N vs S, fitted on
   the DS1 training records, threshold chosen by F1 on the DS1 hold-out, then applied to
   DS2). V/F/Q beats are excluded as if a perfect morphology stage had taken them, so these
   are ceilings of the RR path, not a classifier.
2. For each committed weights/aami/<arch>/model.json (numpy integer simulation on DS2):
   how many of its N->S false positives have a normal RR (64*pre/avg >= 52: decided by the
   waveform) and how many of its missed S beats are premature (the RR path ignored).
Features come from the C++ front end (`ecg_sim export-beats`, via data.export_beats).
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import archs  # noqa: E402
import data as D  # noqa: E402
import qnet  # noqa: E402

SHORT = 52  # 64*pre/avg below this: premature


def main():
    spec, _ = archs.dwsep(labels="aami5", aux="rrn4")  # this analysis reads the rrn4 columns
    ds1, ds2 = D.export_beats(spec, "ds1"), D.export_beats(spec, "ds2")
    ho_recs = archs.AAMI_HOLDOUT
    tr, ho = ds1.records([r for r in D.DS1 if r not in ho_recs]), ds1.records(ho_recs)
    C = ds1.classes
    N, S = C.index("N"), C.index("S")

    def feats(b):
        pre, post, loc, pl = b.aux.astype(np.float64).T
        return np.stack([pre, post, loc, pl, post / np.maximum(pre, 1), pre * post / 64], 1)

    def s_se_ppv(b, pred):
        tp = int(((pred == S) & (b.y == S)).sum())
        fp = int(((pred == S) & (b.y != S)).sum())
        return 100.0 * tp / max(int((b.y == S).sum()), 1), 100.0 * tp / max(tp + fp, 1), fp

    def ns_only(b, flag):  # S where flagged, among the N and S beats only
        return np.where(flag & np.isin(b.y, [N, S]), S, N)

    print("beats (DS1, DS2):", {k: (ds1.counts()[k], ds2.counts()[k]) for k in C})
    for name, b in (("DS1 train", tr), ("DS1 hold-out", ho), ("DS2", ds2)):
        for th in (48, SHORT, 56):
            m = b.aux[:, 0] < th
            se, ppv, _ = s_se_ppv(b, ns_only(b, m))
            print("%-12s 64*pre/avg < %d: S %.1f%%, N %.2f%%, V %.1f%% flagged; S Se/+P (N vs S) %.1f/%.1f"
                  % (name, th, 100 * m[b.y == S].mean(), 100 * m[b.y == N].mean(),
                     100 * m[b.y == C.index("V")].mean(), se, ppv))

    for fs_name, cols in (("pre, post, local, pre/local", [0, 1, 2, 3]),
                          ("+ post/pre, pre*post", [0, 1, 2, 3, 4, 5])):
        keep = np.isin(tr.y, [N, S])
        X, y = feats(tr)[keep][:, cols], (tr.y[keep] == S)
        m0, m1 = X[~y].mean(0), X[y].mean(0)
        sw = np.cov(X[~y].T) * (~y).sum() + np.cov(X[y].T) * y.sum()
        w = np.linalg.solve(sw + 1e-6 * np.eye(len(cols)), m1 - m0)
        sh = feats(ho)[:, cols] @ w
        best = None
        for t in np.quantile(sh, np.linspace(0.5, 0.999, 400)):
            se, ppv, _ = s_se_ppv(ho, ns_only(ho, sh > t))
            f1 = 2 * se * ppv / max(se + ppv, 1e-9)
            if best is None or f1 > best[0]:
                best = (f1, t, se, ppv)
        se, ppv, fp = s_se_ppv(ds2, ns_only(ds2, feats(ds2)[:, cols] @ w > best[1]))
        print("LDA N/S on %s: DS1 hold-out S %.1f/%.1f -> DS2 S Se/+P %.1f/%.1f (%d false S)"
              % (fs_name, best[2], best[3], se, ppv, fp))

    for arch in archs.AAMI_ARCHS:
        path = os.path.join(D.REPO, "weights", "aami", arch, "model.json")
        if not os.path.exists(path):
            continue
        with open(path) as f:
            mj = json.load(f)
        b = D.export_beats(mj["input"], "ds2")
        _, cls, _ = qnet.run_int(mj, b.x, b.aux)
        short = b.aux[:, 0] < SHORT
        fp = (cls == S) & (b.y == N)
        miss = (cls != S) & (b.y == S)
        print("%s: %d S predicted, %d true; %d N->S of which %d (%.0f%%) with a normal RR; "
              "%d S missed of which %d (%.0f%%) premature" % (
                  arch, int((cls == S).sum()), int(((cls == S) & (b.y == S)).sum()), int(fp.sum()),
                  int((fp & ~short).sum()), 100.0 * (fp & ~short).sum() / max(fp.sum(), 1),
                  int(miss.sum()), int((miss & short).sum()), 100.0 * (miss & short).sum() / max(miss.sum(), 1)))


if __name__ == "__main__":
    main()
