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

cached_go_build kube-router "$KUBE_ROUTER_VERSION" "$KUBE_ROUTER_BIN" \
  "github.com/cloudnativelabs/kube-router/v2@$KUBE_ROUTER_VERSION" \
  "-X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KUBE_ROUTER_VERSION" ./cmd/kube-router
