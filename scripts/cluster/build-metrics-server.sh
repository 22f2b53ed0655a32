#!/usr/bin/env bash
# Builds, once, metrics-server (sigs.k8s.io/metrics-server, pinned in lib.sh) from the Go module
# proxy into $METRICS_SERVER_BIN, and its image as an OCI archive (oci-archive.sh: BuildKit) that
# up.sh imports into containerd and deploys (metrics-server.yaml): the resource metrics API the
# chart's HorizontalPodAutoscalers read, as on any cluster with an HPA.
#
#   scripts/cluster/build-metrics-server.sh   # called by build.sh, beside the other builds
#
# v0.8.0, not v0.9.0: the proxy serves v0.9.0 too, but it is not an approved release.
# Cached like Kubernetes (by version and Go version); the log is $CACHE_ROOT/build-metrics-server.log.
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_root
mkdir -p "$CACHE_ROOT" "$IMAGES_DIR"

cached_go_build metrics-server "$METRICS_SERVER_VERSION" "$METRICS_SERVER_BIN" \
  "sigs.k8s.io/metrics-server@$METRICS_SERVER_VERSION" \
  "-X k8s.io/component-base/version.gitVersion=$METRICS_SERVER_VERSION" ./cmd/metrics-server
static_image "$METRICS_SERVER_BIN/metrics-server" "$METRICS_SERVER_IMAGE"
