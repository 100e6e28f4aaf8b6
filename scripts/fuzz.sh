#!/usr/bin/env bash
# Builds the libFuzzer target (tests/fuzz/fuzz_wfdb.cpp: the whole record path, header to
# beats and report JSON, on in-memory files) with clang, ASan and UBSan, and runs it on a
# copy of the seed corpus (tests/fuzz/corpus). Any crash, leak, timeout or sanitizer
# report fails the run; its reproducer is written to build-fuzz/artifacts/.
# Usage: scripts/fuzz.sh [SECONDS] [extra libFuzzer flags...]   (default 60 s)
#   e.g. scripts/fuzz.sh 0 -runs=10000000      (a fixed number of executions: bench/fuzz.sh)
#   ECG_FUZZ_BUILD_ONLY=1 scripts/fuzz.sh     builds the target and stops
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ECG_FUZZ_BUILD_DIR:-$here/build-fuzz}"
secs="${1:-60}"; shift || true
launcher=(); command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
# Only common/ and tests/ are needed: the other components are left out of this build.
cmake -S "$here" -B "$build" -DECG_FUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DECG_SKIP_DIRS=qnet;golden;hw;run;power;models;rtl;tb;tools;sweep;synth;sim" "${launcher[@]}" >/dev/null
cmake --build "$build" --target fuzz_wfdb -j"$(nproc)"
[ "${ECG_FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0
corpus="$(mktemp -d)"; trap 'rm -rf "$corpus"' EXIT
cp "$here"/tests/fuzz/corpus/* "$corpus/"
mkdir -p "$build/artifacts"
time_flag=(); [ "$secs" != 0 ] && time_flag=(-max_total_time="$secs")
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
"$build/tests/fuzz_wfdb" "${time_flag[@]}" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$build/artifacts/" -print_final_stats=1 "$@" "$corpus"
