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
     >"$tmp/out" 2>"$tmp/err" && grep -q "^beats 40 " "$tmp/out" && grep -Eq "^hardware \([0-9.]+ MHz\)" "$tmp/out" \
   && grep -Eq "^  latency +[0-9]+ cycles = [0-9.]+ us per beat" "$tmp/out" && grep -Eq "^  power ice40up .* mW static = [0-9.]+ mW" "$tmp/out" \
   && grep -Eq "^  area up5k +[0-9]+ LUTs, [0-9]+ FFs, [0-9]+ EBR" "$tmp/out" && grep -Eq "^  fmax  " "$tmp/out" \
   && grep -Eq "^  real time +[0-9.]+ beats/s of the recording: [0-9.]+ mW average" "$tmp/out" \
   && grep -Eq "^  battery +225 mAh at 3.0 V: [0-9]+ h" "$tmp/out" \
   && [ ! -s "$tmp/err" ]; then ok; else bad "main job (default mode tlm): $(cat "$tmp/out" "$tmp/err")"; fi
if /usr/bin/env python3 -c "import json,sys; j=json.load(open(sys.argv[1])); assert j['mode']=='tlm' and j['beats']==40 and j['hardware']['power_mw']['total']>0 and j['hardware']['area']['device']=='up5k' and j['hardware']['realtime']['battery_life_h']>0, j['mode']" "$tmp/main.json"; then ok; else bad "main job --json"; fi
"$bin" --arch qrcnn --mode golden --records 100 --max-beats 40 --data "$data" --weights "$srcdir/weights" >"$tmp/out" 2>&1
grep -q "^hardware" "$tmp/out" && bad "golden mode printed a hardware table" || ok
expect_error "bad --max-beats" "--max-beats" "$bin" --arch qrcnn --records 100 --max-beats -4 --data "$data"

# --- the front door's first line names the task, classes, split and model file (--task) -------
first() { head -n 1 "$tmp/out"; }
if "$bin" --arch qrcnn --mode golden --records 100 --max-beats 5 --data "$data" --weights "$srcdir/weights" >"$tmp/out" 2>&1 \
   && first | grep -Eq "^ecg_sim qrcnn --mode golden: AAMI-5 \(N S V F Q\), inter-patient DS1->DS2 split, model .*weights/aami/qrcnn/model\.json \([0-9]+ B weights, [0-9]+ ops per input\); 1 records, 5 beats$"
then ok; else bad "default task aami: $(first)"; fi
if "$bin" --arch int2kd --mode golden --records 100 --max-beats 5 --data "$data" --weights "$srcdir/weights" --task paper >"$tmp/out" 2>&1 \
   && first | grep -Eq "^ecg_sim int2kd --mode golden: NLRV-4 \(N L R V\), inter-patient DS1->DS2 split, model .*weights/int2kd/model\.json "
then ok; else bad "--task paper: $(first)"; fi
if "$bin" --arch logq --mode golden --records 201 --max-beats 3 --data "$data" --weights "$srcdir/weights" >"$tmp/out" 2>&1 \
   && first | grep -Eq "^ecg_sim logq --mode golden: AF detection \(nonAF AF\), inter-patient DS1->DS2 split, model .*weights/logq/model\.json "
then ok; else bad "logq keeps its only model under the default task: $(first)"; fi
mkdir -p "$tmp/own/qrcnn" && cp "$srcdir/weights/qrcnn/model.json" "$tmp/own/qrcnn/"
if "$bin" --arch qrcnn --mode golden --records 100 --max-beats 5 --data "$data" --weights "$tmp/own" >"$tmp/out" 2>&1 \
   && first | grep -Fq "ecg_sim qrcnn --mode golden: NLRAV-5 (N L R A V), split not recorded (no manifest.json), model $tmp/own/qrcnn/model.json ("
then ok; else bad "--weights DIR of your own (no aami/): $(first)"; fi
expect_error "bad --task" "--task" "$bin" --arch qrcnn --task cinc --records 100 --data "$data"

# --- hostile input (issue 13): copies in $tmp only; exit 2 with one line naming the file -------
run_golden() { "$bin" --arch qrcnn --mode golden --max-beats 40 --weights "$srcdir/weights" -j 1 "$@"; }
hea_edit() { /usr/bin/env python3 - "$tmp/d/100.hea" "$@" <<'PY'
import os, sys
p, old, new = sys.argv[1], os.fsencode(sys.argv[2]), os.fsencode(sys.argv[3])
b = open(p, 'rb').read()
assert old in b, old
open(p, 'wb').write(b.replace(old, new))
PY
}
# 1. non-UTF-8 and control bytes in header text and AUX strings: --json works, nothing raw on the terminal
mk; hea_edit " V5" $' m\xffV\x1b[2J5'; printf '# caf\xe9 \x9b\n' >>"$tmp/d/100.hea"
/usr/bin/env python3 - "$tmp/d/100.atr" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read())
n = (b[2] | b[3] << 8) & 0x3FF  # the first annotation's own AUX string
at = 4 + n + (n & 1) + 2        # after the second annotation's word
aux = b'(\xff\x1b[31m'  # 7 bytes: padded to 8
b[at:at] = bytes([len(aux), 63 << 2]) + aux + b'\0'  # AUX of the second annotation
open(p, 'wb').write(bytes(b))
PY
if "$bin" inspect -r 100 --data "$tmp/d" --json "$tmp/u.json" >"$tmp/out" 2>&1 && python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$tmp/u.json" \
   && ! grep -q $'\x1b' "$tmp/out" && grep -qF 'm\xffV\x1b[2J5' "$tmp/out"; then ok; else bad "non-UTF-8 header/AUX with inspect --json: $(head -c 300 "$tmp/out")"; fi
run_golden --records 100 --data "$tmp/d" --json "$tmp/u2.json" >"$tmp/out" 2>&1 && python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$tmp/u2.json" \
  && ok || bad "non-UTF-8 header/AUX with a run --json: $(tail -c 300 "$tmp/out")"
# 2. what a header implies is checked against the file before allocating
mk; hea_edit "650000" "2147483648";            expect_error "2^31 samples" "100.dat: truncated" "$bin" inspect -r 100 --data "$tmp/d"
mk; hea_edit "100.dat 212" "100.dat 212x99999999"; expect_error "212x99999999" "100.hea:2: samples per frame 99999999 is out of range" "$bin" inspect -r 100 --data "$tmp/d"
mk; hea_edit " 650000" ""; rm "$tmp/d/100.dat"; truncate -s 2G "$tmp/d/100.dat"
                                               expect_error "sparse 2 GB .dat, no count" "more than this reader takes" "$bin" inspect -r 100 --data "$tmp/d"
mk; rm "$tmp/d/100.dat"; ln -s /dev/zero "$tmp/d/100.dat"
                                               expect_error ".dat -> /dev/zero" "100.dat: is a link to a character device" "$bin" inspect -r 100 --data "$tmp/d"
# 3. files that are not regular files: a clear error, never a hang
mk; rm "$tmp/d/100.dat"; mkdir "$tmp/d/100.dat"; expect_error ".dat is a directory" "100.dat: is a directory" "$bin" inspect -r 100 --data "$tmp/d"
mk; rm "$tmp/d/100.dat"; mkfifo "$tmp/d/100.dat"; expect_error ".dat is a FIFO" "100.dat: is a FIFO" timeout 20 "$bin" inspect -r 100 --data "$tmp/d"
mk; rm "$tmp/d/100.hea"; mkfifo "$tmp/d/100.hea"; expect_error ".hea is a FIFO" "100.hea: is a FIFO" timeout 20 "$bin" inspect -r 100 --data "$tmp/d"
mk; rm "$tmp/d/100.atr"; ln -s /dev/null "$tmp/d/100.atr"; expect_error ".atr -> /dev/null" "100.atr: is a link to a character device" run_golden --records 100 --data "$tmp/d"
# 4. signal files stay beside their header
mk; hea_edit "100.dat 212 200 11 1024 995" "../x/100.dat 212 200 11 1024 995"; expect_error "../x/100.dat" "signal file '../x/100.dat' is not a plain file name" "$bin" inspect -r 100 --data "$tmp/d"
mk; hea_edit "100.dat 212 200 11 1024 995" "../../etc/passwd 212 200 11 1024 995"; expect_error "../../etc/passwd" "is not a plain file name" "$bin" inspect -r 100 --data "$tmp/d"
# 5. silent misreads: checksum policy, invalid values, missing MLII, wrong record name
mk; printf '\x55' | dd of="$tmp/d/100.dat" bs=1 seek=30000 conv=notrunc status=none
expect_error "run: flipped .dat byte" "100.dat: checksum mismatch in signal 0 (MLII)" run_golden --records 100 --data "$tmp/d"
expect_error "export: flipped .dat byte" "100.dat: checksum mismatch" "$bin" export-beats --spec "$tmp/spec.json" --records 100 --data "$tmp/d" --out "$tmp/e4"
"$bin" inspect -r 100 --data "$tmp/d" >"$tmp/out" 2>&1; [ $? -eq 1 ] && grep -q MISMATCH "$tmp/out" && ok || bad "inspect: checksum mismatch must exit 1"
if run_golden --records 100 --data "$tmp/d" --allow-checksum-mismatch --json "$tmp/cm.json" >"$tmp/out" 2>"$tmp/err" \
   && grep -q "warning: .*100.dat: checksum mismatch in signal 0" "$tmp/err" \
   && python3 -c "import json,sys; m=json.load(open(sys.argv[1]))['checksum_mismatches']; assert len(m)==1 and m[0]['signal']==0 and m[0]['record']=='100', m" "$tmp/cm.json"
then ok; else bad "--allow-checksum-mismatch: $(cat "$tmp/err")"; fi
mk; /usr/bin/python3 - "$tmp/d/100.dat" <<'PY'
import sys, numpy as np
p = sys.argv[1]; b = np.frombuffer(open(p, 'rb').read(), dtype=np.uint8).astype(np.int32).reshape(-1, 3)
x = np.empty(2 * len(b), dtype=np.int32); x[0::2] = b[:, 0] | ((b[:, 1] & 15) << 8); x[1::2] = b[:, 2] | ((b[:, 1] & 240) << 4)
x = np.where(x >= 2048, x - 4096, x)
open(p, 'wb').write(x.astype('<i2').tobytes())  # the same samples as format 16; the header still says 212
PY
expect_error "header 212, file format 16" "100.dat: checksum mismatch" run_golden --records 100 --data "$tmp/d"
for g in nan inf 0 -200 0x10; do mk; hea_edit "212 200 11 1024 995" "212 $g 11 1024 995"; expect_error "gain $g" "100.hea:2: " run_golden --records 100 --data "$tmp/d"
  grep -q "ADC gain" "$tmp/err" && ok || bad "gain $g: $(cat "$tmp/err")"; done
for f in inf 0 1e-300 0x10; do mk; hea_edit "100 2 360" "100 2 $f"; expect_error "fs $f" "100.hea:1: " run_golden --records 100 --data "$tmp/d"
  grep -q "sampling frequency" "$tmp/err" && ok || bad "fs $f: $(cat "$tmp/err")"; done
mk; hea_edit " MLII" " II";                   expect_error "no MLII" "100.hea: record 100 has no signal 'MLII'" run_golden --records 100 --data "$tmp/d"
run_golden --records 102 --data "$data" >"$tmp/out" 2>&1 && grep -q "^beats 40 " "$tmp/out" && ok || bad "record 102 (no MLII: V5 by design): $(tail -c 300 "$tmp/out")"
rm -rf "$tmp/n"; mkdir "$tmp/n"; for e in hea dat atr; do cp "$data/100.$e" "$tmp/n/105.$e"; done
expect_error "header names another record" "105.hea: the header is for record '100', not '105'" "$bin" inspect -r 105 --data "$tmp/n"
# 6. valid WFDB read as WFDB does: skew, no sample count
mk; hea_edit "100.dat 212 200 11 1024 1011" "100.dat 212:3 200 11 1024 1011"
"$bin" inspect -r 100 --data "$tmp/d" >"$tmp/out" 2>&1 && grep -q "all signals verify" "$tmp/out" && ok || bad "skew 212:3: $(cat "$tmp/out")"
mk; hea_edit " 650000" ""
"$bin" inspect -r 100 --data "$tmp/d" >"$tmp/out" 2>&1 && grep -q "650000 samples" "$tmp/out" && ok || bad "no sample count: $(head -1 "$tmp/out")"
# 7. clear messages
expect_error "5000-character record name" "--record: record name 'aaaa" "$bin" inspect -r "$(printf 'a%.0s' $(seq 5000))" --data "$data"
[ "$(wc -c <"$tmp/err")" -lt 300 ] && ok || bad "5000-character name: message not shortened"
mk; hea_edit "100 2 360" "100 99999999999 360"; expect_error "n_signals 99999999999" "number of signals 99999999999 is out of range" "$bin" inspect -r 100 --data "$tmp/d"
mk; hea_edit "100.dat 212" "100.dat 212x4294967297"; expect_error "212x4294967297" "samples per frame 4294967297 is out of range" "$bin" inspect -r 100 --data "$tmp/d"
expect_error "inspect --record ../x" "--record: '../x' is neither" "$bin" inspect --record ../x --data "$data"
mk; hea_edit "100 2 360" $'100 2\x1b[2J 360'; expect_error "control bytes in a message" 'bad number of signals' "$bin" inspect -r 100 --data "$tmp/d"
grep -q $'\x1b' "$tmp/err" && bad "control byte echoed raw: $(cat -v "$tmp/err")" || ok

echo "e2e_cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
