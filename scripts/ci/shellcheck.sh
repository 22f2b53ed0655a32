#!/usr/bin/env bash
# ShellCheck on every shell script of the repository under scripts/ and .ci/: the *.sh files
# and the files whose first line runs bash or sh. (actionlint runs it on the workflows' run:
# blocks.) Sourced files are followed (-x), from the repository root.
#
#   scripts/ci/shellcheck.sh        (shellcheck from scripts/tools.sh lint, or PATH)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
eval "$(bash scripts/tools.sh env)"
command -v shellcheck >/dev/null || { echo "shellcheck.sh: shellcheck not found: run scripts/tools.sh lint" >&2; exit 1; }

files=()
while IFS= read -r -d '' f; do
  [[ -f $f ]] || continue
  if [[ $f == *.sh ]] || head -n 1 "$f" | grep -Eq '^#!.*([/ ]bash|[/ ]sh)( |$)'; then files+=("$f"); fi
done < <(git ls-files -z --cached --others --exclude-standard -- scripts .ci)
((${#files[@]})) || { echo "shellcheck.sh: no shell scripts found" >&2; exit 1; }

failed=0
for f in "${files[@]}"; do
  shellcheck -x "$f" || failed=1
done
echo "shellcheck.sh: $(shellcheck --version | awk '/^version:/ {print "ShellCheck " $2}'), ${#files[@]} scripts: $( ((failed)) && echo "findings above" || echo clean)"
exit "$failed"
