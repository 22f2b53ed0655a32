#!/usr/bin/env bash
# Builds, once, the cluster's default StorageClass provisioner (what kind ships): rancher's
# local-path-provisioner (github.com/rancher/local-path-provisioner, pinned in lib.sh) from the
# Go module proxy into $LOCAL_PATH_BIN, and two OCI archives (oci-archive.sh: BuildKit) that
# up.sh imports into containerd:
#
#   scripts/cluster/build-local-path.sh      # called by build.sh
#
# - $LOCAL_PATH_IMAGE: the provisioner binary alone (static), user 65532;
# - $LOCAL_PATH_HELPER_IMAGE: its helper pods' image, Debian's busybox-static (this host's
#   archive) as /bin/busybox with the sh, mkdir and rm the helper scripts run (up.sh's
#   local-path.yaml), where upstream uses rancher/library-busybox.
# Cached like Kubernetes (by version and Go version); the log is $CACHE_ROOT/build-local-path.log.
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_root
mkdir -p "$CACHE_ROOT" "$IMAGES_DIR"

cached_go_build local-path "$LOCAL_PATH_VERSION" "$LOCAL_PATH_BIN" \
  "github.com/rancher/local-path-provisioner@$LOCAL_PATH_VERSION" "-X main.VERSION=$LOCAL_PATH_VERSION" .
static_image "$LOCAL_PATH_BIN/local-path-provisioner" "$LOCAL_PATH_IMAGE"

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
tar=$(image_archive "$LOCAL_PATH_HELPER_IMAGE")
if [[ ! -f $tar ]]; then
  (cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root busybox-static) || die "apt-get download busybox-static failed"
  log "image $LOCAL_PATH_HELPER_IMAGE: $(basename "$tmp"/busybox-static_*.deb .deb)"
  dpkg-deb -x "$tmp"/busybox-static_*.deb "$tmp/deb"
  h=$tmp/helper/rootfs
  mkdir -p "$h/bin" "$h/tmp"; chmod 1777 "$h/tmp"; passwd_files "$h"
  install -m 0755 "$tmp/deb/bin/busybox" "$h/bin/busybox"
  for applet in sh mkdir rm; do ln -s busybox "$h/bin/$applet"; done
  printf '%s\n' 'FROM scratch' 'COPY rootfs/ /' 'ENV PATH=/bin' 'ENTRYPOINT ["/bin/sh"]' >"$tmp/helper/Dockerfile"
  bash "$CLUSTER_DIR/oci-archive.sh" "$tmp/helper" "$LOCAL_PATH_HELPER_IMAGE" "$tar"
fi
