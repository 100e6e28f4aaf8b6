#!/usr/bin/env python3
"""Include-layer check: no source file includes a header of a higher layer.

The layers and what each may include are the ```layers block of docs/architecture.md (one
line per layer folder: `layer: the layers directly below it that it uses`; what those may
include is allowed too). Every quoted #include of every C/C++ file under a layer folder is
resolved to the file it names (beside the includer, else under <layer>/include/ or <layer>/
of any layer); a file of another layer that the includer's layer may not use is a violation.
Includes that resolve to nothing in the tree (system, Verilated V*.h) are not ours to check.

  scripts/check_layers.py [--root DIR]   exit 1 and one line per violation when there are any
  scripts/check_layers.py --self-test    checks the checker on a made-up tree (CI runs both)
"""
import argparse
import os
import re
import sys
import tempfile

SOURCE_EXT = (".h", ".hpp", ".cpp", ".cc")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def read_layers(doc_path):
    """{layer: set of layers it may include (itself and everything below, transitively)}."""
    text = open(doc_path, encoding="utf-8").read()
    m = re.search(r"```layers\n(.*?)```", text, re.S)
    if not m:
        raise SystemExit(f"{doc_path}: no ```layers block")
    direct = {}
    for n, line in enumerate(m.group(1).splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if ":" not in line:
            raise SystemExit(f"{doc_path}: layers line {n}: expected 'layer: lower layers'")
        name, deps = line.split(":", 1)
        direct[name.strip()] = deps.split()
    for name, deps in direct.items():
        for d in deps:
            if d not in direct:
                raise SystemExit(f"{doc_path}: layer {name} uses unknown layer {d}")
    allowed = {}

    def closure(name, stack=()):
        if name in stack:
            raise SystemExit(f"{doc_path}: layer cycle {' -> '.join(stack + (name,))}")
        if name not in allowed:
            s = {name}
            for d in direct[name]:
                s |= closure(d, stack + (name,))
            allowed[name] = s
        return allowed[name]

    for name in direct:
        closure(name)
    return allowed


def layer_of(rel_path):
    return rel_path.split(os.sep, 1)[0]


def check(root, doc_path):
    allowed = read_layers(doc_path)
    layers = sorted(allowed)
    roots = []  # include search roots, in order
    for layer in layers:
        roots += [os.path.join(root, layer, "include"), os.path.join(root, layer)]
    problems = []
    files = 0
    for layer in layers:
        for dirpath, _, names in os.walk(os.path.join(root, layer)):
            for name in sorted(names):
                if not name.endswith(SOURCE_EXT):
                    continue
                path = os.path.join(dirpath, name)
                files += 1
                text = open(path, encoding="utf-8", errors="replace").read()
                for inc in INCLUDE_RE.findall(text):
                    candidates = [os.path.join(dirpath, inc)] + [os.path.join(r, inc) for r in roots]
                    target = next((c for c in candidates if os.path.isfile(c)), None)
                    if target is None:
                        continue
                    to = layer_of(os.path.relpath(target, root))
                    if to not in allowed[layer]:
                        problems.append(f"{os.path.relpath(path, root)}: includes \"{inc}\" "
                                        f"({os.path.relpath(target, root)}): layer {layer} may not use {to}")
    return problems, files


def self_test():
    with tempfile.TemporaryDirectory() as d:
        def write(rel, text):
            p = os.path.join(d, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            open(p, "w").write(text)
        write("docs/architecture.md", "```layers\nlow:\nmid: low\nhigh: mid\n```\n")
        write("low/include/ecg/a.h", "#pragma once\n")
        write("mid/include/ecg/mid/b.h", '#include "ecg/a.h"\n')
        write("high/main.cpp", '#include "ecg/mid/b.h"\n#include "ecg/a.h"\n#include <vector>\n#include "Vtop.h"\n')
        doc = os.path.join(d, "docs/architecture.md")
        problems, files = check(d, doc)
        assert not problems and files == 3, (problems, files)
        write("low/src/a.cpp", '#include "ecg/a.h"\n#include "ecg/mid/b.h"\n')  # low includes mid
        problems, _ = check(d, doc)
        assert len(problems) == 1 and "low/src/a.cpp" in problems[0] and "may not use mid" in problems[0], problems
    print("check_layers self-test: ok (a clean tree passes, an upward include is reported)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args()
    if a.self_test:
        self_test()
        return 0
    root = os.path.abspath(a.root)
    problems, files = check(root, os.path.join(root, "docs", "architecture.md"))
    for p in problems:
        print(p)
    print(f"check_layers: {files} files, {len(problems)} upward includes")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
