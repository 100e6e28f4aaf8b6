#!/usr/bin/env bash
# Instructions per RTL clock cycle of the co-simulation bridge, counted by callgrind: the cost of
# one simulated cycle independent of the machine's load (times on a shared VM vary ~1.7x between
# runs; instruction counts do not). For each arch, binary and bridge it runs
#   valgrind --tool=callgrind ecg_sim --arch A --mode cosim --records R --max-beats N -p rtl.bridge=B
# for N and 2N beats and reports (instructions(2N) - instructions(N)) / (cycles(2N) - cycles(N)),
# whole-program counts: start-up, record loading and the weight load cancel; what is left is the
# N beats' cycles (the Verilated model, the bridge loop and port I/O; for pin, the SystemC
# kernel's clocking) plus the beats' TLM model and golden check, the same in both bridges and
# ~1 % here. (The pin bench runs in SystemC threads, whose switches defeat callgrind's
# --toggle-collect, hence whole-program counts for both.)
#
#   bench/cosim_instr.sh [-b BINARY]... [-p fast|pin]... [-r RECORD] [-n N] [ARCH...]
#     -b  an ecg_sim binary (repeatable: compare builds in one run; default $ECG_SIM, else the
#         repository's front door ./ecg_sim, which builds itself on first use)
#     -p  bridge (repeatable; default fast)
#     -r  record (default 100); -n  beats N (default 4; int2kd and dwsep 2)
#   ARCH: default all five (qrcnn bnn int2kd logq dwsep). Data: ecg_sim's own search
#   ($ECG_SIM_DATA, data/mitdb, ../shared/mitdb).
# Output: a Markdown table (arch, bridge, binary, RTL cycles between the runs, instructions per
# RTL cycle); valgrind's own output goes to a temporary directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bins=() bridges=() rec=100 nbeats=""
while getopts "b:p:r:n:h" o; do
  case $o in
    b) bins+=("$OPTARG") ;;
    p) bridges+=("$OPTARG") ;;
    r) rec=$OPTARG ;;
    n) nbeats=$OPTARG ;;
    h) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "cosim_instr.sh: bad option (see -h)" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
archs=("$@")
[ ${#archs[@]} -gt 0 ] || archs=(qrcnn bnn int2kd logq dwsep)
[ ${#bridges[@]} -gt 0 ] || bridges=(fast)
if [ ${#bins[@]} -eq 0 ]; then
  if [ -n "${ECG_SIM:-}" ]; then
    bins=("$ECG_SIM")
  else  # the front door builds on first use; valgrind must run its binary, not the script
    "$here/../ecg_sim" --help >/dev/null
    bins=("${ECG_SIM_BUILD_DIR:-$here/../build}/sim/ecg_sim")
  fi
fi
command -v valgrind >/dev/null || { echo "cosim_instr.sh: valgrind not found (apt-get install valgrind)" >&2; exit 2; }
for b in "${bins[@]}"; do
  [ -x "$b" ] || { echo "cosim_instr.sh: $b: not an executable" >&2; exit 2; }
done
for p in "${bridges[@]}"; do
  case $p in fast|pin) ;; *) echo "cosim_instr.sh: -p $p: fast or pin" >&2; exit 2 ;; esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# count BINARY ARCH BRIDGE BEATS: sets ir (instructions) and cyc (RTL clock cycles); run in
# this shell, not a command substitution, so that a failure ends the script.
count() {
  local out="$tmp/run"
  valgrind --tool=callgrind --callgrind-out-file="$out.cg" \
    "$1" --arch "$2" --mode cosim --records "$rec" --max-beats "$4" -p rtl.bridge="$3" \
    --json "$out.json" >"$out.log" 2>&1 ||
    { echo "cosim_instr.sh: $1 --arch $2 -p rtl.bridge=$3 failed:" >&2; grep -v "^==" "$out.log" | tail -3 >&2; exit 1; }
  ir=$(sed -n 's/^==[0-9]*== Collected : *//p' "$out.log")
  cyc=$(grep -o '"rtl_clock_cycles": *[0-9]*' "$out.json" | grep -o '[0-9]*$' || true)
  [ -n "$ir" ] && [ -n "$cyc" ] || { echo "cosim_instr.sh: no count from $1 --arch $2" >&2; exit 1; }
}

echo "| arch | bridge | binary | RTL cycles | instructions per RTL cycle |"
echo "|---|---|---|---|---|"
for a in "${archs[@]}"; do
  n=$nbeats
  if [ -z "$n" ]; then
    case $a in int2kd|dwsep) n=2 ;; *) n=4 ;; esac
  fi
  for p in "${bridges[@]}"; do
    for b in "${bins[@]}"; do
      count "$b" "$a" "$p" "$n"
      i1=$ir c1=$cyc
      count "$b" "$a" "$p" $((2 * n))
      i2=$ir c2=$cyc
      awk -v a="$a" -v p="$p" -v b="$b" -v i1="$i1" -v i2="$i2" -v c1="$c1" -v c2="$c2" 'BEGIN {
        if (c2 <= c1) { print "cosim_instr.sh: " a ": no cycles between the runs" > "/dev/stderr"; exit 1 }
        printf "| %s | %s | %s | %d | %.0f |\n", a, p, b, c2 - c1, (i2 - i1) / (c2 - c1) }'
    done
  done
done
