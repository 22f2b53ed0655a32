#!/usr/bin/env bash
# deps-guard: absent: rendering the defaults fails with the `helm dependency build` message
# (the users system is never installed half); present: the defaults render the Bitnami MySQL
# and Redis StatefulSets, and every image they run is listed in Chart.yaml's
# artifacthub.io/images.
# modes: absent present
# Usage: run by scripts/charts/check.sh (check.sh deps-guard runs it alone).
# shellcheck source=scripts/charts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

if [ "$MODE" = absent ]; then
  echo "Bitnami charts absent: rendering the chart defaults must fail and say how to fix it"
  if out=$(helm template "$RELEASE" "$CHART" --namespace "$NAMESPACE" 2>&1); then
    die "rendering succeeded without the Bitnami charts: the users system would be installed half"
  fi
  echo "$out" | tail -n 3
  grep -q 'helm dependency build charts/demo/charts/users' <<<"$out" \
    || die "the error does not say 'helm dependency build charts/demo/charts/users'"
  exit 0
fi

echo "Bitnami charts present: the chart defaults render MySQL and Redis with the real Bitnami templates"
render "$DEFAULTS" "$OUT/deps-guard.yaml"
expect_bitnami_objects "$OUT/deps-guard.yaml"
echo "the API's MYSQL_HOST/REDIS_HOST Services ($RELEASE-mysql, $RELEASE-redis-master) are the Bitnami charts'"

ok=0
listed=$(yq -r '.annotations["artifacthub.io/images"]' "$CHART/Chart.yaml" | yq -r '.[].image')
while read -r image; do
  if grep -qxF "$image" <<<"$listed"; then
    echo "artifacthub.io/images lists $image"
  else
    echo "artifacthub.io/images of $CHART/Chart.yaml lacks $image, which the defaults deploy"
    ok=1
  fi
done < <(yq -N -r '.. | select(tag == "!!map" and has("image")) | .image | select(tag == "!!str")' "$OUT/deps-guard.yaml" | sort -u)
exit $ok
