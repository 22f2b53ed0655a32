#!/usr/bin/env bash
# ShellCheck on every shell script of the repository under scripts/ and .ci/: the *.sh files
# and the files whose first line runs bash or sh. (actionlint runs it on the workflows' run:
# blocks.) Sourced files are followed (-x), from the repository root.
#
#   scripts/verify/shellcheck.sh        (shellcheck from scripts/tools.sh lint, or PATH)
#
# Called by scripts/test.sh and the lint job of .github/workflows/ci.yaml.
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
cd "$REPO_ROOT"
eval "$(bash scripts/tools.sh env)"
need shellcheck "run scripts/tools.sh lint"

files=()
while IFS= read -r -d '' f; do
  [[ -f $f ]] || continue
  if [[ $f == *.sh ]] || head -n 1 "$f" | grep -Eq '^#!.*([/ ]bash|[/ ]sh)( |$)'; then files+=("$f"); fi
done < <(git ls-files -z --cached --others --exclude-standard -- scripts .ci)
((${#files[@]})) || die "no shell scripts found"

failed=0
for f in "${files[@]}"; do
  shellcheck -x "$f" || failed=1
done
say "$(shellcheck --version | awk '/^version:/ {print "ShellCheck " $2}'), ${#files[@]} scripts: $( ((failed)) && echo "findings above" || echo clean)"
exit "$failed"
