#!/usr/bin/env bash
# Build everything the local cluster needs, once; later runs reuse the cache.
#
#   scripts/cluster/build.sh
#
# - apt: containerd, runc, CNI plugins, etcd, iptables, ipset, conntrack, gcc (for pause)
# - go build from the Go module proxy, pinned in lib.sh:
#     kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl
#     (k8s.io/kubernetes), coredns (tools/coredns: upstream's main with only the plugins
#     our Corefile uses), cri-rmp (tools/cri-rmp, a tiny CRI client), and buildkitd,
#     buildctl and the distribution registry (build-release-tools.sh), and kube-router for
#     NetworkPolicies (build-kube-router.sh; v2.1.0 has reported security flaws: it runs in
#     this throwaway test cluster only, never shipped or recommended to users)
# - the pause image from k8s' build/pause/linux/pause.c (gcc -static) and a CoreDNS
#   image, both as OCI archives that up.sh imports into containerd (oci-archive.sh: BuildKit).
# - local-path-provisioner (build-local-path.sh) and its busybox helper image: the cluster's
#   default StorageClass, as kind has one
# - metrics-server (build-metrics-server.sh) and its image: the resource metrics HPAs read
#
# Cache: $DEMO_CLUSTER_CACHE (default /var/cache/demo-cluster), keyed by version and
# Go version. Builds run niced (the CPU is shared). DEMO_CLUSTER_GO_P sets `go build -p`.
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_root

t0=$SECONDS
export GOFLAGS=-mod=mod GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0 GOARCH=amd64 GOOS=linux
GO_P="${DEMO_CLUSTER_GO_P:-2}"
mkdir -p "$CACHE_ROOT" "$IMAGES_DIR"

# ---- 1. Debian packages ------------------------------------------------------------
apt_pkgs=(containerd runc containernetworking-plugins etcd-server iptables ipset conntrack
          iproute2 util-linux openssl gcc libc6-dev procps bind9-dnsutils  # dig: up.sh asks CoreDNS
          zstd file qemu-user-static)   # the release rehearsal: zstd layers, the arm64 binary
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---- 2. Kubernetes binaries (+ cri-rmp) ------------------------------------------
k8s_tools=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)
if [[ -f "$K8S_BIN/.complete" ]]; then
  log "kubernetes $K8S_VERSION: cached in $K8S_BIN"
else
  log "kubernetes $K8S_VERSION: building ${k8s_tools[*]} cri-rmp (takes a while on 2 cores)"
  src="$(dirname "$K8S_BIN")/src"
  rm -rf "$src" "$K8S_BIN.tmp"; mkdir -p "$src/cmd/cri-rmp" "$K8S_BIN.tmp"
  k8s_mod=$(go_mod_file "k8s.io/kubernetes@$K8S_VERSION")
  # The kubernetes go.mod replaces its staging modules with ./staging/...; as a
  # dependency that is ignored, so point each one at its published version.
  staging=$(awk '$2 == "=>" && $3 ~ /^\.\/staging\// {print $1}' "$k8s_mod")
  [[ -n "$staging" ]] || die "no staging modules found in $k8s_mod"
  go_directive=$(awk '$1 == "go" {print $2; exit}' "$k8s_mod")
  {
    echo "module demo.local/cluster-build"
    echo
    echo "go $go_directive"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    for m in $staging; do echo "	$m => $m $K8S_STAGING_VERSION"; done
    echo ")"
  } >"$src/go.mod"
  cp "$CLUSTER_DIR/tools/cri-rmp/main.go" "$src/cmd/cri-rmp/main.go"
  build_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date -X $pkg.gitCommit=module-proxy"
  done
  pkgs=()
  for t in "${k8s_tools[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$t"); done
  (
    cd "$src"
    # Resolve the module graph first (go.sum), then build all in one invocation so
    # the shared packages compile once.
    gentle "$GO" mod download k8s.io/kubernetes >/dev/null
    gentle "$GO" build -p "$GO_P" -trimpath -ldflags "$ldflags" -o "$K8S_BIN.tmp/" "${pkgs[@]}" ./cmd/cri-rmp
  ) >"$CACHE_ROOT/build-k8s.log" 2>&1 || { tail -30 "$CACHE_ROOT/build-k8s.log" >&2; die "kubernetes build failed (log: $CACHE_ROOT/build-k8s.log)"; }
  # pause.c lives in the same module source (build/pause/linux).
  k8s_dir="$(cd "$src" && "$GO" list -m -f '{{.Dir}}' k8s.io/kubernetes)"
  cp "$k8s_dir/build/pause/linux/pause.c" "$K8S_BIN.tmp/pause.c"
  sha256sum <"$CLUSTER_DIR/tools/cri-rmp/main.go" | cut -c1-64 >"$K8S_BIN.tmp/cri-rmp.sha256"
  touch "$K8S_BIN.tmp/.complete"
  rm -rf "$K8S_BIN"; mv "$K8S_BIN.tmp" "$K8S_BIN"
  log "kubernetes $K8S_VERSION: built into $K8S_BIN"
fi
# cri-rmp again when its source changed (in the same module, so it takes seconds).
cri_sha=$(sha256sum <"$CLUSTER_DIR/tools/cri-rmp/main.go" | cut -c1-64)
if [[ $(cat "$K8S_BIN/cri-rmp.sha256" 2>/dev/null) != "$cri_sha" ]]; then
  log "cri-rmp: source changed, rebuilding"
  src="$(dirname "$K8S_BIN")/src"
  cp "$CLUSTER_DIR/tools/cri-rmp/main.go" "$src/cmd/cri-rmp/main.go"
  (cd "$src" && gentle "$GO" build -p "$GO_P" -trimpath -ldflags "-s -w" -o "$K8S_BIN/cri-rmp.tmp" ./cmd/cri-rmp) ||
    die "cri-rmp build failed"
  mv "$K8S_BIN/cri-rmp.tmp" "$K8S_BIN/cri-rmp"
  echo "$cri_sha" >"$K8S_BIN/cri-rmp.sha256"
fi

# ---- 3. CoreDNS (only the plugins our Corefile uses: tools/coredns/main.go) ---------------
if [[ -f "$COREDNS_BIN/.complete" ]]; then
  log "coredns $COREDNS_VERSION: cached in $COREDNS_BIN"
else
  log "coredns $COREDNS_VERSION: building"
  src="$(dirname "$COREDNS_BIN")/src"
  rm -rf "$src" "$COREDNS_BIN.tmp"; mkdir -p "$src" "$COREDNS_BIN.tmp"
  cp "$CLUSTER_DIR/tools/coredns/main.go" "$src/main.go"
  coredns_mod=$(go_mod_file "github.com/coredns/coredns@$COREDNS_VERSION")
  printf 'module demo.local/coredns-build\n\ngo %s\n\nrequire github.com/coredns/coredns %s\n' \
    "$(awk '$1 == "go" {print $2; exit}' "$coredns_mod")" "$COREDNS_VERSION" >"$src/go.mod"
  (
    cd "$src"
    gentle "$GO" build -p "$GO_P" -trimpath \
      -ldflags "-s -w -X github.com/coredns/coredns/coremain.GitCommit=module-proxy" -o "$COREDNS_BIN.tmp/coredns" .
  ) >"$CACHE_ROOT/build-coredns.log" 2>&1 || { tail -30 "$CACHE_ROOT/build-coredns.log" >&2; die "coredns build failed (log: $CACHE_ROOT/build-coredns.log)"; }
  touch "$COREDNS_BIN.tmp/.complete"
  rm -rf "$COREDNS_BIN"; mv "$COREDNS_BIN.tmp" "$COREDNS_BIN"
  log "coredns $COREDNS_VERSION: built into $COREDNS_BIN"
fi

# ---- 4. images: pause (from source) and coredns ---------------------------------------

pause_tar="$(image_archive "$PAUSE_IMAGE")"
if [[ ! -f "$pause_tar" ]]; then
  log "image $PAUSE_IMAGE: gcc -static pause.c"
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/rootfs"
  gcc -Os -Wall -Werror -static -DVERSION="v${PAUSE_VERSION}-demo" -o "$tmp/rootfs/pause" "$K8S_BIN/pause.c"
  strip "$tmp/rootfs/pause"
  printf '%s\n' 'FROM scratch' 'COPY rootfs/ /' 'USER 65535:65535' 'ENV PATH=/' 'ENTRYPOINT ["/pause"]' >"$tmp/Dockerfile"
  bash "$CLUSTER_DIR/oci-archive.sh" "$tmp" "$PAUSE_IMAGE" "$pause_tar"
  rm -rf "$tmp"; trap - EXIT
fi

static_image "$COREDNS_BIN/coredns" "$COREDNS_IMAGE"

# ---- 5. BuildKit and the registry (the release rehearsal) ----------------------------------
bash "$CLUSTER_DIR/build-release-tools.sh"

# ---- 6. metrics-server and its image (HorizontalPodAutoscalers), beside steps 7 and 8 ----------
# BuildKit (step 5) is there for its image; cold, its Go build overlaps kube-router's and
# local-path-provisioner's (each niced, -p $GO_P) instead of adding minutes after them.
bash "$CLUSTER_DIR/build-metrics-server.sh" &
metrics_server_build=$!

# ---- 7. kube-router's NetworkPolicy controller (v2.1.0: reported security flaws, test only) -
bash "$CLUSTER_DIR/build-kube-router.sh"

# ---- 8. the default StorageClass: local-path-provisioner and its helper image -----------------
bash "$CLUSTER_DIR/build-local-path.sh"
wait "$metrics_server_build" || die "metrics-server build failed (log: $CACHE_ROOT/build-metrics-server.log)"

log "build done in $((SECONDS - t0))s; cache: $CACHE_ROOT"
