#!/usr/bin/env bash
# scripts/download_mitdb.sh without a network: a file:// mirror of two records ($MITDB_URL).
# Downloads and verifies; a rerun keeps the files; a corrupted file is caught by the SHA-256
# check (one line, exit 2, file removed); an unreachable source is one line, exit 2.
# Usage: download_test.sh SOURCE_DIR MITDB_DIR
set -u
script="$1/scripts/download_mitdb.sh"; data="$2"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
one_line() { [ "$(wc -l <"$1")" -eq 1 ] && grep -q "$2" "$1"; }
mirror="$tmp/mirror"; mkdir -p "$mirror"
printf '100\n101\n' >"$mirror/RECORDS"
for r in 100 101; do for e in hea dat atr; do cp "$data/$r.$e" "$mirror/"; done; done
(cd "$mirror" && sha256sum 100.* 101.* >SHA256SUMS.txt && echo "0000  ANNOTATORS" >>SHA256SUMS.txt)

MITDB_URL="file://$mirror" "$script" "$tmp/a" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && grep -q "2 records verified (SHA-256) in $tmp/a" "$tmp/out" && [ ! -s "$tmp/err" ] &&
  cmp -s "$tmp/a/101.dat" "$data/101.dat" || bad "download: exit $rc, $(cat "$tmp/out" "$tmp/err")"
MITDB_URL="file://$mirror" "$script" --check >"$tmp/out" 2>"$tmp/err" && [ ! -s "$tmp/err" ] || bad "--check: $(cat "$tmp/err")"

rm "$mirror/101.dat"  # a rerun resumes from what is there: nothing is fetched again
MITDB_URL="file://$mirror" "$script" "$tmp/a" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || bad "rerun: exit $rc, $(cat "$tmp/err")"
cp "$data/101.dat" "$mirror/"

printf 'x' | dd of="$mirror/100.dat" bs=1 seek=1000 conv=notrunc 2>/dev/null  # corrupt one byte
MITDB_URL="file://$mirror" "$script" "$tmp/b" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && one_line "$tmp/err" "$tmp/b/100.dat: SHA-256 mismatch" && [ ! -e "$tmp/b/100.dat" ] &&
  [ -e "$tmp/b/101.dat" ] || bad "corrupted file: exit $rc, $(cat "$tmp/err")"

for url in "file://$tmp/nowhere" "http://127.0.0.1:9/mitdb"; do
  MITDB_URL="$url" "$script" "$tmp/c" >"$tmp/out" 2>"$tmp/err"; rc=$?
  [ $rc -eq 2 ] && one_line "$tmp/err" "cannot reach $url (no network?)" || bad "unreachable $url: exit $rc, $(cat "$tmp/err")"
  MITDB_URL="$url" "$script" --check >"$tmp/out" 2>"$tmp/err"; rc=$?
  [ $rc -eq 2 ] && one_line "$tmp/err" "cannot reach $url (no network?)" || bad "--check $url: exit $rc, $(cat "$tmp/err")"
done

[ $fail -eq 0 ] && echo "download_test: ok"
[ $fail -eq 0 ]
