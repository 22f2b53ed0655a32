#!/usr/bin/env bash
# helm-lint: the umbrella with each ci/*-values.yaml (--strict); present: the defaults too.
# modes: absent present
# Usage: run by scripts/charts/check.sh (check.sh helm-lint runs it alone).
# shellcheck source=scripts/charts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
ok=0
for f in "${VALUES[@]}"; do
  echo "-- helm lint --strict -f $(label "$f")"
  helm lint --strict "$CHART" --namespace "$NAMESPACE" --kube-version "$DEMO_K8S_VERSION" -f "$f" || ok=1
done
exit $ok
