#!/usr/bin/env bash
# Benchmark: the TLM platform over a record set, per arch, against golden in the same run.
#   bench/tlm_speed.sh [-s SPLIT] [ARCH ...]     (default: -s all, the five archs)
# Runs `ecg_sim --arch A --mode tlm --split SPLIT -j 1 --json` (golden check on, one golden
# thread so the ratio compares one core with one core). An arch without trained
# weights/<arch>/model.json runs the hand-made test network models/tests/data/t_<arch>.json
# (marked "test-net"). Target (issue 4): all 48 records (~109k beats) <= 60 s per arch;
# outputs identical to golden on every beat. Reports: out/bench/tlm_<split>_<arch>.json.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
split=all
if [ "${1:-}" = "-s" ]; then split="$2"; shift 2; fi
archs=("$@")
[ ${#archs[@]} -gt 0 ] || archs=(qrcnn bnn int2kd logq dwsep)
out="$here/out/bench"
mkdir -p "$out"
testnets="$out/testnets"
printf "%-7s %-8s %7s %8s %10s %10s %6s %5s %10s %10s %9s  %s\n" arch weights beats tlm_s tlm_beat/s gold_beat/s ratio mism lat_us_mean ii_cycles fps \
  "target <=60 s ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
status=0
for arch in "${archs[@]}"; do
  weights="$here/weights"; kind=trained
  if [ ! -f "$weights/$arch/model.json" ]; then
    weights="$testnets"; kind=test-net
    mkdir -p "$testnets/$arch"
    cp "$here/models/tests/data/t_$arch.json" "$testnets/$arch/model.json"
  fi
  json="$out/tlm_${split}_$arch.json"
  "$here/ecg_sim" --arch "$arch" --mode tlm --split "$split" --weights "$weights" -j 1 --json "$json" >/dev/null
  line=$(/usr/bin/python3 - "$json" "$kind" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); s = r["sim"]; h = r["hardware"]; g = r["golden_check"]
ok = s["wall_s"] <= 60 and g["mismatches"] == 0
print(f'{r["arch"]:<7} {sys.argv[2]:<8} {r["beats"]:>7} {s["wall_s"]:>8.2f} {s["beats_per_s"]:>10.0f} {g["golden_beats_per_s"]:>10.0f} '
      f'{g["speed_vs_golden"]:>6.2f} {g["mismatches"]:>5} {h["latency_us"]["mean"]:>10.2f} {h["initiation_interval_cycles"]:>10.0f} '
      f'{h["throughput_fps"]:>9.0f}  {"ok" if ok else "MISSED"}')
PY
)
  echo "$line"
  case "$line" in *MISSED*) status=1 ;; esac
done
exit $status
