#!/usr/bin/python3
"""Fidelity of an imported network (docs/byo-model.md): the PyTorch model that was exported
to ONNX vs the imported integer network, on real MIT-BIH beats.

  * class agreement: argmax of the PyTorch (fake-quantized, float) logits vs argmax of the
    integer logits of scripts/train/qnet.py run_int (the format's integer semantics);
  * logits in LSBs: |torch_logit / logit_scale - integer_logit| (logit_scale: the real value
    of one logit LSB, from the importer's manifest.json);
  * golden: `ecg_sim --mode golden` on the same beats must give the confusion matrix of
    run_int (the C++ oracle and the integer simulation agree beat for beat in class).

Prints one summary line; --json FILE writes the figures; exit 1 when the agreement is below
--min-agree or golden differs.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "train"))
import qnet  # noqa: E402
import byo_train  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pt", required=True, help="the PyTorch model (.pt from byo_train.py)")
    ap.add_argument("--net", required=True, help="imported network folder (model.json, manifest.json)")
    ap.add_argument("--ecg-sim", default=os.environ.get("ECG_SIM_BIN", os.path.join(HERE, "..", "..", "ecg_sim")))
    ap.add_argument("--data", help="MIT-BIH folder")
    ap.add_argument("--records", default="100")
    ap.add_argument("--max-beats", type=int, default=600)
    ap.add_argument("--min-agree", type=float, default=99.5, help="percent")
    ap.add_argument("--cache", default=os.environ.get("ECG_SIM_TRAIN_CACHE", "/tmp/ecg_sim_train_cache"))
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--write-vectors", type=int, default=0, metavar="N",
                    help="also write N of these beats as the network's vectors.json (every layer's integer "
                         "output, scripts/train/train.py's format; the golden tests check them)")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    with open(os.path.join(args.net, "model.json")) as f:
        net = json.load(f)
    with open(os.path.join(args.net, "manifest.json")) as f:
        scale = json.load(f)["logit_scale"]
    b = byo_train.export_beats(args.ecg_sim, net["input"], args.records, args.data, args.cache)
    if args.max_beats and len(b) > args.max_beats:
        b = b.take(np.arange(args.max_beats))  # the first N, as ecg_sim --max-beats takes them
    if args.write_vectors:
        import train  # scripts/train/train.py: pick_vectors, vectors, dump_compact
        vec = train.vectors(net, b, train.pick_vectors(b, args.write_vectors))
        train.dump_compact(vec, os.path.join(args.net, "vectors.json"))
    model = byo_train.load(args.pt)
    x, a, _ = byo_train.tensors(b, model.aux)
    with torch.no_grad():
        tl = model(x, a).numpy().astype(np.float64)
    il, ic, _ = qnet.run_int(net, b.x, b.aux)
    tc = tl.argmax(1)
    lsb = np.abs(tl / scale - il)
    res = {"beats": int(len(b)), "records": args.records, "class_agreement_pct": float(100.0 * (tc == ic).mean()),
           "class_disagreements": int((tc != ic).sum()), "logit_lsb_max": float(lsb.max()),
           "logit_lsb_mean": float(lsb.mean()), "logit_lsb_p99": float(np.percentile(lsb, 99)),
           "logit_scale": scale, "torch_accuracy": float((tc == b.y).mean()),
           "int_accuracy": float((ic == b.y).mean())}

    # golden on the same beats: its confusion matrix must be run_int's.
    with tempfile.TemporaryDirectory() as tmp:
        rep = os.path.join(tmp, "golden.json")
        weights, name = os.path.split(os.path.abspath(args.net))
        cmd = [args.ecg_sim, "--weights", weights, "--arch", name, "--mode", "golden", "--records", args.records,
               "--max-beats", str(args.max_beats), "--json", rep, "-j", "1"] + (["--data", args.data] if args.data else [])
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        with open(rep) as f:
            golden = json.load(f)
    cm = qnet.confusion(b.y, ic, len(net["classes"])).tolist()
    res["golden_beats"] = golden["beats"]
    res["golden_confusion_equals_int"] = golden["confusion"] == cm and golden["beats"] == len(b)
    ok = res["class_agreement_pct"] >= args.min_agree and res["golden_confusion_equals_int"]
    print("%s: %d beats (records %s): class agreement PyTorch vs integer %.2f %% (%d differ), logits |diff| "
          "max %.2f mean %.3f p99 %.2f LSB; accuracy torch %.3f int %.3f; golden confusion %s"
          % (args.net, len(b), args.records, res["class_agreement_pct"], res["class_disagreements"],
             res["logit_lsb_max"], res["logit_lsb_mean"], res["logit_lsb_p99"], res["torch_accuracy"],
             res["int_accuracy"], "== integer" if res["golden_confusion_equals_int"] else "DIFFERS"))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=2)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
