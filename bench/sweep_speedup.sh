#!/usr/bin/env bash
# Sweep benchmark (issue 7): one sweep (default: the 50-point TLM sweep over 3 records,
# configs/sweeps/bench_tlm50.toml) run twice in the same invocation, with -j N (default: cores) and -j 1.
# Prints both wall times, the speed-up, the machine load around each run, and checks that both
# runs produced the same results (timing columns aside).
# Targets: the -j N sweep <= 300 s, speed-up >= 1.7 on 2 cores.
# Usage: bench/sweep_speedup.sh [SPEC] [N]     (ECG_SIM_BIN overrides the binary)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
spec="${1:-$here/configs/sweeps/bench_tlm50.toml}"
jobs="${2:-$(nproc)}"
bin="${ECG_SIM_BIN:-$here/build/sim/ecg_sim}"
[ -x "$bin" ] || { "$here/ecg_sim" --help >/dev/null 2>&1 || true; }
[ -x "$bin" ] || { echo "sweep_speedup: no ecg_sim binary at $bin" >&2; exit 2; }
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
cd "$here"

run() {  # run LABEL JOBS -> prints "seconds"
  local t0 t1
  t0=$(date +%s.%N)
  "$bin" sweep "$spec" -j "$2" --out "$out/$1" --no-progress >"$out/$1.txt" 2>&1 || true
  t1=$(date +%s.%N)
  echo "$t0 $t1" | awk '{printf "%.2f", $2 - $1}'
}
load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "sweep_speedup: $spec on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
"$bin" sweep "$spec" --list >"$out/list.txt"
points=$(wc -l <"$out/list.txt")
l0=$(load); tN=$(run jN "$jobs"); l1=$(load)
t1=$(run j1 1); l2=$(load)
cat "$out/jN.txt" "$out/j1.txt"
speedup=$(awk -v a="$t1" -v b="$tN" 'BEGIN {printf "%.2f", a / b}')
same=$(/usr/bin/python3 - "$out/jN/results.csv" "$out/j1/results.csv" <<'PY'
import csv, sys
def rows(p):
    r = list(csv.reader(open(p)))
    keep = [i for i, h in enumerate(r[0]) if h not in ("wall_s", "sim_wall_s", "sim_beats_per_s")]
    return [[x[i] for i in keep] for x in r]
print("identical" if rows(sys.argv[1]) == rows(sys.argv[2]) else "DIFFERENT")
PY
)
ok=$(grep -c '"status":"ok"' "$out/jN/results.jsonl" || true)
echo "points: $points ($ok ok with -j $jobs)"
echo "-j $jobs: ${tN} s   (load before/after: $l0 / $l1)"
echo "-j 1: ${t1} s   (load after: $l2)"
echo "speed-up: ${speedup}x   results of both runs: $same"
awk -v t="$tN" -v s="$speedup" 'BEGIN {
  printf "target -j N <= 300 s: %s; target speed-up >= 1.7: %s\n", (t <= 300 ? "met" : "MISSED"), (s >= 1.7 ? "met" : "MISSED") }'
[ "$same" = identical ]
