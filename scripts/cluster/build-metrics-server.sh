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

if [[ -f $METRICS_SERVER_BIN/.complete ]]; then
  log "metrics-server $METRICS_SERVER_VERSION: cached in $METRICS_SERVER_BIN"
else
  tmp_bin="$METRICS_SERVER_BIN.tmp"
  rm -rf "$tmp_bin"; mkdir -p "$tmp_bin"; : >"$CACHE_ROOT/build-metrics-server.log"
  build_go_module "sigs.k8s.io/metrics-server@$METRICS_SERVER_VERSION" "$tmp_bin" \
    "$CACHE_ROOT/build-metrics-server.log" \
    "-X k8s.io/component-base/version.gitVersion=$METRICS_SERVER_VERSION" ./cmd/metrics-server
  touch "$tmp_bin/.complete"
  rm -rf "$METRICS_SERVER_BIN"; mv "$tmp_bin" "$METRICS_SERVER_BIN"
  log "metrics-server $METRICS_SERVER_VERSION: built into $METRICS_SERVER_BIN"
fi

tar=$(image_archive "$METRICS_SERVER_IMAGE")
if [[ ! -f $tar || $tar -ot $METRICS_SERVER_BIN/.complete ]]; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/rootfs/etc" "$tmp/rootfs/tmp"; chmod 1777 "$tmp/rootfs/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$tmp/rootfs/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$tmp/rootfs/etc/group"
  install -m 0755 "$METRICS_SERVER_BIN/metrics-server" "$tmp/rootfs/metrics-server"
  printf '%s\n' 'FROM scratch' 'COPY rootfs/ /' 'USER 65532:65532' 'ENV PATH=/' 'ENTRYPOINT ["/metrics-server"]' >"$tmp/Dockerfile"
  bash "$CLUSTER_DIR/oci-archive.sh" "$tmp" "$METRICS_SERVER_IMAGE" "$tar"
fi
