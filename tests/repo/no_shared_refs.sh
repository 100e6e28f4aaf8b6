#!/usr/bin/env bash
# CI check that the repository stands on its own: no tracked file refers to the shared
# folder beside the checkout ("../shared"), except the MIT-BIH data fallback (the last place
# the data lookup tries: ../shared/mitdb). A user's clone has no such folder.
# Usage: no_shared_refs.sh SOURCE_DIR
set -euo pipefail
src="$1"
cd "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  files() { git ls-files -z --cached --others --exclude-standard; }
else  # an exported tree without .git: every file but build outputs
  files() { find . -path ./build -prune -o -path './build-*' -prune -o -path ./data -prune -o -type f -print0; }
fi
pattern='\.\./shared'
self='tests/repo/no_shared_refs.sh'
hits="$(files | grep -zv "^\(\./\)\?$self\$" | xargs -0 grep -nI -- "$pattern" 2>/dev/null | grep -v '\.\./shared/mitdb' || true)"
if [ -n "$hits" ]; then
  echo "no_shared_refs: files refer to ../shared (only the data fallback ../shared/mitdb may):"
  echo "$hits"
  exit 1
fi
echo "no_shared_refs: no reference to ../shared outside the data fallback"
