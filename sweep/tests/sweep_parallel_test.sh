#!/usr/bin/env bash
# The cluster recipe of docs/sweeps.md, kept honest: a spec's shards run through GNU parallel
# (`parallel ecg_sim sweep SPEC --shard {}/N -j 1 ::: 0 .. N-1`), `sweep-merge` joins them,
# and the merged results equal a single unsharded run (wall-time columns aside): once with
# the fake child (16 points, 4 shards) and once with the real ecg_sim (golden, 2 archs).
# Usage: sweep_parallel_test.sh ECG_SIM_BINARY MITDB_DIR
set -u
bin="$1"; data="$2"
here="$(cd "$(dirname "$0")" && pwd)"
command -v parallel >/dev/null || { echo "FAIL: GNU parallel is not installed (scripts/install_deps.sh)"; exit 1; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail=0
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# results.csv without the columns that measure this run's own wall time
strip() { /usr/bin/python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
keep = [i for i, h in enumerate(rows[0]) if h not in ("wall_s", "sim_wall_s", "sim_beats_per_s")]
for r in rows: print(",".join(r[i] for i in keep))' "$1"; }
same_points() { /usr/bin/python3 -c '
import json, sys
a, b = ([json.loads(l)["id"] for l in open(f)] for f in sys.argv[1:3])
assert a == b and len(a) == int(sys.argv[3]), (a, b)' "$@"; }

# 1. fake child: 16 points over 4 shards, 4 jobs at once
printf 'mode = "tlm"\nrecords = "100,101"\ndata = "%s"\narchs = ["dwsep", "qrcnn"]\n[params]\n"engine.pe" = [1, 2, 4, 8]\n"power.tech" = ["28nm", "65nm"]\n' \
  "$data" >fake.toml
fake=(--exe "$here/fake_child.sh" --configs "$here/data/configs")
"$bin" sweep fake.toml "${fake[@]}" -j 2 --out single >single.txt 2>&1 || bad "single fake run: $(cat single.txt)"
parallel --will-cite -j 4 "$bin" sweep fake.toml "${fake[@]}" --shard {}/4 -j 1 ::: 0 1 2 3 >par.txt 2>&1 ||
  bad "parallel shards: $(cat par.txt)"
[ "$(ls -d sweep_out/fake/shard-*-of-4 | wc -l)" -eq 4 ] || bad "shard folders: $(ls sweep_out/fake)"
"$bin" sweep-merge --out merged sweep_out/fake/shard-*-of-4 >merge.txt 2>&1 && grep -q "16 of 16 points" merge.txt ||
  bad "merge: $(cat merge.txt)"
[ -s merged/results.csv ] && [ "$(strip merged/results.csv)" = "$(strip single/results.csv)" ] ||
  bad "fake: merged results.csv differs from the single run: $(diff <(strip merged/results.csv) <(strip single/results.csv) | head -5)"
same_points merged/results.jsonl single/results.jsonl 16 || bad "fake: results.jsonl points differ"

# 2. the real ecg_sim as the child (golden mode: deterministic outputs), one point per arch
printf 'mode = "golden"\nrecords = "100,119"\ndata = "%s"\narchs = ["qrcnn", "dwsep"]\n' "$data" >real.toml
"$bin" sweep real.toml -j 1 --out real_single >rs.txt 2>&1 || bad "single real run: $(cat rs.txt)"
parallel --will-cite -j 2 "$bin" sweep real.toml --shard {}/2 -j 1 ::: 0 1 >rp.txt 2>&1 || bad "parallel real shards: $(cat rp.txt)"
"$bin" sweep-merge --out real_merged sweep_out/real/shard-*-of-2 >rm.txt 2>&1 && grep -q "2 of 2 points" rm.txt ||
  bad "real merge: $(cat rm.txt)"
[ -s real_merged/results.csv ] && [ "$(strip real_merged/results.csv)" = "$(strip real_single/results.csv)" ] ||
  bad "real: merged results.csv differs from the single run: $(diff <(strip real_merged/results.csv) <(strip real_single/results.csv) | head -5)"
same_points real_merged/results.jsonl real_single/results.jsonl 2 || bad "real: results.jsonl points differ"
grep -q '"status": *"ok"' real_merged/results.jsonl && ! grep -q '"status": *"failed"' real_merged/results.jsonl ||
  bad "real: a point failed: $(cat real_merged/results.jsonl | head -c 400)"

[ $fail -eq 0 ] && echo "sweep_parallel_test: ok (fake 16 points / 4 shards, real golden 2 points / 2 shards)"
[ $fail -eq 0 ]
