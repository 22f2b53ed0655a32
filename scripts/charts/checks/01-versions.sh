#!/usr/bin/env bash
# versions: every chart's appVersion equals the umbrella's (one image tag), every subchart's
# version matches the umbrella's dependency entry, the users chart's Bitnami dependencies are
# all "missing" (absent) or "ok" (present), its Chart.lock digest is right, the per-pod values
# demo-lib renders have the same defaults and schema in every system, and demo-lib's image
# fallback is the umbrella's repository.
# modes: absent present
# Usage: run by scripts/charts/check.sh (check.sh versions runs it alone).
# shellcheck source=scripts/charts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
ok=0

want=$(yq -r '.appVersion' "$CHART/Chart.yaml")
for f in "$CHART"/charts/*/Chart.yaml; do
  v=$(yq -r '.appVersion' "$f")
  if [ "$v" != "$want" ]; then
    echo "$f: appVersion $v, umbrella has $want (the image tag defaults to it)"
    ok=1
  fi
done
[ $ok = 0 ] && echo "all charts at appVersion $want"

# helm does not compare an in-tree subchart's version with the umbrella's dependency entry;
# `helm dependency list` does.
deps=$(helm dependency list "$CHART")
if awk 'NR > 1 && NF && $NF != "unpacked" { bad = 1 } END { exit !bad }' <<<"$deps"; then
  echo "$deps"
  echo "a subchart under $CHART/charts does not match its entry in $CHART/Chart.yaml"
  ok=1
else
  echo "every subchart matches its dependency entry in $CHART/Chart.yaml"
fi

# The Bitnami charts: all missing, or all there at the versions Chart.yaml pins.
status=missing
[ "$MODE" = present ] && status=ok
deps=$(helm dependency list "$CHART/charts/users")
# (demo-lib is in-tree: the umbrella provides it; 12-standalone builds it in.)
if awk -v want="$status" 'NR > 1 && NF && $1 != "demo-lib" && $NF != want { bad = 1 } END { exit !bad }' <<<"$deps"; then
  echo "$deps"
  echo "every dependency of $CHART/charts/users should be '$status' here"
  ok=1
else
  echo "the Bitnami dependencies of $CHART/charts/users: $(awk 'NR > 1 && NF { printf "%s%s %s %s", sep, $1, $2, $NF; sep = ", " }' <<<"$deps")"
fi

# helm refuses `helm dependency build` with a Chart.lock whose digest is not Chart.yaml's.
bun scripts/charts/lock-digest.ts "$CHART/charts/users" >/dev/null || ok=1

# The per-pod values of demo-lib's helpers: the same defaults and schema in every system.
for key in logLevel extraEnvVars commonLabels podLabels podAnnotations priorityClassName \
           topologySpreadConstraints livenessProbe readinessProbe httpRoute demo-lib; do
  for c in heartbeat users; do
    for f in values.yaml values.schema.json; do
      q=".[\"$key\"]"
      [ "$f" = values.schema.json ] && q=".properties[\"$key\"]"
      if [ "$(yq -o json "$q" "$CHART/charts/echo/$f")" != "$(yq -o json "$q" "$CHART/charts/$c/$f")" ]; then
        echo "$key differs between $CHART/charts/echo/$f and $CHART/charts/$c/$f (demo-lib renders it the same way everywhere)"
        ok=1
      fi
    done
  done
done

# The image repository is written once, in the umbrella's values; demo-lib's fallback (a
# subchart installed alone) must say the same, and scripts/release.sh rewrites both.
repo=$(yq -r '.global.image.repository' "$CHART/values.yaml")
fallback=$(grep coalesce "$CHART/charts/demo-lib/templates/_image.tpl" | grep -o '"[^"]*/demo"' | tr -d '"')
if [ "$fallback" != "$repo" ]; then
  echo "demo-lib's _image.tpl falls back to '$fallback', the umbrella's global.image.repository is '$repo'"
  ok=1
fi
exit $ok
