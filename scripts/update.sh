#!/usr/bin/env bash
# Regenerates everything generated in the tree, from its one source, offline:
#
#   charts/**/values.schema.json    from scripts/charts/schema/*.ts (the shared TypeBox blocks)
#   charts/**/README.md tables      from each values.yaml (readme-generator, pinned in tools.sh)
#   README env tables               from each command's TypeBox schema (scripts/docs/env-tables.ts)
#   charts/demo/charts/users/Chart.lock digest   from its Chart.yaml (scripts/charts/lock-digest.ts)
#
# The tests and checks fail on a stale one: schema.test.ts, env-tables.test.ts,
# lock-digest.test.ts, and scripts/charts/checks/10-readme.sh.
# Usage: scripts/update.sh (npm run update); then review and commit the diff.
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$REPO_ROOT"
eval "$(bash scripts/tools.sh env)"
need bun "run npm ci and put node_modules/.bin on PATH"
need readme-generator "run scripts/tools.sh chart"

bun scripts/charts/schema/generate.ts --write
for dir in charts/demo charts/demo/charts/*/; do
  dir=${dir%/}
  readme-generator --values "$dir/values.yaml" --readme "$dir/README.md" >/dev/null || die "readme-generator failed for $dir"
done
say "chart README tables regenerated"
bun scripts/docs/env-tables.ts --write
bun scripts/charts/lock-digest.ts --write charts/demo/charts/users >/dev/null
git status --short -- charts README.md src/users/README.md src/heartbeat/README.md
