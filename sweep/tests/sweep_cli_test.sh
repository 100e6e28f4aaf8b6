#!/usr/bin/env bash
# End-to-end checks of `ecg_sim sweep` / `sweep-merge` with the fake child (fake_child.sh):
# bad specs are rejected with one line and exit 2 before any point runs; a sweep writes its
# CSV/JSONL; shards merged equal a single run; exit codes.
# Usage: sweep_cli_test.sh ECG_SIM_BINARY MITDB_DIR
set -u
bin="$1"; data="$2"
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
pass=0; fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
export FAKE_CHILD_LOG="$tmp/children.log"
check_out=1  # until the first real sweep: a rejected spec must leave no output folder
sw() { "$bin" sweep --exe "$here/fake_child.sh" --configs "$here/data/configs" "$@"; }

spec() {  # spec NAME BODY: writes NAME.toml with the common header
  printf 'mode = "tlm"\nrecords = "100,101"\ndata = "%s"\n%b\n' "$data" "$2" >"$1.toml"
}
expect_error() {  # expect_error NAME NEEDLE CMD...
  local name="$1" needle="$2"; shift 2
  rm -f "$FAKE_CHILD_LOG"
  "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ $rc -ne 2 ]; then bad "$name: exit $rc, want 2 ($(head -c 300 "$tmp/err"))"
  elif [ "$(wc -l <"$tmp/err")" -ne 1 ]; then bad "$name: want one stderr line: $(cat "$tmp/err")"
  elif ! grep -qF -- "$needle" "$tmp/err"; then bad "$name: stderr lacks '$needle': $(cat "$tmp/err")"
  elif [ -e "$FAKE_CHILD_LOG" ]; then bad "$name: points ran before the spec was rejected"
  elif [ "$check_out" = 1 ] && [ -e "$tmp/sweep_out" ]; then bad "$name: output written for a bad spec"
  else ok; fi
}

# --- bad specs: one line, exit 2, nothing run ---------------------------------------------------
spec unknown_arch 'archs = ["dwsep", "resnet"]\n[params]\n"engine.pe" = [1, 2]'
expect_error "unknown arch" "unknown_arch.toml: archs: unknown arch 'resnet'" sw unknown_arch.toml
spec unknown_param 'archs = ["dwsep"]\n[params]\n"engine.pe" = [1, 2]\n"engine.pee" = [1]'
expect_error "unknown parameter" "unknown parameter 'engine.pee'" sw unknown_param.toml
spec empty_range 'archs = ["dwsep"]\n[params]\n"engine.pe" = { from = 8, to = 1 }'
expect_error "empty range" "empty range (from 8 > to 1)" sw empty_range.toml
spec empty_list 'archs = ["dwsep"]\n[params]\n"engine.pe" = []'
expect_error "empty list" "params.engine.pe: empty value list" sw empty_list.toml
spec bad_type 'archs = ["dwsep"]\n[params]\n"engine.pe" = ["many"]'
expect_error "wrong type" "'engine.pe' is integer" sw bad_type.toml
printf 'mode = "fastest"\nrecords = "100"\narchs = ["dwsep"]\n' >bad_mode.toml
expect_error "bad mode" "unknown mode 'fastest'" sw bad_mode.toml
printf 'mode = "tlm"\nrecords = "100,999"\ndata = "%s"\narchs = ["dwsep"]\n' "$data" >bad_record.toml
expect_error "unknown record" "999" sw bad_record.toml
printf 'mode = "tlm"\nrecords = [100\n' >broken.toml
expect_error "broken TOML" "broken.toml:" sw broken.toml
expect_error "missing spec" "nope.toml: cannot open" sw nope.toml
spec good 'archs = ["dwsep", "qrcnn"]\n[params]\n"engine.pe" = [1, 2, 3, 4]\n"power.tech" = ["28nm", "65nm"]'
expect_error "bad shard" "--shard 2/2" sw good.toml --shard 2/2
expect_error "bad -j" "--jobs" sw good.toml -j -1

# --- a sweep: 16 points, 4 of them fail (pe=3) ----------------------------------------------
check_out=0
rm -f "$FAKE_CHILD_LOG"
sw good.toml --list >list.txt 2>&1 && [ "$(wc -l <list.txt)" -eq 16 ] && [ ! -e "$FAKE_CHILD_LOG" ] && ok || bad "--list: $(cat list.txt)"
sw good.toml -j 2 >out.txt 2>err.txt; rc=$?
[ $rc -eq 1 ] && ok || bad "sweep with failing points: exit $rc, want 1 ($(cat err.txt))"
[ ! -s err.txt ] && ok || bad "sweep piped: stderr should be quiet: $(cat err.txt)"
grep -q "16 points (16 run now, 0 already done): 12 ok, 4 failed" out.txt && ok || bad "summary: $(cat out.txt)"
[ "$(wc -l <sweep_out/good/results.csv)" -eq 17 ] && ok || bad "csv lines"
[ "$(wc -l <sweep_out/good/results.jsonl)" -eq 16 ] && ok || bad "jsonl lines"
[ "$(wc -l <"$FAKE_CHILD_LOG")" -eq 16 ] && ok || bad "children run: $(wc -l <"$FAKE_CHILD_LOG")"
/usr/bin/python3 - sweep_out/good/results.csv <<'PY' && ok || bad "csv content"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert [r["point"] for r in rows] == [str(i) for i in range(16)], rows
r = rows[9]  # qrcnn, pe=1, tech=65nm
assert (r["arch"], r["param.engine.pe"], r["param.power.tech"], r["status"]) == ("qrcnn", "1", "65nm", "ok"), r
assert r["power_mw_total"] == str(1 * 8 * 9 + 1) and r["config.power.tech"] == "65nm", r
bad = [r for r in rows if r["status"] == "failed"]
assert len(bad) == 4 and all(r["param.engine.pe"] == "3" and "not a power of two" in r["error"] for r in bad), bad
PY
expect_error "no silent overwrite" "already holds sweep results" sw good.toml
rm -f "$FAKE_CHILD_LOG"
sw good.toml --resume >out.txt 2>&1; [ $? -eq 1 ] && [ ! -e "$FAKE_CHILD_LOG" ] && grep -q "0 run now, 16 already done" out.txt && ok || bad "resume of a finished sweep: $(cat out.txt)"

# --- shards + merge == single run ------------------------------------------------------------
for i in 0 1 2; do sw good.toml --shard $i/3 -j 1 >/dev/null 2>&1; done
ls -d sweep_out/good/shard-*-of-3 >/dev/null 2>&1 && ok || bad "shard folders"
"$bin" sweep-merge --out merged sweep_out/good/shard-*-of-3 >merge.txt 2>&1 && grep -q "16 of 16 points" merge.txt && ok || bad "merge: $(cat merge.txt)"
strip() { /usr/bin/python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
keep = [i for i, h in enumerate(rows[0]) if h not in ("wall_s", "sim_wall_s", "sim_beats_per_s")]
for r in rows: print(",".join(r[i] for i in keep))' "$1"; }
[ "$(strip merged/results.csv)" = "$(strip sweep_out/good/results.csv)" ] && ok || bad "merged csv differs from the single run"
"$bin" sweep-merge --out partial sweep_out/good/shard-0-of-3 >/dev/null 2>merr.txt; rc=$?
[ $rc -eq 1 ] && grep -q "points are in no shard" merr.txt && ok || bad "partial merge: exit $rc $(cat merr.txt)"
expect_error "merge of a non-sweep folder" "not a sweep output folder" "$bin" sweep-merge --out m2 "$tmp"

# --- the real ecg_sim as the child ------------------------------------------------------------
src="$(cd "$here/../.." && pwd)"
mkdir -p w && ln -s "$src/weights/qrcnn" w/qrcnn
printf 'mode = "golden"\nrecords = "100"\ndata = "%s"\nweights = "%s"\narchs = ["qrcnn", "dwsep"]\n' "$data" "$tmp/w" >nonet.toml
expect_error "arch without a network" "nonet.toml: arch dwsep: no network $tmp/w/dwsep/model.json" "$bin" sweep nonet.toml --out real0
[ ! -e real0 ] && ok || bad "a rejected spec wrote its output folder"
printf 'mode = "golden"\nrecords = "100,119"\ndata = "%s"\nweights = "%s"\narchs = ["qrcnn"]\n' "$data" "$tmp/w" >real.toml
"$bin" sweep real.toml --out real >real.txt 2>&1 && ok || bad "golden sweep with the real binary: $(cat real.txt)"
/usr/bin/python3 - real/results.jsonl <<'PY' && ok || bad "real golden report in the results"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 1 and rows[0]["status"] == "ok", rows
r = rows[0]
assert r["beats"] > 3000 and 0.5 < r["accuracy"] <= 1 and r["weight_storage_bytes"] > 0, r
assert r["se_N"] is not None and r["sim_wall_s"] > 0 and r["wall_s"] >= r["sim_wall_s"], r
PY

# --- tlm mode (when this ecg_sim has it): the platform's parameter system checks every point ----
if "$bin" --arch qrcnn --mode tlm --records 100 --weights "$tmp/w" --data "$data" -j 1 >/dev/null 2>&1; then
  printf 'mode = "tlm"\nrecords = "100"\ndata = "%s"\nweights = "%s"\narchs = ["qrcnn"]\n[params]\n"engine.pe" = [1, 2, 0]\n' "$data" "$tmp/w" >range.toml
  expect_error "value out of range" "range.toml: point 2 (qrcnn engine.pe=0): -p engine.pe: value 0 is below the minimum 1" "$bin" sweep range.toml --out tlm0
  printf 'mode = "tlm"\nrecords = "100"\ndata = "%s"\nweights = "%s"\narchs = ["qrcnn"]\n[params]\n"engine.pee" = [1]\n' "$data" "$tmp/w" >typo.toml
  expect_error "unknown parameter (platform)" "-p engine.pee: unknown parameter" "$bin" sweep typo.toml --out tlm0
  [ ! -e tlm0 ] && ok || bad "a rejected spec wrote its output folder"
  printf 'mode = "tlm"\nrecords = "100"\ndata = "%s"\nweights = "%s"\narchs = ["qrcnn"]\n[params]\n"engine.pe" = [2, 8]\n' "$data" "$tmp/w" >tlm.toml
  "$bin" sweep tlm.toml --out tlm >tlm.txt 2>&1 && ok || bad "tlm sweep: $(cat tlm.txt)"
  /usr/bin/python3 - tlm/results.jsonl <<'PY' && ok || bad "tlm sweep results: more PEs, fewer cycles, same outputs"
import json, sys
a, b = [json.loads(l) for l in open(sys.argv[1])]
assert a["status"] == b["status"] == "ok", (a, b)
assert a["config"]["engine.pe"] == 2 and b["config"]["engine.pe"] == 8, (a["config"], b["config"])
assert a["latency_cycles_mean"] > b["latency_cycles_mean"] > 0 and a["fps"] < b["fps"], (a, b)
assert a["accuracy"] == b["accuracy"] and a["beats"] == b["beats"], (a, b)
PY
fi

echo "sweep_cli_test: $pass passed, $fail failed"
[ $fail -eq 0 ]
