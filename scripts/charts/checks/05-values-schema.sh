#!/usr/bin/env bash
# values-schema: a typo in values fails the render (values.schema.json is strict), as helm
# itself judges it. scripts/charts/schema/schema.test.ts asks the same of the generated schemas.
# modes: absent present
# Usage: run by scripts/charts/check.sh (check.sh values-schema runs it alone).
# shellcheck source=scripts/charts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
ok=0
for args in "echo.server.replicas=3" "heartbeat.client.kind=ReplicaSet" "users.api.replicaCont=1" "global.image.tagg=1" "echoo.enabled=true"; do
  if helm template "$RELEASE" "$CHART" -f "$CHART/ci/default-values.yaml" --set "$args" >/dev/null 2>"$OUT/err"; then
    echo "--set $args was accepted"
    ok=1
  else
    echo "--set $args rejected: $(grep -o 'at .*' "$OUT/err" | head -n1 | cut -c1-120)"
  fi
done
exit $ok
