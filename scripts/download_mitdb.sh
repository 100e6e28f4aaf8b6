#!/usr/bin/env bash
# Downloads the MIT-BIH Arrhythmia Database (48 records) from PhysioNet into data/mitdb
# (or DIR) and verifies every file against PhysioNet's SHA256SUMS.txt.
# Usage: scripts/download_mitdb.sh [DIR]
set -euo pipefail
dest="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/data/mitdb}"
base="https://physionet.org/files/mitdb/1.0.0"
mkdir -p "$dest"
cd "$dest"
fetch() { if command -v wget >/dev/null; then wget -q -O "$2" "$1"; else curl -fsSL -o "$2" "$1"; fi; }
fetch "$base/RECORDS" RECORDS
fetch "$base/SHA256SUMS.txt" SHA256SUMS.txt
for r in $(cat RECORDS); do
  for ext in hea dat atr; do
    [ -s "$r.$ext" ] || { echo "downloading $r.$ext"; fetch "$base/$r.$ext" "$r.$ext.part" && mv "$r.$ext.part" "$r.$ext"; }
  done
done
# Verify only the record files we fetched (the checksum list also names documentation files).
grep -E ' [0-9]{3}\.(hea|dat|atr)$' SHA256SUMS.txt | sha256sum -c --quiet -
echo "MIT-BIH Arrhythmia Database verified in $dest"
