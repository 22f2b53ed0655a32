#!/usr/bin/env bash
# env-bounds: the chart's bounds for values it passes as environment variables equal the
# binary's TypeBox schemas (the source): scripts/charts/env-bounds.check.ts renders each
# numeric value.
# modes: absent
# Usage: run by scripts/charts/check.sh (check.sh env-bounds runs it alone).
# shellcheck source=scripts/charts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
need bun "run npm ci and put node_modules/.bin on PATH"
bun test ./scripts/charts/env-bounds.check.ts 2>&1 | grep -E '^\(fail\)|^error|expect|^ *[0-9]+ (pass|fail)$'
exit "${PIPESTATUS[0]}"
