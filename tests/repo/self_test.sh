#!/usr/bin/env bash
# no_shared_refs.sh must fail on a file that refers to the shared folder beside the checkout
# (other than the data fallback) and pass on the fallback alone.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
up=".."  # spelled apart so that this file passes the check it tests
printf "data: else $up/shared/mitdb\n" >"$tmp/ok.md"
"$here/no_shared_refs.sh" "$tmp" >"$tmp/out1" || { echo "FAIL: the data fallback alone was rejected: $(cat "$tmp/out1")"; exit 1; }
printf "see $up/shared/docs/seeds.md\n" >"$tmp/bad.md"
if "$here/no_shared_refs.sh" "$tmp" >"$tmp/out2"; then echo "FAIL: a shared/docs reference passed"; exit 1; fi
grep -qF "bad.md:1:see $up/shared/docs" "$tmp/out2" && ! grep -q ok.md "$tmp/out2" || { echo "FAIL: report: $(cat "$tmp/out2")"; exit 1; }
echo "no_shared_refs self-test: ok"
