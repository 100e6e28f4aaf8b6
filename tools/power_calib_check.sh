#!/usr/bin/env bash
# power_calib_check.sh: is an arch's power calibration (power/calib/<arch>.json) still within
# LIMIT % of its RTL's own switching activity on a record it was NOT calibrated on?
# (docs/power.md, "Calibration check on held-out records").
#
#   tools/power_calib_check.sh ARCH RECORD [MAX_BEATS] [LIMIT_PCT]
#
# Runs the Verilated engine (seq or pipe, the arch's default shape) over the record's beats
# with its waveform streamed into the toggle counter, as the calibration was measured:
#   ecg_power_calibrate --arch ARCH --records RECORD [--beats N] --json OUT
# and compares the TLM estimate (counters x the committed calibration's toggle rates) with
# the RTL-activity estimate (the same counters x the toggle rates of this run's waveform):
# dynamic_difference_pct = 100 (TLM - RTL) / RTL, per block and in total. (The same
# comparison from ecg_sim itself: --mode rtl -p power.rtl_activity=true, docs/power.md.)
# MAX_BEATS 0 (default) = the whole record. LIMIT_PCT default 10.
# Exit 0: within the limit; 1: outside; 2: bad input (incl. RECORD = a calibration record).
# Env: ECG_POWER_CALIBRATE (default build/tools/ecg_power_calibrate), ECG_SIM_DATA (MIT-BIH),
# ECG_POWER_CHECK_JSON (keep the comparison there).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
arch="${1:-}"; record="${2:-}"; max_beats="${3:-0}"; limit="${4:-10}"
if [[ -z "$arch" || -z "$record" ]]; then
  echo "usage: tools/power_calib_check.sh ARCH RECORD [MAX_BEATS] [LIMIT_PCT]" >&2; exit 2
fi
[[ "$max_beats" =~ ^[0-9]+$ ]] || { echo "power_calib_check: MAX_BEATS must be a number >= 0, got '$max_beats'" >&2; exit 2; }
[[ "$limit" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "power_calib_check: LIMIT_PCT must be a number, got '$limit'" >&2; exit 2; }
calib="$here/power/calib/$arch.json"
[[ -f "$calib" ]] || { echo "power_calib_check: $calib: no calibration for arch '$arch'" >&2; exit 2; }
# A held-out check: the record must not be one the calibration was fitted on.
if /usr/bin/python3 -c 'import json,sys; sys.exit(0 if sys.argv[2] in json.load(open(sys.argv[1]))["provenance"]["records"] else 1)' \
     "$calib" "$record"; then
  echo "power_calib_check: record $record is one $calib was calibrated on: pick a held-out record" >&2; exit 2
fi
exe="${ECG_POWER_CALIBRATE:-$here/build/tools/ecg_power_calibrate}"
[[ -x "$exe" ]] || { echo "power_calib_check: $exe: not built (set ECG_POWER_CALIBRATE)" >&2; exit 2; }
out="${ECG_POWER_CHECK_JSON:-}"
tmp=""
if [[ -z "$out" ]]; then tmp="$(mktemp -d)"; out="$tmp/report.json"; fi
trap '[[ -n "$tmp" ]] && rm -rf "$tmp"' EXIT
args=(--arch "$arch" --records "$record" --json "$out")
[[ -n "${ECG_SIM_DATA:-}" ]] && args+=(--data "$ECG_SIM_DATA")
[[ "$max_beats" != 0 ]] && args+=(--beats "$max_beats")
echo "+ $exe ${args[*]}"
load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?"; }
load0="$(load)"
start=$(date +%s)
"$exe" "${args[@]}" > /dev/null
wall=$(( $(date +%s) - start ))
/usr/bin/python3 - "$out" "$limit" "$arch" "$record" "$wall" "$calib" "$load0 -> $(load)" <<'EOF'
import json, sys
path, limit, arch, record, wall, calib, load = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
cmp = json.load(open(path))
fitted = json.load(open(calib))["provenance"]
d = cmp["dynamic_difference_pct"]
print(f"{arch}: record {record}, {cmp['beats']} inputs (calibrated on record(s) {','.join(fitted['records'])}, "
      f"{fitted['beats']} inputs), {cmp['busy_cycles']:.0f} busy RTL cycles ({cmp['simulated_cycles']} simulated), "
      f"wall {wall} s (load average {load})")
print(f"{'block':<12} {'toggles':>14} {'tlm rate':>10} {'rtl rate':>10} {'diff %':>8}")
for name, b in sorted((n, b) for n, b in cmp["blocks"].items() if n != "clock"):
    print(f"{name:<12} {cmp['block_toggles'].get(name, 0):>14.0f} {b['tlm_toggle_rate']:>10.4f} "
          f"{b['rtl_toggle_rate']:>10.4f} {b['difference_pct']:>+8.2f}")
print(f"dynamic power while busy ({cmp['tech']}): TLM estimate {cmp['tlm']['dynamic_mw']:.4f} mW vs "
      f"RTL activity {cmp['rtl_activity']['dynamic_mw']:.4f} mW: {d:+.2f} % (limit {limit:g} %)")
if abs(d) >= limit:
    print(f"FAIL: |{d:+.2f}| % >= {limit:g} %")
    sys.exit(1)
print("PASS")
EOF
