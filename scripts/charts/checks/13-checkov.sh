#!/usr/bin/env bash
# checkov: CKV_K8S_43 (image digest) and CKV_K8S_35 (secrets as files) on the defaults with a
# test digest (as a release sets one): no finding on our objects. The Bitnami charts'
# StatefulSets run their images by tag (scripts/charts/findings.ts judges the report).
# modes: present
# Usage: run by scripts/charts/check.sh (check.sh checkov runs it alone).
# shellcheck source=scripts/charts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
CHECKS=CKV_K8S_43,CKV_K8S_35
TEST_DIGEST=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
echo "checkov $CHECKS on the defaults"
helm template "$RELEASE" "$CHART" --namespace "$NAMESPACE" --kube-version "$DEMO_K8S_VERSION" \
  --set global.image.digest="$TEST_DIGEST" >"$OUT/checkov.yaml"
# checkov asks api0.prismacloud.io for guideline links; offline, it goes on without them.
# It exits 1 on any failed check: the report is judged instead.
checkov --quiet --skip-download -f "$OUT/checkov.yaml" --framework kubernetes --check "$CHECKS" \
  -o json >"$OUT/checkov.json" 2>"$OUT/checkov.err" || true
bun scripts/charts/findings.ts checkov "$OUT/checkov.json"
