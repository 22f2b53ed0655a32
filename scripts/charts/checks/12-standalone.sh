#!/usr/bin/env bash
# standalone: each subchart installs without the umbrella (echo, heartbeat; present: users):
# demo-lib built in as its dependency, helm lint --strict, helm template.
# modes: absent present
# Usage: run by scripts/charts/check.sh (check.sh standalone runs it alone).
# shellcheck source=scripts/charts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
ok=0 charts=(echo heartbeat)
[ "$MODE" = present ] && charts+=(users)
# Alone, nothing sets the umbrella's global.security.allowInsecureImages (bitnamilegacy images).
set=(--set global.security.allowInsecureImages=true)
for c in "${charts[@]}"; do
  dir=$OUT/standalone
  rm -rf "$dir" && mkdir -p "$dir" && cp -a "$CHART/charts/$c" "$CHART/charts/demo-lib" "$dir/"
  if [ "$c" = users ]; then
    # Its Bitnami charts are here already (present mode) and would be downloaded by
    # `helm dependency build`: package the in-tree demo-lib beside them as it would.
    helm package "$dir/demo-lib" -d "$dir/$c/charts" >/dev/null || { ok=1; continue; }
  else
    helm dependency build "$dir/$c" >/dev/null || { echo "helm dependency build $c failed"; ok=1; continue; }
  fi
  helm dependency list "$dir/$c" | awk 'NR > 1 && NF && $NF != "ok" { bad = 1 } END { exit bad }' \
    || { helm dependency list "$dir/$c"; ok=1; continue; }
  echo "-- $c alone: helm lint --strict, helm template"
  helm lint --strict "$dir/$c" --namespace "$NAMESPACE" "${set[@]}" >/dev/null || { helm lint --strict "$dir/$c" "${set[@]}"; ok=1; continue; }
  helm template "$RELEASE" "$dir/$c" --namespace "$NAMESPACE" "${set[@]}" >"$dir/$c.yaml" || { ok=1; continue; }
  echo "$c: $(grep -c '^kind:' "$dir/$c.yaml") objects"
done
exit $ok
