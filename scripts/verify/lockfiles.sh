#!/usr/bin/env bash
# bun.lock (what the image build installs from) must describe the same dependencies as
# package-lock.json (what npm ci installs here and on GitHub):
#  1. `bun install --frozen-lockfile` on a copy of package.json and bun.lock fails if bun.lock
#     is out of date with package.json;
#  2. lockfiles-agree.ts: both lock files pin the same versions from the same tarballs.
#
#   scripts/verify/lockfiles.sh       (bun on PATH; it reads the npm registry)
#
# Called by scripts/test.sh and the lint job of .github/workflows/ci.yaml.
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
cd "$REPO_ROOT"
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
cp package.json bun.lock "$dir/"
(cd "$dir" && bun install --frozen-lockfile --dry-run --ignore-scripts >/dev/null) ||
  die "bun.lock does not match package.json: run bun install and commit bun.lock"
say "bun.lock matches package.json"
bun scripts/verify/lockfiles-agree.ts
