#!/usr/bin/env bash
# kubeconform: every rendered manifest, Bitnami's objects included, validated -strict against
# the Kubernetes JSON schemas (generated offline by scripts/tools.sh). Leaves each render in
# $OUT/<values>.yaml for 08-kube-score.
# modes: absent present
# Usage: run by scripts/charts/check.sh (check.sh kubeconform runs it alone).
# shellcheck source=scripts/charts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck disable=SC2016 # kubeconform's template, not a shell expansion
SCHEMA_LOCATION_SUFFIX='{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json'
ok=0
for f in "${VALUES[@]}"; do
  base=$(basename "$f" .yaml)
  render "$f" "$OUT/$base.yaml" || { echo "helm template -f $(label "$f") failed"; ok=1; continue; }
  echo "-- $(label "$f")"
  kubeconform -strict -summary -output text \
    -kubernetes-version "$DEMO_K8S_VERSION" \
    -schema-location "$DEMO_K8S_SCHEMA_DIR/$SCHEMA_LOCATION_SUFFIX" \
    "$OUT/$base.yaml" || ok=1
done
exit $ok
