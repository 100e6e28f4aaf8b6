#!/usr/bin/env bash
# CI check that the repository stands on its own: no tracked file refers to the shared
# folder beside the checkout (the pattern below), except the MIT-BIH data fallback (the last
# place the data lookup tries, shared/mitdb beside the checkout). A user's clone has no such
# folder.
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
hits="$(files | xargs -0 grep -nI -- "$pattern" 2>/dev/null | grep -v "$pattern/mitdb" || true)"
if [ -n "$hits" ]; then
  echo "no_shared_refs: files refer to the shared folder beside the checkout (only the data fallback may):"
  echo "$hits"
  exit 1
fi
echo "no_shared_refs: no reference to the shared folder outside the data fallback"
