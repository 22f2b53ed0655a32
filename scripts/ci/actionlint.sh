#!/usr/bin/env bash
# actionlint on .github/workflows, with ShellCheck on every run: block (actionlint skips that
# silently when shellcheck is not on PATH; here its absence is an error).
#
#   scripts/ci/actionlint.sh      (both from scripts/tools.sh: chart or lint)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
eval "$(bash scripts/tools.sh env)"
for t in actionlint shellcheck; do
  command -v "$t" >/dev/null || { echo "actionlint.sh: $t not found: run scripts/tools.sh lint" >&2; exit 1; }
done
actionlint -shellcheck "$(command -v shellcheck)" "$@"
echo "actionlint.sh: $(actionlint -version | head -n 1) with $(shellcheck --version | awk '/^version:/ {print "ShellCheck " $2}'): no findings"
