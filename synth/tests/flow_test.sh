#!/usr/bin/env bash
# End-to-end test of `ecg_sim synth` on the flow's own small designs (tests/synth/):
#   - synth_mini_engine: maps its weight RAM to EBR and its multiply to a DSP, places and routes
#     on the UP5K at 24 MHz, writes a bitstream; the second call is served from the cache;
#   - synth_bad_engine: the checks find its $div/$mod cells and its 2048-bit memory in flip-flops
#     (exit 1, both reported in the JSON);
#   - bad flags: one line on stderr, exit 2, no JSON written.
# Usage: flow_test.sh ECG_SIM TESTS_RTL_DIR
set -euo pipefail
exe="$1"
rtl="$2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
jq_py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# 1. A good design, full UP5K flow.
"$exe" synth --engine-top synth_mini_engine --rtl "$rtl/synth_mini_engine.sv" -g Taps=2048 --clock-mhz 24 \
  --cache-dir "$tmp/cache" --json "$tmp/mini.json" > "$tmp/mini.txt" || { cat "$tmp/mini.txt"; fail "mini engine flow failed"; }
cat "$tmp/mini.txt"
[ "$(jq_py "$tmp/mini.json" "d['pass'] and d['fits'] and d['timing']['meets_clock']")" = True ] || fail "mini: not pass/fits/meets"
[ "$(jq_py "$tmp/mini.json" "d['utilization']['ebr']")" = 8 ] || fail "mini: 2048 x 16 bits should take 8 EBR"
[ "$(jq_py "$tmp/mini.json" "d['utilization']['dsp']")" = 1 ] || fail "mini: the 16x16 multiply should take 1 DSP"
[ "$(jq_py "$tmp/mini.json" "d['generic']['div_mod_cells']")" = 0 ] || fail "mini: no divider expected"
[ "$(jq_py "$tmp/mini.json" "d['utilization']['io']")" = 7 ] || fail "mini: the board top has 7 pins"
[ "$(jq_py "$tmp/mini.json" "d['bitstream']['bytes'] > 100000")" = True ] || fail "mini: no UP5K bitstream"
[ "$(jq_py "$tmp/mini.json" "d['timing']['fmax_mhz'] > 24")" = True ] || fail "mini: fmax"
[ "$(jq_py "$tmp/mini.json" "d['cached']")" = False ] || fail "mini: first run reported as cached"
grep -q "fmax" "$tmp/mini.txt" || fail "mini: no fmax line in the table"

# 2. The same request again: from the cache, instantly.
start=$(date +%s.%N)
"$exe" synth --engine-top synth_mini_engine --rtl "$rtl/synth_mini_engine.sv" -g Taps=2048 --clock-mhz 24 \
  --cache-dir "$tmp/cache" --json "$tmp/mini2.json" > /dev/null || fail "mini: cached call failed"
end=$(date +%s.%N)
[ "$(jq_py "$tmp/mini2.json" "d['cached']")" = True ] || fail "mini: second call not cached"
python3 -c "import sys; sys.exit(0 if $end - $start < 5 else 1)" || fail "mini: cached call took $(python3 -c "print($end - $start)") s"
# --check-only is another request (not served from the full one).
"$exe" synth --engine-top synth_mini_engine --rtl "$rtl/synth_mini_engine.sv" -g Taps=2048 --clock-mhz 24 \
  --check-only --cache-dir "$tmp/cache" --json "$tmp/mini3.json" > /dev/null || fail "mini: --check-only failed"
[ "$(jq_py "$tmp/mini3.json" "d['cached'] or 'utilization' in d")" = False ] || fail "mini: --check-only served the full result"

# 3. The checks reject a divider on an address path and a memory in flip-flops.
set +e
"$exe" synth --engine-top synth_bad_engine --rtl "$rtl/synth_bad_engine.sv" --check-only --cache-dir "$tmp/cache" \
  --json "$tmp/bad.json" > "$tmp/bad.txt" 2> "$tmp/bad.err"
rc=$?
set -e
cat "$tmp/bad.txt" "$tmp/bad.err"
[ $rc -eq 1 ] || fail "bad engine: exit $rc, expected 1"
[ "$(jq_py "$tmp/bad.json" "d['generic']['div_mod_cells'] >= 2")" = True ] || fail "bad engine: \$div/\$mod not found"
[ "$(jq_py "$tmp/bad.json" "d['generic']['ff_memory_bits_max']")" = 2048 ] || fail "bad engine: 2048-bit FF memory not found"
grep -q "div/\$mod" "$tmp/bad.err" || fail "bad engine: no message for the divider"
grep -q "flip-flops" "$tmp/bad.err" || fail "bad engine: no message for the FF memory"

# 4. Bad input: one line, exit 2, no output file.
check_exit2() {
  set +e
  "$exe" synth "$@" --cache-dir "$tmp/cache" --json "$tmp/never.json" > /dev/null 2> "$tmp/err"
  local rc=$?
  set -e
  [ $rc -eq 2 ] || fail "synth $*: exit $rc, expected 2"
  [ "$(wc -l < "$tmp/err")" -eq 1 ] || { cat "$tmp/err"; fail "synth $*: expected one line on stderr"; }
  [ ! -e "$tmp/never.json" ] || fail "synth $*: wrote a JSON"
}
check_exit2 --arch qrcnn --device ecp5
check_exit2 --arch nosuch
check_exit2 --arch qrcnn -p engine.pe=3
check_exit2 --arch qrcnn -p nosuch.key=1
check_exit2 --arch qrcnn --dsp maybe
check_exit2 --engine-top x --rtl "$tmp/none.sv"
check_exit2 --engine-top synth_mini_engine --rtl "$rtl/synth_mini_engine.sv" -g Taps
check_exit2
echo "synth flow e2e: ok"
