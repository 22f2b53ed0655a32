#!/usr/bin/env bash
# readme: every chart README's parameters table is current with its values.yaml
# (readme-generator; `npm run update` rewrites them).
# modes: absent present
# Usage: run by scripts/charts/check.sh (check.sh readme runs it alone).
# shellcheck source=scripts/charts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
ok=0
for dir in "$CHART" "$CHART"/charts/*/; do
  dir=${dir%/}
  [ -f "$dir/README.md" ] || { echo "$dir/README.md is missing"; ok=1; continue; }
  mkdir -p "$OUT/readme/$dir"
  cp "$dir/README.md" "$OUT/readme/$dir/README.md"
  readme-generator --values "$dir/values.yaml" --readme "$OUT/readme/$dir/README.md" >"$OUT/readme.log" 2>&1 \
    || { cat "$OUT/readme.log"; echo "readme-generator failed for $dir"; ok=1; continue; }
  if diff -u "$dir/README.md" "$OUT/readme/$dir/README.md"; then
    echo "$dir/README.md: current"
  else
    echo "$dir/README.md is out of date with $dir/values.yaml: run npm run update"
    ok=1
  fi
done
exit $ok
