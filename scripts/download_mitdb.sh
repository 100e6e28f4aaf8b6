#!/usr/bin/env bash
# Downloads the MIT-BIH Arrhythmia Database (48 records, ~100 MB) from PhysioNet into
# data/mitdb (or DIR) and verifies every record file against PhysioNet's SHA256SUMS.txt.
# Progress on a terminal (stderr), quiet when piped; files already there are kept (a rerun
# resumes), every file is checked at the end.
# Usage: scripts/download_mitdb.sh [DIR]
#        scripts/download_mitdb.sh --check [DIR]   only: can PhysioNet be reached? (exit 0 / 2)
# Failures (no network, a checksum mismatch) print one line on stderr and exit 2.
# $MITDB_URL overrides the source (tests use a file:// mirror).
set -euo pipefail
check=0; [ "${1:-}" = "--check" ] && { check=1; shift; }
dest="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/data/mitdb}"
base="${MITDB_URL:-https://physionet.org/files/mitdb/1.0.0}"
me="download_mitdb.sh"
die() { echo "$me: $*" >&2; exit 2; }
# curl for file:// (tests) or when wget is missing; both retry briefly and stay quiet.
fetch() {
  if [[ "$1" != file://* ]] && command -v wget >/dev/null; then
    wget -q --tries=2 --timeout=20 -O "$2" "$1"
  else
    curl -fsS --retry 1 --connect-timeout 20 -o "$2" "$1" 2>/dev/null
  fi
}
if [ $check = 1 ]; then
  probe="$(mktemp)"; trap 'rm -f "$probe"' EXIT
  fetch "$base/RECORDS" "$probe" && [ -s "$probe" ] ||
    die "cannot reach $base (no network?); pass --data DIR or set \$ECG_SIM_DATA to use a copy elsewhere"
  exit 0
fi
mkdir -p "$dest" 2>/dev/null || die "$dest: cannot create the folder"
cd "$dest"
fetch "$base/RECORDS" RECORDS.part && mv RECORDS.part RECORDS ||
  { rm -f RECORDS.part; die "cannot reach $base (no network?); pass --data DIR or set \$ECG_SIM_DATA to use a copy elsewhere"; }
fetch "$base/SHA256SUMS.txt" SHA256SUMS.txt.part && mv SHA256SUMS.txt.part SHA256SUMS.txt ||
  { rm -f SHA256SUMS.txt.part; die "cannot download $base/SHA256SUMS.txt"; }
mapfile -t records <RECORDS
[ ${#records[@]} -gt 0 ] || die "$base/RECORDS is empty"
tty=0; [ -t 2 ] && tty=1
n=0
for r in "${records[@]}"; do
  n=$((n + 1))
  [ $tty = 1 ] && printf '\r%s: record %s (%d/%d) into %s ' "$me" "$r" "$n" "${#records[@]}" "$dest" >&2
  for ext in hea dat atr; do
    [ -s "$r.$ext" ] && continue
    fetch "$base/$r.$ext" "$r.$ext.part" && mv "$r.$ext.part" "$r.$ext" ||
      { rm -f "$r.$ext.part"; [ $tty = 1 ] && echo >&2; die "cannot download $base/$r.$ext (network lost?); rerun to resume"; }
  done
done
[ $tty = 1 ] && printf '\r%s: checking SHA-256 sums ...%*s\r' "$me" 40 '' >&2
# Verify only the record files (the checksum list also names documentation files).
sums="$(grep -E " ($(IFS='|'; echo "${records[*]}"))\.(hea|dat|atr)\$" SHA256SUMS.txt || true)"
[ "$(printf '%s\n' "$sums" | grep -c .)" -eq $((3 * ${#records[@]})) ] ||
  die "SHA256SUMS.txt does not list every record file of RECORDS"
if ! bad="$(printf '%s\n' "$sums" | sha256sum -c --quiet - 2>/dev/null)"; then
  first="$(printf '%s\n' "$bad" | head -1 | cut -d: -f1)"
  rm -f -- $(printf '%s\n' "$bad" | cut -d: -f1)  # a rerun fetches them again
  die "$dest/$first: SHA-256 mismatch (removed; rerun to fetch it again)"
fi
[ $tty = 1 ] && printf '\r%*s\r' 80 '' >&2
echo "MIT-BIH Arrhythmia Database: ${#records[@]} records verified (SHA-256) in $dest"
