#!/usr/bin/env bash
# Benchmark: read all 48 MIT-BIH records and extract every beat (target < 10 s).
# Usage: bench/data_path.sh [MITDB_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
echo '{"labels":"aami5","pre":90,"post":110,"length":128,"aux":"rr4"}' >"$out/spec.json"
data=(); [ -n "${1:-}" ] && data=(--data "$1")
"$here/ecg_sim" inspect -r 100 "${data[@]}" >/dev/null   # builds on first use, outside the timing
start=$(date +%s.%N)
"$here/ecg_sim" export-beats --spec "$out/spec.json" --records all "${data[@]}" --out "$out/x"
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { t = e - s; printf "data path: all 48 records read and beats extracted in %.2f s (target < 10 s)\n", t; exit (t < 10 ? 0 : 1) }'
