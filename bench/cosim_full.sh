#!/usr/bin/env bash
# Benchmark (issue 16): every beat of the database through the RTL next to the TLM model, all
# five archs, one table.
#   bench/cosim_full.sh [-s SPLIT | -r RECORDS] [-n MAX_BEATS] [-j N] [-L [-D]] [-E] [-R N] [-p KEY=VALUE]... [ARCH ...]
#   (default: -s all, every beat, -j = cores, each arch's default shape, the five archs)
#   -L          the larger (xc7a35t-class) Verilated shape of each arch instead of its default
#               (seq pe 1 x simd 4, rtl/CMakeLists.txt): seq_<arch>_p4s8 (pe 4 x simd 8, bnn with 64
#               XNOR lanes) for all five archs
#   -D          with -L: dwsep on its paper pipeline instead, pipe_dwsep_p8s8 (configs/dwsep_pipe.toml,
#               pe 8 x simd 8; ~0.5 M RTL cycles per CPU second, ~50 min of CPU for the database)
#   -p KEY=V    more platform parameters for every arch (e.g. -p rtl.bridge=pin)
#   -R N        run each arch N times and keep the run with the least CPU time (this shared VM's CPU
#               time per run varies up to ~1.7x between identical runs, docs/cosim.md)
#   -E          after each arch, an ESTIMATE of the whole database (--split all) from this run:
#               its RTL engine cycles per beat x the database's beats (counted by a golden run,
#               `ecg_sim --mode golden --split all`), and that many cycles at this run's RTL cycles
#               per CPU second; then the sum over the archs. Meant for subset runs (-r/-n); the
#               golden runs count in "total wall", not in the CPU column.
# Runs `ecg_sim --arch A --mode cosim --split SPLIT -j N --json` (records in N worker processes,
# the fast bridge; docs/cosim.md) and prints arch, shape (pe x simd), beats, mismatches (RTL vs
# golden and TLM), cycle error (TLM vs RTL engine cycles), RTL clock cycles, RTL cycles/s (all
# workers, per wall second), wall time, CPU time (user + sys, workers included) and RTL cycles
# per CPU second, then the load average before and after.
# Target: all five archs <= 10 min in total on a 2-core machine. Reports:
# out/bench/cosim_<split>_n<max>_<arch>[_large].json. Exit 1 when any arch has a mismatch or a
# cycle error.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
split=all
jobs="$(nproc)"
set_args=()
extra=()
large=0
dwpipe=0
estimate=0
est_cpu_all=0
max=0
repeat=1
while [ $# -gt 0 ]; do
  case "$1" in
    -s) split="$2"; shift 2 ;;
    -r) split="r${2//,/_}"; set_args=(--records "$2"); shift 2 ;;
    -n) max="$2"; shift 2 ;;
    -j) jobs="$2"; shift 2 ;;
    -L) large=1; shift ;;
    -D) dwpipe=1; shift ;;
    -E) estimate=1; shift ;;
    -R) repeat="$2"; shift 2 ;;
    -p) extra+=(-p "$2"); shift 2 ;;
    -*) echo "cosim_full: unknown option $1 (-s SPLIT, -r RECORDS, -n MAX_BEATS, -j N, -L, -D, -E, -R N, -p KEY=VALUE)" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ ${#set_args[@]} -gt 0 ] || set_args=(--split "$split")
archs=("$@")
[ ${#archs[@]} -gt 0 ] || archs=(qrcnn bnn int2kd logq dwsep)
sim="${ECG_SIM:-$here/ecg_sim}"
out="$here/out/bench"
mkdir -p "$out"
printf "%-7s %-8s %8s %10s %12s %14s %14s %9s %9s %13s\n" arch shape beats mismatches cycle_err_% rtl_cycles \
  rtl_cycles/s wall_s cpu_s cycles/cpu_s
status=0
t_all=$(date +%s.%N)
cpu_all=0
load0=$(cut -d' ' -f1-3 /proc/loadavg)
for arch in "${archs[@]}"; do
  shape_args=()
  config="$here/configs/$arch.toml"
  if [ "$large" = 1 ]; then
    case "$arch$dwpipe" in
      dwsep1) config="$here/configs/dwsep_pipe.toml"  # -D: the paper's pipeline at 8 x 8
              shape_args=(--config "$config" -p engine.pe=8 -p engine.simd=8) ;;
      bnn*) shape_args=(-p engine.pe=4 -p engine.simd=8 -p engine.xnor_lanes=64) ;;  # seq_bnn_p4s8's XNOR word
      *) shape_args=(-p engine.pe=4 -p engine.simd=8) ;;
    esac
  fi
  json="$out/cosim_${split}_n${max}_$arch$([ "$large" = 1 ] && echo _large || true).json"
  rc=0
  cpu=
  for _ in $(seq "$repeat"); do
    t0=$(date +%s.%N)
    rc1=0
    # CPU seconds (user + sys) of ecg_sim and its worker processes: on a shared machine the wall
    # time depends on the load, the CPU time much less (RTL cycles per CPU second in the table).
    tfile="$(mktemp)"
    { TIMEFORMAT="%U %S"; time "$sim" --arch "$arch" --mode cosim "${set_args[@]}" --max-beats "$max" -j "$jobs" \
        "${shape_args[@]}" "${extra[@]}" --json "$json.run" >/dev/null 2>&3 || rc1=$?; } 3>&2 2>"$tfile"
    t1=$(date +%s.%N)
    cpu1=$(awk '{print $1 + $2}' "$tfile")
    rm -f "$tfile"
    [ "$rc1" -gt "$rc" ] && rc=$rc1
    if [ -z "$cpu" ] || [ "$(echo "$cpu1 < $cpu" | bc)" = 1 ]; then  # the least CPU time so far
      cpu=$cpu1; wall=$(echo "$t1 - $t0" | bc)
      [ -f "$json.run" ] && mv "$json.run" "$json"
    fi
    rm -f "$json.run"
  done
  cpu_all=$(echo "$cpu_all + $cpu" | bc)
  if [ "$rc" -gt 1 ]; then echo "cosim_full: $arch: ecg_sim exit $rc" >&2; status=1; continue; fi
  /usr/bin/python3 - "$json" "$arch" "$wall" "$config" "${shape_args[*]} ${extra[*]}" "$cpu" <<'PY' || status=1
import json, re, sys, tomllib
r = json.load(open(sys.argv[1]))
c = r["cosim"]
eng = tomllib.load(open(sys.argv[4], "rb"))["engine"]
pe, simd, style = eng["pe"], eng["simd"], eng.get("style", "seq")
for k, v in re.findall(r"engine\.(pe|simd)=(\d+)", sys.argv[5]):
    pe, simd = (int(v), simd) if k == "pe" else (pe, int(v))
g = r.get("golden_check", {}).get("mismatches", 0)
mism = c["output_mismatches"] + g
print(f'{sys.argv[2]:<7} {f"{style} {pe}x{simd}":<8} {c["beats_compared"]:>8} {mism:>10} {c["cycle_error_pct"]:>12.4f} '
      f'{r["sim"]["rtl_clock_cycles"]:>14} {r["sim"]["rtl_cycles_per_s"] / 1e6:>12.2f} M {float(sys.argv[3]):>9.1f} '
      f'{float(sys.argv[6]):>9.1f} {r["sim"]["rtl_clock_cycles"] / max(float(sys.argv[6]), 1e-9) / 1e6:>11.2f} M')
sys.exit(1 if mism or abs(c["cycle_error_pct"]) > 0 else 0)
PY
  if [ "$estimate" = 1 ]; then
    gjson="$out/golden_all_$arch.json"
    "$sim" --arch "$arch" --mode golden --split all -j "$jobs" --json "$gjson" >/dev/null 2>&1 ||
      { echo "cosim_full: $arch: golden --split all failed" >&2; status=1; continue; }
    est=$(/usr/bin/python3 - "$json" "$gjson" "$cpu" <<'PY'
import json, sys
r, g, cpu = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), float(sys.argv[3])
c = r["cosim"]
per_beat = c["rtl_cycles_total"] / max(c["beats_compared"], 1)
cycles = per_beat * g["beats"]
rate = r["sim"]["rtl_clock_cycles"] / max(cpu, 1e-9)
print(f"{g['beats']} {per_beat:.0f} {cycles:.4g} {rate:.4g} {cycles / rate:.0f}")
PY
)
    read -r db_beats per_beat db_cycles rate db_cpu <<< "$est"
    echo "  ESTIMATE $arch whole database: $db_beats beats x $per_beat cycles = $db_cycles RTL cycles;" \
         "at $rate cycles per CPU s (this run, record loading included) ~ $db_cpu CPU s"
    est_cpu_all=$(echo "$est_cpu_all + $db_cpu" | bc)
  fi
done
t_end=$(date +%s.%N)
echo "set: ${set_args[*]}, max beats $max (0 = all), shapes: $([ "$large" = 1 ] && echo "large (-L$([ "$dwpipe" = 1 ] && echo " -D" || true))" || echo "defaults")${extra[*]:+, ${extra[*]}}"
echo "total wall $(echo "$t_end - $t_all" | bc | xargs printf '%.1f') s on $(nproc) cores, -j $jobs," \
     "load average (1/5/15 min) at start $load0, at end $(cut -d' ' -f1-3 /proc/loadavg) (target <= 600 s);" \
     "CPU $(printf '%.1f' "$cpu_all") s (on an otherwise idle machine: ~ CPU s / min(-j, cores) of wall)"
if [ "$estimate" = 1 ]; then
  echo "ESTIMATE, whole database of these archs: ~$est_cpu_all CPU s, ~$(echo "$est_cpu_all / $(nproc) / 60" | bc -l | xargs printf '%.1f') min on $(nproc) idle cores"
fi
exit $status
