#!/usr/bin/env bash
# ecg_sim's first-run hook end to end with a fake downloader ($ECG_SIM_DOWNLOADER; no network):
# --download-data fetches into --data DIR and the run goes on; without the flag, or without a
# network, one line on stderr and exit 2. (The terminal prompt: first_run_tests.)
# Usage: first_run_cli_test.sh ECG_SIM_BINARY MITDB_DIR
set -u
bin="$1"; data="$(cd "$2" && pwd -P)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
cat >"$tmp/fake.sh" <<FAKE
#!/bin/sh
echo "\$*" >>"$tmp/calls"
[ "\$1" = --check ] && exit 0
mkdir -p "\$1" && for e in hea dat atr; do ln -s "$data/100.\$e" "\$1/100.\$e"; done
FAKE
printf '#!/bin/sh\necho "download_mitdb.sh: cannot reach https://physionet.org/files/mitdb/1.0.0 (no network?)" >&2\nexit 2\n' >"$tmp/nonet.sh"
chmod +x "$tmp/fake.sh" "$tmp/nonet.sh"
run() { "$bin" --arch qrcnn --mode golden --records 100 -j 1 "$@" >"$tmp/out" 2>"$tmp/err"; }

ECG_SIM_DOWNLOADER="$tmp/fake.sh" run --data "$tmp/none"; rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q -- "--data $tmp/none: no such directory" "$tmp/err" &&
  [ ! -e "$tmp/calls" ] || bad "missing --data without --download-data: exit $rc, $(cat "$tmp/err")"

ECG_SIM_DOWNLOADER="$tmp/fake.sh" run --data "$tmp/new" --download-data; rc=$?
[ $rc -eq 0 ] && grep -q "accuracy" "$tmp/out" && [ -e "$tmp/new/100.hea" ] &&
  [ "$(cat "$tmp/calls")" = "$(printf -- '--check %s\n%s' "$tmp/new" "$tmp/new")" ] ||
  bad "--download-data: exit $rc, calls $(cat "$tmp/calls" 2>/dev/null), $(cat "$tmp/err")"

ECG_SIM_DOWNLOADER="$tmp/nonet.sh" run --data "$tmp/offline" --download-data; rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "^ecg_sim: download_mitdb.sh: cannot reach .*(no network?)" "$tmp/err" &&
  [ ! -e "$tmp/offline" ] || bad "no network: exit $rc, $(cat "$tmp/err")"

[ $fail -eq 0 ] && echo "first_run_cli_test: ok"
[ $fail -eq 0 ]
