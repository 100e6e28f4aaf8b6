#!/usr/bin/python3
"""Prints the results tables of docs/training.md from weights/<arch>/manifest.json.

  /usr/bin/python3 scripts/train/report.py [--weights DIR]
"""
import argparse
import json
import os

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ARCHS = ["qrcnn", "bnn", "int2kd", "logq", "dwsep"]


def pct(v):
    return "-" if v is None else "%.2f" % (100 * v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", default=os.path.join(REPO, "weights"))
    ap.add_argument("--layers", action="store_true", help="also print each inter model's layer table")
    args = ap.parse_args()
    mans = {}
    for a in ARCHS:
        p = os.path.join(args.weights, a, "manifest.json")
        if os.path.exists(p):
            with open(p) as f:
                mans[a] = json.load(f)
    print("| arch | eval | test set | FP acc % | INT acc % | INT mean Se % | torch-quant = int | "
          "storage B | params | MACs/inference | train s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for a, m in mans.items():
        for mode in ("intra", "inter"):
            r = m.get(mode)
            if not r:
                continue
            st = r["stats"]
            print("| %s | %s | %s (%d) | %s | %s | %s | %.4f | %d | %d | %d | %.0f |" % (
                a, mode, r["split"]["test"], r["int"]["n"], pct(r["fp"]["accuracy"]),
                pct(r["int"]["accuracy"]), pct(r["int"]["mean_se"]),
                r["torch_quant_vs_int_agreement"], st["storage_bytes"], st["params"],
                st["macs_per_inference"], r["train_wall_s"]))
    print()
    print("Per-class Se / +P (%) of the integer model, inter-patient (DS2):")
    print()
    for a, m in mans.items():
        r = m.get("inter")
        if not r:
            continue
        cells = ["%s %s/%s (n=%d)" % (c, pct(v["se"]), pct(v["ppv"]), v["n"])
                 for c, v in r["int"]["per_class"].items()]
        print("- %s: %s" % (a, ", ".join(cells)))
    print()
    print("Per-class Se / +P (%) of the integer model, intra-patient (random 20% test):")
    print()
    for a, m in mans.items():
        r = m.get("intra")
        if not r:
            continue
        cells = ["%s %s/%s (n=%d)" % (c, pct(v["se"]), pct(v["ppv"]), v["n"])
                 for c, v in r["int"]["per_class"].items()]
        print("- %s: %s" % (a, ", ".join(cells)))
    extra = []
    for a, m in mans.items():
        for mode in ("intra", "inter"):
            r = m.get(mode)
            if not r:
                continue
            if "no_kd" in r:
                extra.append("- %s %s: teacher FP %s%%, student INT2 without KD %s%% (FP %s%%), "
                             "with KD %s%% (FP %s%%)" % (
                                 a, mode, pct(r["teacher_fp"]["accuracy"]),
                                 pct(r["no_kd"]["int"]["accuracy"]), pct(r["no_kd"]["fp"]["accuracy"]),
                                 pct(r["int"]["accuracy"]), pct(r["fp"]["accuracy"])))
            if a == "logq":
                st = r["stats"]
                extra.append("- logq %s: %d weights, %d non-zero; FP32 %d B -> %d B stored "
                             "(compression %.1fx dense codes, %.1fx counting non-zeros only)" % (
                                 mode, st["params"], st["nonzero_params"], 4 * st["params"],
                                 st["storage_bytes"], 4 * st["params"] / st["storage_bytes"],
                                 4 * st["params"] / max(1, st["nonzero_params"] * 4 / 8)))
            if a == "dwsep":
                st = r["stats"]
                extra.append("- dwsep %s: %d params (%d non-zero), %d MACs = %d ops per inference" % (
                    mode, st["params"], st["nonzero_params"], st["macs_per_inference"],
                    st["ops_per_inference"]))
    if extra:
        print()
        print("\n".join(extra))
    if args.layers:
        for a in mans:
            layer_table(os.path.join(args.weights, a, "model.json"), mans[a]["inter"]["stats"])


def layer_table(path, stats):
    with open(path) as f:
        m = json.load(f)
    print()
    print("#### %s (%s, input %d x %s%d, aux %s)" % (
        m["arch"], "/".join(m["classes"]), m["input"]["length"],
        "INT" if m["input"]["signed"] else "UINT", m["input"]["bits"], m["input"]["aux"]))
    print()
    print("| layer | type | parameters | weights | out C x L | out bits | MACs |")
    print("|---|---|---|---|---|---|---|")
    for layer, st in zip(m["layers"], stats["layers"]):
        t = layer["type"]
        par, wt = "", ""
        if t in ("conv1d", "dense"):
            w = m["tensors"][layer["weight"]]
            wt = "%s %s%d %s" % (layer["weight"], w["encoding"], w["bits"], "x".join(map(str, w["shape"])))
            if t == "conv1d":
                par = "k=%d s=%d pad=%d/%d%s%s" % (w["shape"][2], layer["stride"], layer["pad_left"],
                                                   layer["pad_right"],
                                                   " pad_value=%d" % layer["pad_value"] if "pad_value" in layer else "",
                                                   " groups=%d" % layer["groups"] if "groups" in layer else "")
            if "bias" in layer:
                wt += " + bias"
        elif t == "requant":
            par = "[%d, %d]" % (layer["lo"], layer["hi"])
        elif t == "threshold":
            par = "+-1"
        elif t == "maxpool":
            par = "k=%d s=%d" % (layer["k"], layer["stride"])
        elif t == "concat_aux":
            par = "+%d aux" % layer["count"]
        print("| %s | %s | %s | %s | %d x %d | %s%d | %d |" % (
            layer["name"], t, par, wt, st["out"][0], st["out"][1],
            "s" if layer["out_signed"] else "u", layer["out_bits"], st["macs"]))


if __name__ == "__main__":
    main()
