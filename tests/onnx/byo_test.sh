#!/usr/bin/env bash
# docs/byo-model.md as a test: runs the page's ```sh blocks in order (bash -e), from the
# source tree, with `./ecg_sim` -> the built binary and outputs in a scratch folder.
#   byo_test.sh ECG_SIM SOURCE_DIR DATA_DIR WORK [--train]
# Without --train (CI) each training command is replaced by a copy of the committed model it
# produced (tests/onnx/models/, written by that very command); with --train it trains.
# Then the refusals: an unsupported op, a float-only model and a 2-D input each exit 2 with
# one line on stderr and leave no output folder.
set -euo pipefail
bin=$(realpath "$1"); src=$(realpath "$2"); data=$3; work=$4; train=${5:-}
rm -rf "$work"; mkdir -p "$work"
export ECG_SIM_BIN=$bin ECG_SIM_DATA=$data W=$work ECG_SIM_TRAIN_CACHE=$work/cache

script=$work/doc.sh
awk '/^```sh$/{on=1; next} /^```$/{on=0} on' "$src/docs/byo-model.md" > "$script"
grep -q "byo_train.py" "$script" || { echo "FAIL: no training command in docs/byo-model.md"; exit 1; }
sed -i "s#^\./ecg_sim #\"\$ECG_SIM_BIN\" #" "$script"
if [ "$train" != "--train" ]; then
  sed -i -E 's#^nice -n 15 /usr/bin/python3 scripts/onnx/byo_train.py --kind ([a-z0-9]+) --out \$W/([a-z0-9_]+)\.onnx$#cp tests/onnx/models/\2.onnx tests/onnx/models/\2.pt $W/#' "$script"
  if grep -q "byo_train.py" "$script"; then echo "FAIL: a training command the CI form cannot replace"; exit 1; fi
fi
(cd "$src" && bash -euo pipefail -x "$script") || { echo "FAIL: docs/byo-model.md walk-through"; exit 1; }
grep -q '"status"' "$work/sweep/results.jsonl" 2>/dev/null || ls "$work/sweep"

/usr/bin/python3 "$src/tests/onnx/make_bad_models.py" "$work/bad"
expect_refusal() {  # model, expected text
  local err rc=0
  err=$("$bin" import "$work/bad/$1.onnx" --out "$work/bad/w_$1" 2>&1 >/dev/null) || rc=$?
  [ "$rc" = 2 ] || { echo "FAIL: $1: exit $rc (want 2): $err"; exit 1; }
  [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] || { echo "FAIL: $1: not one line: $err"; exit 1; }
  case "$err" in *"$2"*) ;; *) echo "FAIL: $1: '$err' lacks '$2'"; exit 1 ;; esac
  [ ! -e "$work/bad/w_$1" ] || { echo "FAIL: $1: output folder left behind"; exit 1; }
  ls "$work/bad" | grep -q import && { echo "FAIL: $1: staging folder left behind"; exit 1; }
  echo "ok: $err"
}
expect_refusal unsupported "node 'act0' (Sigmoid)"
expect_refusal float_only "float-only model"
expect_refusal input_2d "input 'x': shape [1, 1, 12, 128] is 2-D"
# Fits golden/tlm but not the RTL variant's activation buffer: imported with a note; rtl refuses.
out=$("$bin" import "$work/bad/too_big.onnx" --out "$work/bad/too_big")
case "$out" in *"does not fit seq variant seq_byo8"*"outputs need 1536 words, activation buffer B has 256"*) ;;
  *) echo "FAIL: too_big: import output lacks the buffer note: $out"; exit 1 ;; esac
"$bin" --weights "$work/bad" --arch too_big --mode golden --records 100 --max-beats 5 >/dev/null
rc=0; err=$("$bin" --weights "$work/bad" --arch too_big --mode rtl --records 100 --max-beats 5 2>&1 >/dev/null) || rc=$?
[ "$rc" = 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && case "$err" in *"activation buffer B has 256"*) true ;; *) false ;; esac \
  || { echo "FAIL: too_big --mode rtl: exit $rc: $err"; exit 1; }
echo "ok: $err"
echo PASS
