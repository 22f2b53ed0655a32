#!/usr/bin/env bash
# Prove the running cluster runs pods: one from the pause image built from source, one
# from a demo image (`demo version`) pulled by name, both under the restricted Pod Security
# profile.
#
#   scripts/cluster/up.sh && scripts/cluster/smoke.sh [IMAGE]
#   (IMAGE: e.g. ghcr.io/demo-org/demo:0.2.0 after the e2e's release, with E2E_KEEP=1)
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
image=${1:-}
[[ -f $KUBECONFIG_FILE ]] || die "cluster not up: run scripts/cluster/up.sh"
ns=smoke-$$
kctl create namespace "$ns" >/dev/null
trap 'kctl delete namespace "$ns" --wait=false >/dev/null 2>&1 || true' EXIT
kctl label namespace "$ns" pod-security.kubernetes.io/enforce=restricted >/dev/null
pod() { # NAME IMAGE [ARG]
  cat <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1, namespace: $ns}
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: main
      image: $2
      imagePullPolicy: IfNotPresent
      args: [${3:-}]
      securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
YAML
}
pod pause "$PAUSE_IMAGE" | kctl apply -f - >/dev/null
kctl -n "$ns" wait --for=condition=Ready pod/pause --timeout=60s >/dev/null || die "pause pod not Ready"
log "pod from $PAUSE_IMAGE: Running on $(kctl -n "$ns" get pod pause -o jsonpath='{.spec.nodeName} ({.status.podIP})')"
if [[ -n $image ]]; then
  pod demo "$image" version | kctl apply -f - >/dev/null
  kctl -n "$ns" wait --for=jsonpath='{.status.phase}'=Succeeded pod/demo --timeout=60s >/dev/null ||
    { kctl -n "$ns" describe pod demo >&2; die "demo version pod did not succeed"; }
  log "pod from $image: $(kctl -n "$ns" logs demo)"
fi
