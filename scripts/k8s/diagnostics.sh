#!/usr/bin/env bash
# What to look at when an install fails: helm's view of the releases, every pod, the recent
# events, a description of each pod that is not Ready, and the logs of the pods of the given
# namespaces (the previous container's too, after a restart). The kind job of
# .github/workflows/ci.yaml runs it on failure; scripts/e2e/run.sh after a failed step, and its
# step 22-diagnostics once after a good install (so that it is known to work).
#
#   scripts/k8s/diagnostics.sh [NAMESPACE...]     (default: demo)
#
# Environment: KUBECTL (default: kubectl), HELM (default: helm), KUBECONFIG as usual;
# LOG_LINES (default: 200) lines of each container's log. Best effort: a command that fails
# is reported and the rest still runs; the exit status is 0.
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
set +e   # best effort: every section runs

kubectl=${KUBECTL:-kubectl}
helm=${HELM:-helm}
lines=${LOG_LINES:-200}
(($#)) || set -- demo

# Every release state (helm 4 has no --all).
states=(--deployed --failed --pending --superseded --uninstalling)

section() { printf '\n---- %s\n' "$*"; }
try() { "$@" 2>&1 || echo "(failed: $*)"; }

section "helm releases"
try "$helm" list --all-namespaces "${states[@]}"
for ns in "$@"; do
  for r in $("$helm" list --namespace "$ns" "${states[@]}" --short 2>/dev/null); do
    section "helm status $r -n $ns"
    try "$helm" status "$r" --namespace "$ns"
  done
done

section "pods"
try "$kubectl" get pods --all-namespaces -o wide

section "events (last 60)"
try "$kubectl" get events --all-namespaces --sort-by=.lastTimestamp | tail -n 61

for ns in "$@"; do
  # name, Ready condition and restart count of each pod of the namespace
  pods=$("$kubectl" get pods --namespace "$ns" \
    -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.conditions[?(@.type=="Ready")].status}{" "}{.status.phase}{"\n"}{end}' 2>&1) ||
    { echo "(failed: kubectl get pods -n $ns: $pods)"; continue; }
  while read -r pod ready phase; do
    [[ -n $pod ]] || continue
    if [[ $ready != True && $phase != Succeeded ]]; then
      section "describe pod $pod -n $ns (not Ready: ${ready:-unknown}, $phase)"
      try "$kubectl" describe pod "$pod" --namespace "$ns"
    fi
    section "logs $pod -n $ns (last $lines lines of each container)"
    try "$kubectl" logs "$pod" --namespace "$ns" --all-containers --prefix --tail "$lines"
    if "$kubectl" logs "$pod" --namespace "$ns" --all-containers --previous --tail 1 >/dev/null 2>&1; then
      section "logs $pod -n $ns, previous containers"
      try "$kubectl" logs "$pod" --namespace "$ns" --all-containers --prefix --previous --tail "$lines"
    fi
  done <<<"$pods"
done
exit 0
