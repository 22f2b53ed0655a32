#!/usr/bin/env bash
# package: `helm package` works, leaves the unit tests out, keeps the helm test pods, and the
# package renders; absent: no Bitnami chart in it; present: both, and its defaults render them.
# modes: absent present
# Usage: run by scripts/charts/check.sh (check.sh package runs it alone).
# shellcheck source=scripts/charts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
rm -rf "$OUT/package"
helm package "$CHART" -d "$OUT/package" >/dev/null
tgz=$(ls "$OUT"/package/demo-*.tgz)
files=$(tar tzf "$tgz")
if grep -q '_test\.yaml$' <<<"$files"; then die "the package contains helm-unittest suites"; fi
[ "$(grep -c '/templates/tests/test-' <<<"$files")" = 3 ] || die "the package lacks the helm test pods"
helm template "$RELEASE" "$tgz" --namespace "$NAMESPACE" -f "$CHART/ci/default-values.yaml" >/dev/null
echo "$(basename "$tgz"): $(wc -l <<<"$files") files, renders with ci/default-values.yaml"
# helm package stores the users chart's dependencies unpacked: demo/charts/users/charts/<name>/
# (in no fixed order: sorted here)
bitnami=$(sed -n 's|^demo/charts/users/charts/\([^/]*\)/Chart.yaml$|\1|p' <<<"$files" | sort | xargs)
if [ "$MODE" = absent ]; then
  [ -z "$bitnami" ] || die "the package contains Bitnami charts: $bitnami"
  echo "no Bitnami chart in it"
  exit 0
fi
[ "$bitnami" = "mysql redis" ] || die "the package should hold the Bitnami mysql and redis charts, has: ${bitnami:-none}"
echo "with the Bitnami charts ($bitnami); its defaults render them:"
helm template "$RELEASE" "$tgz" --namespace "$NAMESPACE" >"$OUT/package-defaults.yaml"
expect_bitnami_objects "$OUT/package-defaults.yaml"
