#!/usr/bin/env bash
# End-to-end checks of the ecg_sim binary on real records: happy paths and every bad-input
# path of the foundation (clear one-line error, exit code 2, no partial output).
# Usage: cli_test.sh ECG_SIM_BINARY MITDB_DIR
set -u
bin="$1"; data="$2"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_error NAME NEEDLE CMD...: exit code 2, exactly one stderr line containing NEEDLE.
expect_error() {
  local name="$1" needle="$2"; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  local lines; lines=$(wc -l <"$tmp/err")
  if [ $rc -ne 2 ]; then bad "$name: exit $rc, want 2 ($(head -c 300 "$tmp/err"))"
  elif [ "$lines" -ne 1 ]; then bad "$name: $lines stderr lines, want 1: $(cat "$tmp/err")"
  elif ! grep -qF -- "$needle" "$tmp/err"; then bad "$name: stderr lacks '$needle': $(cat "$tmp/err")"
  else ok; fi
}

# --- inspect -------------------------------------------------------------------------------
if "$bin" inspect --record 100 --data "$data" --json "$tmp/i100.json" >"$tmp/out" 2>&1 \
   && grep -q "N=2239" "$tmp/out" && grep -q "all signals verify" "$tmp/out"; then ok; else bad "inspect 100: $(cat "$tmp/out")"; fi
if /usr/bin/env python3 -c "import json,sys; j=json.load(open(sys.argv[1])); assert j['beat_counts']=={'N':2239,'A':33,'V':1}, j; assert j['n_samples']==650000; assert j['signals'][0]['first_sample']==995" "$tmp/i100.json"; then ok; else bad "inspect --json content"; fi
ECG_SIM_DATA="$data" "$bin" inspect -r 101 >/dev/null 2>&1 && ok || bad "inspect via \$ECG_SIM_DATA"

# --- bad flags and names ---------------------------------------------------------------------
expect_error "unknown flag" "--frobnicate" "$bin" inspect --frobnicate
expect_error "unknown subcommand" "nonsense" "$bin" nonsense
expect_error "unknown record" "record 999" "$bin" inspect -r 999 --data "$data"
expect_error "missing data dir" "--data /no/such/dir" "$bin" inspect -r 100 --data /no/such/dir
expect_error "bad threads" "--threads" "$bin" export-beats --spec x --out "$tmp/x" --threads -3

# --- corrupted copies of record 100 (never written in the data folder) ------------------------
mk() { rm -rf "$tmp/d"; mkdir -p "$tmp/d"; cp "$data"/100.hea "$data"/100.dat "$data"/100.atr "$tmp/d/"; }
mk; rm "$tmp/d/100.dat";                       expect_error "missing .dat" "100.dat: cannot open" "$bin" inspect -r 100 --data "$tmp/d"
mk; truncate -s 100000 "$tmp/d/100.dat";       expect_error "truncated .dat" "100.dat: truncated" "$bin" inspect -r 100 --data "$tmp/d"
mk; truncate -s 2000 "$tmp/d/100.atr";         expect_error "truncated .atr" "100.atr: truncated annotation file" "$bin" inspect -r 100 --data "$tmp/d"
mk; printf '\xff\xdc' | dd of="$tmp/d/100.atr" bs=1 seek=8 conv=notrunc status=none
                                               expect_error "corrupt .atr" "100.atr: invalid annotation code" "$bin" inspect -r 100 --data "$tmp/d"
mk; sed -i 's/ 212 / 213 /' "$tmp/d/100.hea";  expect_error "unknown format" "unsupported signal format 213" "$bin" inspect -r 100 --data "$tmp/d"
mk; sed -i 's/650000/700000/' "$tmp/d/100.hea"; expect_error "header lies" "header says 700000 frames" "$bin" inspect -r 100 --data "$tmp/d"
mk; rm "$tmp/d/100.atr"
expect_error "export: missing .atr" "100.atr: cannot open" "$bin" export-beats --spec <(echo '{}') --records 100 --data "$tmp/d" --out "$tmp/e1"
[ ! -e "$tmp/e1" ] && ok || bad "export left output after an error"

# --- export-beats ----------------------------------------------------------------------------
echo '{"labels":"aami5","pre":90,"post":110,"length":64,"aux":"rr4"}' >"$tmp/spec.json"
expect_error "export: bad spec key" "input.lenght: unknown key" "$bin" export-beats --spec <(echo '{"lenght":3}') --records 100 --data "$data" --out "$tmp/e2"
[ ! -e "$tmp/e2" ] && ok || bad "export left output after a spec error"
if "$bin" export-beats --spec "$tmp/spec.json" --records 100,101 --data "$data" --out "$tmp/e3" 2>"$tmp/err" \
   && [ -s "$tmp/e3/x.npy" ] && [ -s "$tmp/e3/aux.npy" ] && [ -s "$tmp/e3/y.npy" ] && grep -q "^S$" "$tmp/e3/classes.txt"; then ok
else bad "export-beats: $(cat "$tmp/err")"; fi
if /usr/bin/env python3 - "$tmp/e3" <<'PY'
import struct, sys
def shape(p):
    b = open(p, 'rb').read()
    assert b[:6] == b'\x93NUMPY', p
    n = struct.unpack('<H', b[8:10])[0]
    return eval(b[10:10 + n].decode())['shape']
d = sys.argv[1]
x, a, y = shape(d + '/x.npy'), shape(d + '/aux.npy'), shape(d + '/y.npy')
assert x[1] == 64 and a[1] == 4 and x[0] == a[0] == y[0] > 3000, (x, a, y)
PY
then ok; else bad "export-beats array shapes"; fi

# --- the main job: the front door runs the TLM platform and prints the hardware figures -------
srcdir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if "$bin" --arch qrcnn --records 100 --max-beats 40 --data "$data" --weights "$srcdir/weights" --json "$tmp/main.json" \
     >"$tmp/out" 2>"$tmp/err" && grep -q "^beats 40 " "$tmp/out" && grep -q "^hardware (100 MHz)" "$tmp/out" \
   && grep -Eq "^  latency +[0-9]+ cycles = [0-9.]+ us per beat" "$tmp/out" && grep -Eq "^  power fpga28 .* mW static = [0-9.]+ mW" "$tmp/out" \
   && [ ! -s "$tmp/err" ]; then ok; else bad "main job (default mode tlm): $(cat "$tmp/out" "$tmp/err")"; fi
if /usr/bin/env python3 -c "import json,sys; j=json.load(open(sys.argv[1])); assert j['mode']=='tlm' and j['beats']==40 and j['hardware']['power_mw']['total']>0, j['mode']" "$tmp/main.json"; then ok; else bad "main job --json"; fi
"$bin" --arch qrcnn --mode golden --records 100 --max-beats 40 --data "$data" --weights "$srcdir/weights" >"$tmp/out" 2>&1
grep -q "^hardware" "$tmp/out" && bad "golden mode printed a hardware table" || ok
expect_error "bad --max-beats" "--max-beats" "$bin" --arch qrcnn --records 100 --max-beats -4 --data "$data"

echo "e2e_cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
