#!/usr/bin/env bash
# Runs the test suite (CTest): builds on first use, like ./ecg_sim.
#   scripts/test.sh          every test except those labelled 'slow' (what CI runs)
#   scripts/test.sh --all    also the slow ones (full-database checks, long co-simulations)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ECG_SIM_BUILD_DIR:-$here/build}"
"$here/scripts/install_deps.sh"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
[ -f "$build/CMakeCache.txt" ] || cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j"$(nproc)"
label=(-LE slow)
[ "${1:-}" = "--all" ] && label=()
ctest --test-dir "$build" "${label[@]}" -j"$(nproc)" --output-on-failure
