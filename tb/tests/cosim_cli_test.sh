#!/usr/bin/env bash
# ecg_sim's co-simulation options end to end (docs/cosim.md): bad --trace-* / rtl.bridge values
# (one line, exit 2, no file), the TLM lanes in tlm mode, and -j 2 (worker processes) giving the
# same check totals, accuracy and confusion as one process.
#   tb/tests/cosim_cli_test.sh ECG_SIM MITDB
set -euo pipefail
sim="$1"; data="$2"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
fail() { echo "FAIL: $*" >&2; exit 1; }
run() { "$sim" --data "$data" --arch qrcnn --records 100 "$@"; }

bad() {  # expects exit 2, one line on stderr naming the flag, no output file
  local flag="$1"; shift
  set +e; run "$@" >"$work/out" 2>"$work/err"; local rc=$?; set -e
  [ "$rc" = 2 ] || fail "$* -> exit $rc (want 2): $(cat "$work/err")"
  [ "$(wc -l <"$work/err")" = 1 ] || fail "$* -> not one line: $(cat "$work/err")"
  grep -q -- "$flag" "$work/err" || fail "$* -> message does not name $flag: $(cat "$work/err")"
  [ ! -e "$work/t.vcd" ] && [ ! -e "$work/t.fst" ] && [ ! -e "$work/x.bad" ] || fail "$* left a file"
}
bad --trace-beats --mode cosim --max-beats 5 --trace "$work/t.vcd" --trace-beats 5:2
bad --trace-beats --mode cosim --max-beats 5 --trace "$work/t.vcd" --trace-beats 1:x
bad --trace-beats --mode cosim --max-beats 5 --trace "$work/t.vcd" --trace-beats 3:9
bad --trace-beats --mode cosim --max-beats 5 --trace-beats 1:2
bad --trace-at --mode cosim --max-beats 5 --trace "$work/t.vcd" --trace-at 101:5
bad --trace-at --mode cosim --max-beats 5 --trace "$work/t.vcd" --trace-beats 1:1 --trace-at 100:5
bad --trace-beats --mode tlm --max-beats 5 --trace "$work/t.vcd" --trace-beats 1:1
bad --trace --mode cosim --max-beats 5 --trace "$work/x.bad"
bad rtl.bridge --mode cosim --max-beats 5 -p rtl.bridge=slow
bad rtl.bridge --mode rtl --max-beats 5 -p rtl.bridge=pin --trace "$work/t.vcd" --trace-beats 1:1
bad rtl.bridge --mode tlm --max-beats 5 -p rtl.bridge=fast
bad --trace --mode tlm --max-beats 5 --trace "$work/t.fst"
bad power.rtl_activity --mode cosim --max-beats 5 -p power.rtl_activity=true --trace "$work/t.vcd" --trace-beats 1:1

# tlm mode: --trace FILE.vcd writes the TLM lanes
run --mode tlm --max-beats 20 --trace "$work/lanes.vcd" >/dev/null
for lane in beat_id dma_busy engine_busy queue_depth irq result_class latency_cycles; do
  grep -q " $lane" "$work/lanes.vcd" || fail "tlm lanes: no $lane"
done
[ "$(grep -c ' ~~~~a$' "$work/lanes.vcd")" -ge 20 ] || fail "tlm lanes: beat_id does not take every beat"
grep -q '^1~~~~c$' "$work/lanes.vcd" || fail "tlm lanes: engine never busy"

# --trace-at: the beat nearest the sample, one beat's waveform with the lanes
run --mode cosim --max-beats 6 --trace "$work/at.vcd" --trace-at 100:1000 --json "$work/at.json" >/dev/null 2>"$work/err"
grep -q "beat 2 of the run" "$work/err" || fail "--trace-at 100:1000: $(cat "$work/err")"
grep -q '^b10 ~~~~a$' "$work/at.vcd" || fail "--trace-at: beat_id 2 not in the window"

# --trace-depth 1: the engine module's own signals (fewer than all), the lanes kept
run --mode cosim --max-beats 3 --trace "$work/all.vcd" >/dev/null
run --mode cosim --max-beats 3 --trace "$work/d1.vcd" --trace-depth 1 >/dev/null
n_all=$(grep -c '\$var' "$work/all.vcd"); n_d1=$(grep -c '\$var' "$work/d1.vcd")
[ "$n_d1" -lt "$n_all" ] && [ "$n_d1" -gt 20 ] || fail "--trace-depth 1: $n_d1 signals of $n_all"
grep -q ' clk_i ' "$work/d1.vcd" && grep -q ' engine_busy ' "$work/d1.vcd" || fail "--trace-depth 1: pins or lanes missing"
[ "$(stat -c %s "$work/d1.vcd")" -lt "$(stat -c %s "$work/all.vcd")" ] || fail "--trace-depth 1: not smaller"

# -j 2 (chunks in worker processes) == one process: check totals, accuracy, confusion
run --mode cosim --max-beats 40 -j 1 --json "$work/j1.json" >/dev/null
run --mode cosim --max-beats 40 -j 2 --json "$work/j2.json" >/dev/null
/usr/bin/python3 - "$work/j1.json" "$work/j2.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for k in ("beats_compared", "output_mismatches", "rtl_cycles_total", "tlm_cycles_total", "cycle_error_pct"):
    assert a["cosim"][k] == b["cosim"][k], (k, a["cosim"][k], b["cosim"][k])
assert a["cosim"]["beats_compared"] == 40 and a["cosim"]["output_mismatches"] == 0
for k in ("accuracy", "confusion", "beats"):
    assert a[k] == b[k], k
assert a["hardware"]["latency_cycles"] == b["hardware"]["latency_cycles"]
assert b["sim"]["rtl_cycles_per_s"] > 0
PY
echo "cosim_cli_test: ok"
