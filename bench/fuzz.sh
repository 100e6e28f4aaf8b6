#!/usr/bin/env bash
# Benchmark run of the libFuzzer target (issue 13): a fixed number of executions (default
# 10 M) of the whole record path under ASan+UBSan, which must end with 0 crashes, leaks or
# timeouts (libFuzzer exits non-zero on the first one and leaves its input in
# build-fuzz/artifacts/). Prints libFuzzer's final stats and the executions per second.
# Usage: bench/fuzz.sh [RUNS] [JOBS] [libFuzzer flags...]   e.g. nice bench/fuzz.sh 10000000 1
#   JOBS > 1 runs that many independent fuzzer processes (seeds 1..JOBS), RUNS split
#   between them; e.g. -max_total_time=3600 caps the wall time (the stats say how far it got).
# libFuzzer's -timeout is wall-clock time: on a loaded machine (or at nice 19 beside builds) a
# 50 ms input can be stalled past it. The bench therefore uses -timeout=60 (a hang still never
# ends), and re-runs every timeout input it left, alone, and prints its time, so that a stall
# can be told from a hang. The exit status stays non-zero either way.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-10000000}"; jobs="${2:-1}"; shift $(( $# < 2 ? $# : 2 ))
set -- -timeout=60 "$@"  # after scripts/fuzz.sh's -timeout=10: libFuzzer takes the last one
start=$(date +%s)
if [ "$jobs" -gt 1 ]; then
  ECG_FUZZ_BUILD_ONLY=1 "$here/scripts/fuzz.sh" >/dev/null  # once, before the jobs share the build folder
  # Independent processes with different seeds, each a share of the runs.
  pids=(); share=$(( (runs + jobs - 1) / jobs ))
  for j in $(seq 1 "$jobs"); do
    "$here/scripts/fuzz.sh" 0 -runs="$share" -seed="$j" "$@" >"${TMPDIR:-/tmp}/fuzz_bench_$j.log" 2>&1 & pids+=($!)
  done
  rc=0; for p in "${pids[@]}"; do wait "$p" || rc=1; done
  for j in $(seq 1 "$jobs"); do grep -E "^stat::|ERROR|SUMMARY|Done" "${TMPDIR:-/tmp}/fuzz_bench_$j.log" | sed "s/^/[job $j] /"; done
else
  log="${TMPDIR:-/tmp}/fuzz_bench_1.log"
  rc=0; "$here/scripts/fuzz.sh" 0 -runs="$runs" -seed=1 "$@" >"$log" 2>&1 || rc=$?
  grep -E "^stat::|ERROR|SUMMARY|Done|^#[0-9]+ *DONE" "$log" || true
fi
end=$(date +%s)
build="${ECG_FUZZ_BUILD_DIR:-$here/build-fuzz}"
for t in $(find "$build/artifacts" -name 'timeout-*' -newermt "@$start" 2>/dev/null); do
  t0=$(date +%s%N); "$build/tests/fuzz_wfdb" "$t" >/dev/null 2>&1 && r=ok || r="exit $?"
  echo "re-run alone: $t: $(( ($(date +%s%N) - t0) / 1000000 )) ms ($r)"
done
echo "fuzz bench: $runs executions requested, $((end - start)) s wall, exit $rc (0 = no crash, leak or timeout)"
exit "$rc"
