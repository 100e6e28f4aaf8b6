#!/usr/bin/env bash
# Behaviour check for refactors: the JSON reports of every arch in the golden, tlm and cosim
# modes on one record, before and after a change, must be identical except for wall-clock
# timing fields.
#
#   scripts/compare_reports.sh run EXE OUTDIR [RECORD]   write OUTDIR/<arch>_<mode>.json
#   scripts/compare_reports.sh diff BEFORE AFTER          compare two such folders (exit 1 on a difference)
#
# e.g. on main's build:  scripts/compare_reports.sh run /work/main/build/sim/ecg_sim /tmp/before
#      on this branch:   scripts/compare_reports.sh run build/sim/ecg_sim /tmp/after
#                        scripts/compare_reports.sh diff /tmp/before /tmp/after
# ECG_COMPARE_ARCHS / ECG_COMPARE_MODES narrow the set (default: all five archs, golden tlm cosim);
# ECG_COMPARE_COSIM_BEATS=N runs cosim on the first N beats only (default: the whole record).
# ECG_COMPARE_SOURCE_ROOTS="/work/main /work/h-x" (diff): binaries built from different checkouts
# name their own tech/calibration files; these source roots are read as one ("<source>").
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
archs="${ECG_COMPARE_ARCHS:-qrcnn bnn int2kd logq dwsep}"
modes="${ECG_COMPARE_MODES:-golden tlm cosim}"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1

case "${1:-}" in
run)
  exe="$2"; out="$3"; record="${4:-100}"
  mkdir -p "$out"
  for arch in $archs; do
    for mode in $modes; do
      limit=()
      [ "$mode" = cosim ] && [ -n "${ECG_COMPARE_COSIM_BEATS:-}" ] && limit=(--max-beats "$ECG_COMPARE_COSIM_BEATS")
      # Same working directory for both runs: default configs/weights resolve alike.
      (cd "$here" && "$exe" --arch "$arch" --mode "$mode" --records "$record" "${limit[@]}" -j 1 \
         --json "$out/${arch}_${mode}.json" >"$out/${arch}_${mode}.txt" 2>&1) ||
        echo "exit $? ${arch} ${mode}" >>"$out/exit_codes.txt"
      echo "${arch} ${mode} done" >&2
    done
  done
  ;;
diff)
  before="$2"; after="$3"
  /usr/bin/python3 - "$before" "$after" <<'PY'
import json, os, sys
# Wall-clock fields: they differ from run to run of the same binary.
TIMING = {"wall_s", "beats_per_s", "load_s", "golden_wall_s", "golden_beats_per_s",
          "speed_vs_golden", "rtl_cycles_per_s"}
ROOTS = sorted(os.environ.get("ECG_COMPARE_SOURCE_ROOTS", "").split(), key=len, reverse=True)
def strip(j):
    if isinstance(j, dict):
        return {k: strip(v) for k, v in j.items() if k not in TIMING}
    if isinstance(j, list):
        return [strip(v) for v in j]
    if isinstance(j, str):
        for r in ROOTS:
            j = j.replace(r.rstrip("/") + "/", "<source>/")
    return j
def diffs(a, b, path=""):
    if type(a) != type(b):
        yield f"{path or '(top)'}: {json.dumps(a)[:80]} -> {json.dumps(b)[:80]}"
    elif isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a: yield f"{path}.{k}: added"
            elif k not in b: yield f"{path}.{k}: removed"
            else: yield from diffs(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        if len(a) != len(b): yield f"{path}: length {len(a)} -> {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)): yield from diffs(x, y, f"{path}[{i}]")
    elif a != b:
        yield f"{path}: {json.dumps(a)} -> {json.dumps(b)}"
before, after = sys.argv[1:3]
names = sorted(f for f in os.listdir(before) if f.endswith(".json"))
bad = 0
for n in names:
    pa = os.path.join(after, n)
    if not os.path.exists(pa):
        print(f"{n}: missing in {after}"); bad += 1; continue
    d = list(diffs(strip(json.load(open(os.path.join(before, n)))), strip(json.load(open(pa)))))
    print(f"{n}: {'identical' if not d else f'{len(d)} differences'}")
    for line in d[:20]: print("   ", line)
    bad += bool(d)
for f in ("exit_codes.txt",):
    ea = open(os.path.join(before, f)).read() if os.path.exists(os.path.join(before, f)) else ""
    eb = open(os.path.join(after, f)).read() if os.path.exists(os.path.join(after, f)) else ""
    if ea != eb: print(f"exit codes differ:\n{ea}---\n{eb}"); bad += 1
print(f"{len(names)} reports compared, {bad} differ")
sys.exit(1 if bad or not names else 0)
PY
  ;;
*)
  sed -n 2,15p "$0"; exit 2 ;;
esac
