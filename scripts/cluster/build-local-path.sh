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

if [[ -f $LOCAL_PATH_BIN/.complete ]]; then
  log "local-path-provisioner $LOCAL_PATH_VERSION: cached in $LOCAL_PATH_BIN"
else
  tmp_bin="$LOCAL_PATH_BIN.tmp"
  rm -rf "$tmp_bin"; mkdir -p "$tmp_bin"; : >"$CACHE_ROOT/build-local-path.log"
  build_go_module "github.com/rancher/local-path-provisioner@$LOCAL_PATH_VERSION" "$tmp_bin" \
    "$CACHE_ROOT/build-local-path.log" "-X main.VERSION=$LOCAL_PATH_VERSION" .
  touch "$tmp_bin/.complete"
  rm -rf "$LOCAL_PATH_BIN"; mv "$tmp_bin" "$LOCAL_PATH_BIN"
  log "local-path-provisioner $LOCAL_PATH_VERSION: built into $LOCAL_PATH_BIN"
fi

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
passwd_files() { # ROOT: root and nonroot, as the CoreDNS image has
  mkdir -p "$1/etc"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$1/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$1/etc/group"
}

tar=$(image_archive "$LOCAL_PATH_IMAGE")
if [[ ! -f $tar || $tar -ot $LOCAL_PATH_BIN/.complete ]]; then
  mkdir -p "$tmp/provisioner/rootfs"; passwd_files "$tmp/provisioner/rootfs"
  install -m 0755 "$LOCAL_PATH_BIN/local-path-provisioner" "$tmp/provisioner/rootfs/local-path-provisioner"
  printf '%s\n' 'FROM scratch' 'COPY rootfs/ /' 'USER 65532:65532' 'ENV PATH=/' 'ENTRYPOINT ["/local-path-provisioner"]' >"$tmp/provisioner/Dockerfile"
  bash "$CLUSTER_DIR/oci-archive.sh" "$tmp/provisioner" "$LOCAL_PATH_IMAGE" "$tar"
fi

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
