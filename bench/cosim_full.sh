#!/usr/bin/env bash
# Benchmark (issue 16): every beat of the database through the RTL next to the TLM model, all
# five archs, one table.
#   bench/cosim_full.sh [-s SPLIT | -r RECORDS] [-n MAX_BEATS] [-j N] [ARCH ...]
#   (default: -s all, every beat, -j = cores, the five archs)
# Runs `ecg_sim --arch A --mode cosim --split SPLIT -j N --json` (records in N worker processes,
# the fast bridge; docs/cosim.md) and prints arch, beats, mismatches (RTL vs golden and TLM),
# cycle error (TLM vs RTL engine cycles), RTL cycles/s (all workers) and wall time.
# Target: all five archs <= 10 min in total on a 2-core machine. Reports:
# out/bench/cosim_<split>_n<max>_<arch>.json. Exit 1 when any arch has a mismatch or a cycle error.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
split=all
jobs="$(nproc)"
set_args=()
max=0
while [ $# -gt 0 ]; do
  case "$1" in
    -s) split="$2"; shift 2 ;;
    -r) split="r${2//,/_}"; set_args=(--records "$2"); shift 2 ;;
    -n) max="$2"; shift 2 ;;
    -j) jobs="$2"; shift 2 ;;
    -*) echo "cosim_full: unknown option $1 (-s SPLIT, -r RECORDS, -n MAX_BEATS, -j N)" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ ${#set_args[@]} -gt 0 ] || set_args=(--split "$split")
archs=("$@")
[ ${#archs[@]} -gt 0 ] || archs=(qrcnn bnn int2kd logq dwsep)
sim="${ECG_SIM:-$here/ecg_sim}"
out="$here/out/bench"
mkdir -p "$out"
printf "%-7s %8s %10s %12s %14s %9s\n" arch beats mismatches cycle_err_% rtl_cycles/s wall_s
status=0
t_all=$(date +%s.%N)
load0=$(cut -d' ' -f1 /proc/loadavg)
for arch in "${archs[@]}"; do
  json="$out/cosim_${split}_n${max}_$arch.json"
  t0=$(date +%s.%N)
  rc=0
  "$sim" --arch "$arch" --mode cosim "${set_args[@]}" --max-beats "$max" -j "$jobs" --json "$json" >/dev/null || rc=$?
  t1=$(date +%s.%N)
  if [ "$rc" -gt 1 ]; then echo "cosim_full: $arch: ecg_sim exit $rc" >&2; status=1; continue; fi
  /usr/bin/python3 - "$json" "$arch" "$(echo "$t1 - $t0" | bc)" <<'PY' || status=1
import json, sys
r = json.load(open(sys.argv[1]))
c = r["cosim"]
g = r.get("golden_check", {}).get("mismatches", 0)
mism = c["output_mismatches"] + g
print(f'{sys.argv[2]:<7} {c["beats_compared"]:>8} {mism:>10} {c["cycle_error_pct"]:>12.4f} '
      f'{r["sim"]["rtl_cycles_per_s"] / 1e6:>12.2f} M {float(sys.argv[3]):>9.1f}')
sys.exit(1 if mism or abs(c["cycle_error_pct"]) > 0 else 0)
PY
done
t_end=$(date +%s.%N)
echo "set: ${set_args[*]}, max beats $max (0 = all)"
echo "total wall $(echo "$t_end - $t_all" | bc | xargs printf '%.1f') s on $(nproc) cores, -j $jobs, load average at start $load0" \
     "(target <= 600 s)"
exit $status
