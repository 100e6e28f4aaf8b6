#!/usr/bin/python3
"""Prints the results tables of docs/training.md from weights/<arch>/manifest.json (each
paper's task) and weights/aami/<arch>/manifest.json (AAMI-5 inter-patient, --task aami).

  /usr/bin/python3 scripts/train/report.py [--weights DIR] [--layers]
"""
import argparse
import json
import os

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ARCHS = ["qrcnn", "bnn", "int2kd", "logq", "dwsep"]
AAMI_ARCHS = ["qrcnn", "bnn", "int2kd", "dwsep"]


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
    aami = {}
    for a in AAMI_ARCHS:
        p = os.path.join(args.weights, "aami", a, "manifest.json")
        if os.path.exists(p):
            with open(p) as f:
                aami[a] = json.load(f)
    if aami:
        aami_tables(mans, aami)
    if args.layers:
        for a in mans:
            layer_table(os.path.join(args.weights, a, "model.json"), mans[a]["inter"]["stats"])
        for a in aami:
            layer_table(os.path.join(args.weights, "aami", a, "model.json"), aami[a]["inter"]["stats"])


def se_ppv(pc, c):
    v = pc.get(c)
    return "-" if v is None else "%s / %s" % (pct(v["se"]), pct(v["ppv"]))


def aami_tables(mans, aami):
    print()
    print("AAMI-5 inter-patient (weights/aami/<arch>, train DS1, select on DS1 records %s, test DS2), "
          "integer model, Se / +P %%:" % ",".join(next(iter(aami.values()))["inter"]["recipe"].get("holdout") or []))
    print()
    print("| arch | DS2 beats | INT acc % | N | S | V | F | Q | FP acc % | storage B | MACs/beat | train s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for a, m in aami.items():
        r = m["inter"]
        pc = r["int"]["per_class"]
        print("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %d | %d | %.0f |" % (
            a, r["int"]["n"], pct(r["int"]["accuracy"]), se_ppv(pc, "N"), se_ppv(pc, "S"),
            se_ppv(pc, "V"), se_ppv(pc, "F"), se_ppv(pc, "Q"), pct(r["fp"]["accuracy"]),
            r["stats"]["storage_bytes"], r["stats"]["macs_per_inference"], r["train_wall_s"]))
    print()
    print("Both settings on DS2 (integer models; the paper task's S column is its A class for "
          "qrcnn, none for int2kd):")
    print()
    print("| arch | setting | classes | model | DS2 acc % | S (A) Se / +P % | V Se / +P % |")
    print("|---|---|---|---|---|---|---|")
    for a in AAMI_ARCHS:
        for setting, m, path in (("paper", mans.get(a), "weights/%s" % a), ("aami", aami.get(a), "weights/aami/%s" % a)):
            if not m or "inter" not in m:
                continue
            pc = m["inter"]["int"]["per_class"]
            s_cls = "S" if "S" in pc else ("A" if "A" in pc else None)
            print("| %s | %s | %s | %s/model.json | %s | %s | %s |" % (
                a, setting, "/".join(m["classes"]), path, pct(m["inter"]["int"]["accuracy"]),
                se_ppv(pc, s_cls) if s_cls else "-", se_ppv(pc, "V")))
    print()
    print("Per-class Se / +P % on DS2 of every beat arch in both settings (integer models, from the "
          "manifests; the paper task's intra-patient figures are in the per-class lists above):")
    print()
    print("| arch | setting | DS2 acc % | per class: Se / +P % (n) |")
    print("|---|---|---|---|")
    for a in AAMI_ARCHS:
        for setting, m in (("paper", mans.get(a)), ("aami", aami.get(a))):
            if not m or "inter" not in m:
                continue
            pc = m["inter"]["int"]["per_class"]
            print("| %s | %s | %s | %s |" % (a, setting, pct(m["inter"]["int"]["accuracy"]), ", ".join(
                "%s %s (%d)" % (c, se_ppv(pc, c), pc[c]["n"]) for c in m["classes"])))


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
