#!/usr/bin/env bash
# CI step after scripts/test.sh (issue 13): hostile input under the sanitizers.
#  1. ASan + UBSan build (build-asan, without the Verilated rtl/ and tb/ components, which
#     the data path does not use) of the unit tests and ecg_sim; runs the data-path unit
#     tests and the end-to-end CLI test, with any sanitizer report failing the step.
#  2. The seeded mutation test (scripts/mutate_corpus.py), reduced: 40 mutations.
#  3. The libFuzzer target for ECG_FUZZ_SECONDS (default 60) on the seed corpus.
# Usage: scripts/ci_sanitize.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ECG_ASAN_BUILD_DIR:-$here/build-asan}"
data="${ECG_SIM_DATA:-$here/../shared/mitdb}"
jobs="$(nproc)"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
launcher=(); command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
t0=$SECONDS

san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
[ -f "$build/CMakeCache.txt" ] || cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DECG_SKIP_DIRS=rtl;tb" \
  "-DCMAKE_CXX_FLAGS=$san" "-DCMAKE_C_FLAGS=$san" "-DCMAKE_EXE_LINKER_FLAGS=$san" "${launcher[@]}" >/dev/null
cmake --build "$build" --target common_tests ecg_sim_cli -j"$jobs"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
log="$build/sanitize.log"; : >"$log"
# GoogleTest runs in one process per ctest entry; any report makes the test fail (halt_on_error).
ctest --test-dir "$build" -R '^(Wfdb|Beats|Preprocess|Labels|InputSpec|DataSets|WfdbHostile|BeatsHostile)|e2e_cli' \
      -j"$jobs" --output-on-failure 2>&1 | tee -a "$log"
if grep -Eq "ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer" "$log"; then
  echo "ci_sanitize: sanitizer reports above" >&2; exit 1; fi
echo "ci_sanitize: unit + e2e tests under ASan+UBSan: 0 reports ($((SECONDS - t0)) s so far)"

/usr/bin/python3 "$here/scripts/mutate_corpus.py" --bin "$build/sim/ecg_sim" --data "$data" -n 40 --seed 13 --jobs "$jobs"
echo "ci_sanitize: 40 mutations under ASan+UBSan: no finding ($((SECONDS - t0)) s so far)"

"$here/scripts/fuzz.sh" "${ECG_FUZZ_SECONDS:-60}"
echo "ci_sanitize: done in $((SECONDS - t0)) s"
