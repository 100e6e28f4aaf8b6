#!/usr/bin/python3
"""The conventional twin of a weight-reusing network (docs/power.md, "QRCNN vs a conventional CNN").

    scripts/train/unroll_reuse.py weights/qrcnn weights/qrcnn_conv --arch qrcnn_conv

Reads SRC/model.json (ecg_sim.qnet/1) and writes DST/model.json in which every layer that
reuses a weight (and bias) tensor of an earlier layer gets its own stored copy, named
<tensor>_<layer> (qrcnn: the recurrent conv rconv_w, shared by 4 layers, becomes 4 tensors).
The topology, the INT4/UINT4/UINT8 arithmetic, the requant parameters and so every output are
unchanged: the twin is the hardware a conventional 5-layer quantized CNN of the same shapes
needs (4x the recurrent layer's weight storage, its own weight rows per layer), with the
trained shared weights as the copies' values. A conventional CNN trained with untied weights
would differ in accuracy, not in its hardware cost. vectors.json (if present) is copied with
the new arch, since the outputs are identical; manifest.json records the source.
"""
import argparse
import copy
import hashlib
import json
import os
import sys


def dump_compact(obj, f):
    """One line per top-level key, tensor and layer (as scripts/train/train.py writes model.json)."""
    c = lambda v: json.dumps(v, separators=(",", ":"))  # noqa: E731
    keys = list(obj)
    f.write("{\n")
    for i, k in enumerate(keys):
        v, end = obj[k], ("," if i < len(keys) - 1 else "")
        if k == "tensors":
            items = list(v.items())
            f.write(' "tensors": {\n')
            f.write(",\n".join(f"  {c(tk)}:{c(tv)}" for tk, tv in items) + "\n }" + end + "\n")
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            f.write(f" {c(k)}: [\n" + ",\n".join(f"  {c(e)}" for e in v) + "\n ]" + end + "\n")
        else:
            f.write(f" {c(k)}: {c(v)}{end}\n")
    f.write("}\n")


def unroll(model, arch):
    out = copy.deepcopy(model)
    out["arch"] = arch
    seen = set()
    copies = []
    for layer in out["layers"]:
        for key in ("weight", "bias"):
            name = layer.get(key)
            if not name:
                continue
            if name not in seen:
                seen.add(name)
                continue
            new = f"{name}_{layer['name']}"
            if new in out["tensors"]:
                sys.exit(f"unroll_reuse.py: tensor {new} already exists")
            out["tensors"][new] = copy.deepcopy(model["tensors"][name])
            layer[key] = new
            copies.append((layer["name"], name, new))
    return out, copies


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("src", help="folder with model.json (e.g. weights/qrcnn)")
    ap.add_argument("dst", help="output folder (e.g. weights/qrcnn_conv)")
    ap.add_argument("--arch", required=True, help="model.json 'arch' of the twin (its configs/<arch>.toml)")
    a = ap.parse_args(argv)
    src = os.path.join(a.src, "model.json")
    if not os.path.isfile(src):
        sys.exit(f"unroll_reuse.py: {src}: no such file")
    with open(src) as f:
        model = json.load(f)
    if model.get("format") != "ecg_sim.qnet/1":
        sys.exit(f"unroll_reuse.py: {src}: not an ecg_sim.qnet/1 network")
    twin, copies = unroll(model, a.arch)
    if not copies:
        sys.exit(f"unroll_reuse.py: {src}: no layer reuses a weight tensor: nothing to unroll")
    # UNROLL_REUSE_OUT: write there instead of DST (the test compares the result with the
    # committed DST; the manifest still records DST as the command's).
    out_dir = os.environ.get("UNROLL_REUSE_OUT") or a.dst
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "model.json"), "w") as f:
        dump_compact(twin, f)
    with open(src, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    manifest = {"format": "ecg_sim.qnet/1", "arch": a.arch, "classes": twin["classes"], "input": twin["input"],
                "derived_from": {"model": src, "sha256": digest,
                                 "command": f"scripts/train/unroll_reuse.py {a.src} {a.dst} --arch {a.arch}",
                                 "copies": [{"layer": l, "from": s, "tensor": n} for l, s, n in copies]}}
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    vec = os.path.join(a.src, "vectors.json")
    if os.path.isfile(vec):
        with open(vec) as f:
            text = f.read()
        old = '"arch":' + json.dumps(model["arch"])
        if text.count(old) != 1:
            sys.exit(f"unroll_reuse.py: {vec}: expected one {old}")
        with open(os.path.join(out_dir, "vectors.json"), "w") as f:
            f.write(text.replace(old, '"arch":' + json.dumps(a.arch)))
    for l, s, n in copies:
        print(f"{l}: {s} -> {n}")
    print(f"wrote {out_dir}/model.json ({len(copies)} copies)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
