#!/usr/bin/env bash
# The pinned versions, as the GitHub workflows read them: one `name=value` line each, for
# $GITHUB_OUTPUT (`bash scripts/ci/versions.sh >>"$GITHUB_OUTPUT"`, then
# steps.<id>.outputs.helm etc.). The sources are scripts/tools.sh (every tool) and
# scripts/cluster/lib.sh (BuildKit); nothing is written twice.
#
#   helm=v4.3.1  ct=v3.14.0  kind=v0.32.0  kind-node-image=kindest/node:...  buildkit=v0.34.2 ...
#
# (NAME_VERSION becomes name, NAME_IMAGE name-image, underscores dashes, lower case.)
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
cd "$REPO_ROOT"

{
  bash scripts/tools.sh versions
  # lib.sh only sets variables and defines functions when sourced; a subshell keeps them here.
  # shellcheck source=scripts/cluster/lib.sh
  (source scripts/cluster/lib.sh && echo "BUILDKIT_VERSION=$BUILDKIT_VERSION")
} | awk -F= '
  NF < 2 || $1 !~ /^[A-Z0-9_]+$/ || $2 == "" { print "versions.sh: bad line: " $0 > "/dev/stderr"; bad = 1; next }
  {
    name = $1; sub(/_VERSION$/, "", name); name = tolower(name); gsub(/_/, "-", name)
    value = substr($0, length($1) + 2)
    if (name in seen) { print "versions.sh: " name " twice" > "/dev/stderr"; bad = 1 }
    seen[name] = 1
    print name "=" value
  }
  END { exit bad }'
