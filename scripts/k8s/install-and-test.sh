#!/usr/bin/env bash
# Installs a chart and runs its tests: `helm install --wait`, then `helm test --logs`.
# The kind job of .github/workflows/ci.yaml runs it against kind, scripts/e2e/21-install.e2e.ts
# against the cluster it builds on this machine (the released chart, from its OCI registry).
#
#   scripts/k8s/install-and-test.sh RELEASE CHART [HELM-INSTALL-ARGS...]
#   e.g. scripts/k8s/install-and-test.sh demo ./charts/demo --set global.image.tag=ci
#
# Environment:
#   NAMESPACE   where the release goes (default: demo); it must exist, or pass --create-namespace
#   TIMEOUT     for the install's --wait and for helm test each (default: 10m)
#   HELM        the helm binary (default: helm on PATH); KUBECONFIG as usual
#
# --wait is Helm 4's kstatus watcher: every workload Ready, every Job complete. (Helm 3's
# --wait also waits for a LoadBalancer IP, which kind never assigns.)
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

(($# >= 2)) || die "usage: $0 RELEASE CHART [HELM-INSTALL-ARGS...]"
release=$1 chart=$2
shift 2
namespace=${NAMESPACE:-demo}
timeout=${TIMEOUT:-10m}
helm=${HELM:-helm}
need "$helm" "scripts/tools.sh chart installs helm"
major=$("$helm" version --template '{{.Version}}' | sed -E 's/^v([0-9]+).*/\1/')
((major >= 4)) || die "helm $("$helm" version --template '{{.Version}}'): needs helm 4 (scripts/tools.sh pins it)"

say "helm install $release $chart -n $namespace $* --wait --timeout $timeout"
started=$SECONDS
"$helm" install "$release" "$chart" --namespace "$namespace" "$@" --wait --timeout "$timeout"
say "installed and ready in $((SECONDS - started))s"

say "helm test $release -n $namespace --logs --timeout $timeout"
started=$SECONDS
"$helm" test "$release" --namespace "$namespace" --logs --timeout "$timeout"
say "helm test passed in $((SECONDS - started))s"
