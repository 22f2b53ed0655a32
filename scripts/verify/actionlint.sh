#!/usr/bin/env bash
# actionlint on .github/workflows, with ShellCheck on every run: block (actionlint skips that
# silently when shellcheck is not on PATH; here its absence is an error).
#
#   scripts/verify/actionlint.sh      (both from scripts/tools.sh: chart or lint)
#
# Called by scripts/test.sh and the lint job of .github/workflows/ci.yaml.
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
cd "$REPO_ROOT"
eval "$(bash scripts/tools.sh env)"
for t in actionlint shellcheck; do need "$t" "run scripts/tools.sh lint"; done
actionlint -shellcheck "$(command -v shellcheck)" "$@"
say "$(actionlint -version | head -n 1) with $(shellcheck --version | awk '/^version:/ {print "ShellCheck " $2}'): no findings"
