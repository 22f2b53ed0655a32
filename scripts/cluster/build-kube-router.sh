#!/usr/bin/env bash
# Builds, once, kube-router (github.com/cloudnativelabs/kube-router/v2, pinned in lib.sh) into
# $KUBE_ROUTER_BIN (cached like Kubernetes). up.sh runs only its NetworkPolicy controller
# (--run-firewall) so that the e2e's NetworkPolicies are enforced; the bridge CNI ignores them.
#
# SECURITY: kube-router v2.1.0, the only version the Go module proxy serves here, has reported
# security flaws. It is acceptable inside this throwaway test cluster (one node in its own
# network namespace, no route off the machine, torn down after each run); it is never shipped
# with the chart nor recommended to users: pick a maintained NetworkPolicy implementation.
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ -f $KUBE_ROUTER_BIN/.complete ]]; then
  log "kube-router $KUBE_ROUTER_VERSION: cached in $KUBE_ROUTER_BIN"
  exit 0
fi
tmp_bin="$KUBE_ROUTER_BIN.tmp"
rm -rf "$tmp_bin"; mkdir -p "$tmp_bin" "$CACHE_ROOT"; : >"$CACHE_ROOT/build-kube-router.log"
build_go_module "github.com/cloudnativelabs/kube-router/v2@$KUBE_ROUTER_VERSION" "$tmp_bin" \
  "$CACHE_ROOT/build-kube-router.log" \
  "-X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KUBE_ROUTER_VERSION" ./cmd/kube-router
touch "$tmp_bin/.complete"
rm -rf "$KUBE_ROUTER_BIN"; mv "$tmp_bin" "$KUBE_ROUTER_BIN"
log "kube-router $KUBE_ROUTER_VERSION: built into $KUBE_ROUTER_BIN"
