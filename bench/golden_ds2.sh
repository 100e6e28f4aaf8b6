#!/usr/bin/env bash
# Benchmark: golden integer inference over all DS2 beats, per exported arch.
#   bench/golden_ds2.sh [-j THREADS] [ARCH ...]      (default: every weights/<arch>/, 1 thread)
# Runs `ecg_sim --arch A --mode golden --split ds2` and reads its JSON report: sim.wall_s is
# the inference alone (beat loading is sim.load_s). Target (issue 3): < 10 s per arch.
# Reports go to out/bench/golden_ds2_<arch>.json; exit 1 if an arch misses the target.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads=1
if [ "${1:-}" = "-j" ]; then threads="$2"; shift 2; fi
archs=("$@")
if [ ${#archs[@]} -eq 0 ]; then
  for d in "$here"/weights/*/; do [ -f "$d/model.json" ] && archs+=("$(basename "$d")"); done
fi
[ ${#archs[@]} -gt 0 ] || { echo "golden_ds2: no weights/<arch>/model.json" >&2; exit 2; }
out="$here/out/bench"
mkdir -p "$out"
printf "%-8s %7s %9s %9s %11s %8s  %s\n" arch beats accuracy golden_s beats_per_s load_s "target <10 s (threads=$threads, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
status=0
for arch in "${archs[@]}"; do
  json="$out/golden_ds2_$arch.json"
  "$here/ecg_sim" --arch "$arch" --mode golden --split ds2 -j "$threads" --json "$json" >/dev/null
  line=$(/usr/bin/python3 - "$json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["sim"]
ok = s["wall_s"] < 10
print(f'{r["arch"]:<8} {r["beats"]:>7} {100*r["accuracy"]:>8.2f}% {s["wall_s"]:>9.3f} {s["beats_per_s"]:>11.0f} {s["load_s"]:>8.2f}  {"ok" if ok else "MISSED"}')
PY
)
  echo "$line"
  case "$line" in *MISSED) status=1 ;; esac
done
exit $status
