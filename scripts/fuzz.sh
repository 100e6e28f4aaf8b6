#!/usr/bin/env bash
# Builds the libFuzzer target for the WFDB header/annotation parsers with clang and runs it.
# Usage: scripts/fuzz.sh [SECONDS]   (default 60)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$here/build-fuzz"
cmake -S "$here" -B "$build" -DECG_FUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target fuzz_wfdb -j"$(nproc)"
corpus="$(mktemp -d)"; trap 'rm -rf "$corpus"' EXIT
cp "$here"/tests/fuzz/corpus/* "$corpus/"
"$build/tests/fuzz_wfdb" -max_total_time="${1:-60}" -max_len=4096 "$corpus"
