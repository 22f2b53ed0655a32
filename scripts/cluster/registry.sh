#!/usr/bin/env bash
# Start the stand-ins for the public registries and the image builder, after up.sh:
#
#   scripts/cluster/registry.sh
#
# - one CNCF distribution registry (TLS, a throwaway CA) on $HOST_IP:443, the host end of the
#   cluster's veth, so both the host and the node reach it. It plays ghcr.io, gcr.io and
#   docker.io (registry-1.docker.io) at once: their repository paths do not collide.
# - every node's containerd pulls those three names through it (certs.d/<name>/hosts.toml,
#   a mirror, as a user would configure one).
# - buildkitd (runc worker, host network for RUN steps) runs under as_public (lib.sh), where
#   the public names resolve to the stand-in: the Dockerfile builds and pushes as on a user's
#   machine, with no builder configuration of ours.
# down.sh stops both and removes their state.
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_root
[[ -e $NETNS_PATH && -f $KUBECONFIG_FILE ]] || die "the cluster is not up: run scripts/cluster/up.sh first"
[[ -f $RELEASE_TOOLS_BIN/.complete ]] || bash "$CLUSTER_DIR/build-release-tools.sh"
addr="$HOST_IP:443"

# ---- certificate, names, trust --------------------------------------------------------
mkdir -p "$REGISTRY_DIR/data" "$STATE/run" "$LOGS" "$PIDS"
if [[ ! -f $REGISTRY_DIR/registry.crt ]]; then
  make_ca "$REGISTRY_DIR"
  sans=$(printf 'DNS:%s,' "${PUBLIC_REGISTRY_NAMES[@]}")"IP:$HOST_IP"
  make_cert "$REGISTRY_DIR" registry "/CN=demo stand-in registry" serverAuth "$sans"
fi
cat /etc/ssl/certs/ca-certificates.crt "$REGISTRY_DIR/ca.crt" >"$REGISTRY_DIR/ca-bundle.pem"
{
  echo "127.0.0.1 localhost"
  echo "$HOST_IP ${PUBLIC_REGISTRY_NAMES[*]}"
} >"$REGISTRY_DIR/hosts"
for name in ghcr.io gcr.io docker.io; do
  mkdir -p "$CONTAINERD_CERTS_D/$name"
  cat >"$CONTAINERD_CERTS_D/$name/hosts.toml" <<EOF
server = "https://$name"
[host."https://$HOST_IP"]
  capabilities = ["pull", "resolve"]
  ca = "$REGISTRY_DIR/ca.crt"
EOF
done

# ---- the registry ---------------------------------------------------------------------
cat >"$REGISTRY_DIR/config.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog: {disabled: true}
storage:
  filesystem: {rootdirectory: $REGISTRY_DIR/data}
  delete: {enabled: true}
http:
  addr: $addr
  tls:
    certificate: $REGISTRY_DIR/registry.crt
    key: $REGISTRY_DIR/registry.key
EOF
if ! alive registry; then
  log "registry $REGISTRY_VERSION on $addr as ${PUBLIC_REGISTRY_NAMES[*]}"
  start_on_host registry "$RELEASE_TOOLS_BIN/registry" serve "$REGISTRY_DIR/config.yml"
  up_or_die registry 30 curl -sf --cacert "$REGISTRY_DIR/ca.crt" "https://$HOST_IP/v2/"
fi

# ---- buildkitd ------------------------------------------------------------------------
cat >"$STATE/buildkitd.toml" <<EOF
root = "$STATE/buildkit"
[grpc]
  address = ["unix://$BUILDKIT_SOCK"]
[worker.oci]
  enabled = true
  snapshotter = "overlayfs"
  binary = "$(command -v runc)"
  gc = false
[worker.containerd]
  enabled = false
EOF
if ! alive buildkitd; then
  log "buildkitd $BUILDKIT_VERSION (runc worker)"
  start_on_host buildkitd "${AS_PUBLIC[@]}" "$RELEASE_TOOLS_BIN/buildkitd" --config "$STATE/buildkitd.toml" --oci-worker-net=host
  up_or_die buildkitd 60 "$RELEASE_TOOLS_BIN/buildctl" --addr "unix://$BUILDKIT_SOCK" debug workers
fi
