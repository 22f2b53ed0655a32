#!/usr/bin/env bash
# kube-score: zero findings on our objects; on the Bitnami charts' objects, only the findings
# scripts/charts/findings.ts allows (KUBE_SCORE_BITNAMI_ALLOWED).
# modes: absent present
# Usage: run by scripts/charts/check.sh (check.sh kube-score runs it alone).
# shellcheck source=scripts/charts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# kube-score checks that do not apply to this product (all others must pass):
IGNORES=(
  # The chart's contract is image.pullPolicy=IfNotPresent: images are immutable version
  # tags, and minikube/kind clusters run images loaded locally, which "Always" would try (and
  # fail) to pull again.
  container-image-pull-policy
  # NodePort is the required exposure of the users API (and an option for echo and
  # heartbeat) on minikube, the product's reference cluster.
  service-type
)
OPTIONAL=(container-seccomp-profile container-ports-check)

args=()
for t in "${IGNORES[@]}"; do args+=(--ignore-test "$t"); done
for t in "${OPTIONAL[@]}"; do args+=(--enable-optional-test "$t"); done
ok=0
for f in "${VALUES[@]}"; do
  base=$(basename "$f" .yaml)
  [ -s "$OUT/$base.yaml" ] || render "$f" "$OUT/$base.yaml" || { ok=1; continue; }
  echo "-- $(label "$f")"
  # Exits 1 on any finding: the findings are judged from its JSON report instead.
  kube-score score --output-format json --kubernetes-version "v${DEMO_K8S_VERSION%.*}" \
    "${args[@]}" "$OUT/$base.yaml" >"$OUT/$base.score.json" || true
  bun scripts/charts/findings.ts kube-score "$OUT/$base.score.json" || ok=1
done
exit $ok
