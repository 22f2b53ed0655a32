# shellcheck shell=bash
# Shared settings and helpers for scripts/cluster/*.sh. Source it; do not run it.
#
# Everything the cluster does on the network happens inside one network namespace
# ($NETNS) that up.sh creates. It has no default route: pods and nodes can reach
# only each other, the node address and the host end of one veth pair. The host gets
# routes for the pod and service ranges into that namespace, nothing else.

# The generic helpers (die, say, need, wait_for) and the Go-module builder come from
# scripts/lib/; `log` (timestamped) and the rest below are the cluster's own.

# shellcheck disable=SC2034  # the settings are used by the scripts that source this file
SCRIPT_NAME=${SCRIPT_NAME:-$(basename "${BASH_SOURCE[1]:-$0}" .sh)}
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=scripts/lib/go.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/go.sh"

# ---- pinned versions -------------------------------------------------------------
K8S_VERSION=v1.34.4          # k8s.io/kubernetes on the Go module proxy
K8S_STAGING_VERSION=v0.34.4  # k8s.io/api, k8s.io/client-go, ... at the same release
COREDNS_VERSION=v1.14.7      # github.com/coredns/coredns
PAUSE_VERSION=3.10.1         # what kubelet 1.34 expects as the sandbox image

PAUSE_IMAGE="registry.k8s.io/pause:${PAUSE_VERSION}"
COREDNS_IMAGE="demo.local/coredns:${COREDNS_VERSION}"
# Jaeger for the traces step (scripts/e2e/25-traces.e2e.ts), under the name a user pulls: 2.12.0
# is the Jaeger v2 release of the module tag scripts/tools.sh builds (JAEGER_VERSION=v1.75.0).
JAEGER_IMAGE="docker.io/jaegertracing/jaeger:2.12.0"

# ---- places ----------------------------------------------------------------------
CLUSTER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_ROOT="${DEMO_CLUSTER_CACHE:-/var/cache/demo-cluster}"
GO_VERSION_KEY="$("$GO" env GOVERSION 2>/dev/null || echo nogo)"
K8S_BIN="$CACHE_ROOT/k8s-${K8S_VERSION}-${GO_VERSION_KEY}/bin"
COREDNS_BIN="$CACHE_ROOT/coredns-${COREDNS_VERSION}-${GO_VERSION_KEY}/bin"
IMAGES_DIR="$CACHE_ROOT/images"
STATE="${DEMO_CLUSTER_DIR:-/tmp/demo-cluster}"
LOGS="$STATE/logs"
PIDS="$STATE/pids"
PKI="$STATE/pki"
KUBECONFIG_FILE="$STATE/kubeconfig"
CONTAINERD_SOCK="$STATE/run/containerd.sock"   # node 1's (node.sh: N_SOCK)
CONTAINERD_CERTS_D="$STATE/containerd/certs.d"  # registry mirrors, read by every node's containerd

# ---- network (all local: a netns of ours and one veth pair) ----------------------
NETNS=demo-k8s
NETNS_PATH=/run/netns/$NETNS
VETH_HOST=demo-k8s-h        # host end
VETH_NODE=demo-k8s-n        # node end, inside $NETNS
HOST_IP=10.250.0.1          # host end of the veth (/30)
NODE_IP=10.250.0.2          # the node's address: apiserver, kubelet, NodePorts
NODE_NAME=demo-node         # node 1; node N > 1 is demo-node-N at 10.250.<N-1>.2 (node.sh)
NODES=2                     # the e2e runs on two nodes: spread, drains and a lost node
POD_CIDR=10.244.0.0/24
CLUSTER_CIDR=10.244.0.0/16
SERVICE_CIDR=10.96.0.0/16
KUBERNETES_SVC_IP=10.96.0.1
DNS_SVC_IP=10.96.0.10
CLUSTER_DOMAIN=cluster.local

# ---- helpers ---------------------------------------------------------------------
log() { printf '[cluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Run a command inside the cluster's network namespace (host mount namespace kept,
# so kubelet's volume mounts are visible to containerd and runc).
in_node() { nsenter --net="$NETNS_PATH" -- "$@"; }

# start_in_node NAME CMD...: run CMD in the node netns, detached, logging to
# logs/NAME.log, its pid in pids/NAME.pid (down.sh stops it). The subshell execs
# nsenter, which execs setsid, which execs CMD: the recorded pid is the daemon's own.
start_in_node() {
  local name=$1; shift
  start_on_host "$name" nsenter --net="$NETNS_PATH" -- "$@"
}
# start_on_host NAME CMD...: the same, in the host's network namespace. With START_CGROUP_PROCS
# set (a cgroup.procs file) the process starts in that cgroup (node.sh: a node's freezer).
start_on_host() {
  local name=$1; shift
  (
    if [[ -n ${START_CGROUP_PROCS:-} ]]; then echo "$BASHPID" >"$START_CGROUP_PROCS"; fi
    exec setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null
  ) &
  echo "$! $(proc_start_time $!)" >"$PIDS/$name.pid"
}

# A pid file holds "PID STARTTIME" (field 22 of /proc/PID/stat), so a pid reused by
# another process after a crash or restart is never taken for ours.
proc_start_time() { awk '{sub(/^.*\) /, ""); print $20}' "/proc/$1/stat" 2>/dev/null; }
# live_pid PIDFILE: print the pid if that very process still runs.
live_pid() {
  local pid start
  [[ -f $1 ]] && read -r pid start <"$1" || return 1
  [[ -n $pid && -n $start && $(proc_start_time "$pid") == "$start" ]] || return 1
  echo "$pid"
}

alive() { live_pid "$PIDS/$1.pid" >/dev/null; }
# up_or_die NAME TIMEOUT CHECK...: wait for CHECK while NAME is running.
up_or_die() {
  local name=$1 timeout=$2; shift 2
  local start_s=$SECONDS
  until "$@" >/dev/null 2>&1; do
    if ! alive "$name"; then tail -25 "$LOGS/$name.log" >&2; die "$name exited (log: $LOGS/$name.log)"; fi
    if ((SECONDS - start_s >= timeout)); then tail -25 "$LOGS/$name.log" >&2; die "$name not ready after ${timeout}s (log: $LOGS/$name.log)"; fi
    sleep 0.5
  done
  log "$name ready ($((SECONDS - start_s))s)"
}

kctl() { "$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

need_root() { [[ $(id -u) == 0 ]] || die "must run as root (network namespaces, mounts, cgroups)"; }

# ---- PKI (openssl, EC P-256; 30-day certs for a throwaway cluster) --------------------
openssl_quiet() { openssl "$@" 2>/dev/null; }
make_ca() { # DIR
  openssl_quiet ecparam -name prime256v1 -genkey -noout -out "$1/ca.key"
  openssl_quiet req -x509 -new -key "$1/ca.key" -subj "/CN=demo-cluster-ca" -days 30 -out "$1/ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"
}
make_cert() { # DIR NAME SUBJECT EXTKEYUSAGE [SUBJECTALTNAMES]
  local dir=$1 name=$2 subj=$3 eku=$4 sans=${5:-}
  openssl_quiet ecparam -name prime256v1 -genkey -noout -out "$dir/$name.key"
  openssl_quiet req -new -key "$dir/$name.key" -subj "$subj" -out "$dir/$name.csr"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    if [[ -n $sans ]]; then echo "subjectAltName=$sans"; fi
  } >"$dir/$name.ext"
  openssl_quiet x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 30 -extfile "$dir/$name.ext" -out "$dir/$name.crt"
  rm -f "$dir/$name.csr" "$dir/$name.ext"
}
make_sa_key() { # DIR: service-account token signing key pair
  openssl_quiet ecparam -name prime256v1 -genkey -noout -out "$1/sa.key"
  openssl_quiet ec -in "$1/sa.key" -pubout -out "$1/sa.pub"
}
write_kubeconfig() { # OUT PKIDIR CERTNAME SERVER
  local out=$1 dir=$2 cert=$3 server=$4
  cat >"$out" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: demo
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 "$dir/ca.crt")
users:
- name: $cert
  user:
    client-certificate-data: $(base64 -w0 "$dir/$cert.crt")
    client-key-data: $(base64 -w0 "$dir/$cert.key")
contexts:
- name: demo
  context: {cluster: demo, user: $cert}
current-context: demo
KUBECONFIG
  chmod 600 "$out"
}

# ---- release rehearsal: builder, registry and the names they stand in for ---------------
BUILDKIT_VERSION=v0.34.2       # github.com/moby/buildkit: buildkitd, buildctl
REGISTRY_VERSION=v3.1.2        # github.com/distribution/distribution/v3: the OCI registry
RELEASE_TOOLS_BIN="$CACHE_ROOT/release-tools-${BUILDKIT_VERSION}-${REGISTRY_VERSION}-${GO_VERSION_KEY}/bin"

# ---- NetworkPolicy enforcement (build-kube-router.sh) --------------------------------------
# kube-router's policy controller only (--run-firewall): iptables + ipset, which this kernel
# has (CONFIG_NFT_QUEUE is not set, so kube-network-policies cannot run here). v2.1.0 is what
# the Go module proxy serves; it has reported security flaws: fine in this throwaway test
# cluster, never shipped with the chart nor recommended to users.
KUBE_ROUTER_VERSION=v2.1.0     # github.com/cloudnativelabs/kube-router/v2
KUBE_ROUTER_BIN="$CACHE_ROOT/kube-router-${KUBE_ROUTER_VERSION}-${GO_VERSION_KEY}/bin"

# ---- the default StorageClass (build-local-path.sh): what kind ships --------------------------
# github.com/rancher/local-path-provisioner, built from the Go module proxy; its helper pods (they
# create and remove each volume's directory) run Debian's busybox-static (sh, mkdir, rm). The
# volumes live under $LOCAL_PATH_DIR, which down.sh removes with the rest of $STATE.
LOCAL_PATH_VERSION=v0.0.30
LOCAL_PATH_BIN="$CACHE_ROOT/local-path-${LOCAL_PATH_VERSION}-${GO_VERSION_KEY}/bin"
LOCAL_PATH_IMAGE="demo.local/local-path-provisioner:${LOCAL_PATH_VERSION}"
LOCAL_PATH_HELPER_IMAGE="demo.local/local-path-helper:${LOCAL_PATH_VERSION}"
LOCAL_PATH_DIR="$STATE/local-path"

# ---- resource metrics for HorizontalPodAutoscalers (build-metrics-server.sh) -----------------
# sigs.k8s.io/metrics-server from the Go module proxy, deployed in kube-system (metrics-server.yaml).
# v0.8.0: the proxy also serves v0.9.0, which is not an approved release.
METRICS_SERVER_VERSION=v0.8.0
METRICS_SERVER_BIN="$CACHE_ROOT/metrics-server-${METRICS_SERVER_VERSION}-${GO_VERSION_KEY}/bin"
METRICS_SERVER_IMAGE="demo.local/metrics-server:${METRICS_SERVER_VERSION}"

# The public names the release path uses, played here by one local OCI registry
# (registry.sh) on the host end of the cluster's veth. `as_public CMD...` runs CMD in a
# private mount namespace whose /etc/hosts sends those names to it, trusting its
# throwaway CA (SSL_CERT_FILE: the system bundle plus that CA). Nothing else changes:
# buildkitd, helm and the release script use the names a user's machine resolves.
PUBLIC_REGISTRY_NAMES=(ghcr.io gcr.io docker.io registry-1.docker.io)
REGISTRY_DIR="$STATE/registry"
BUILDKIT_SOCK="$STATE/run/buildkitd.sock"
# shellcheck disable=SC2016  # $0 and $@ belong to the inner sh
AS_PUBLIC=(env "SSL_CERT_FILE=$REGISTRY_DIR/ca-bundle.pem" "BUILDKIT_HOST=unix://$BUILDKIT_SOCK"
  unshare --mount --propagation private -- sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$REGISTRY_DIR/hosts")
as_public() {
  [[ -f $REGISTRY_DIR/hosts ]] || die "the stand-in registry is not up: run scripts/cluster/registry.sh"
  "${AS_PUBLIC[@]}" "$@"
}

# cached_go_build NAME VERSION BIN MODULE@VERSION LDFLAGS PACKAGE...: build_go_module, once, into
# BIN (marked complete by BIN/.complete; the log is $CACHE_ROOT/build-NAME.log).
cached_go_build() {
  local name=$1 version=$2 bin=$3 modver=$4 ldflags=$5; shift 5
  if [[ -f $bin/.complete ]]; then log "$name $version: cached in $bin"; return 0; fi
  mkdir -p "$CACHE_ROOT"; rm -rf "$bin.tmp"; : >"$CACHE_ROOT/build-$name.log"
  build_go_module "$modver" "$bin.tmp" "$CACHE_ROOT/build-$name.log" "$ldflags" "$@"
  touch "$bin.tmp/.complete"
  rm -rf "$bin"; mv "$bin.tmp" "$bin"
  log "$name $version: built into $bin"
}

# passwd_files ROOT: /etc/passwd and /etc/group with root and nonroot (65532), as distroless has.
passwd_files() {
  mkdir -p "$1/etc"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$1/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$1/etc/group"
}

# static_image BINARY NAME: a FROM scratch image of one static binary (/<its name>, the
# entrypoint; users root and nonroot, run as nonroot 65532) into image_archive NAME
# (oci-archive.sh), unless the archive is there and newer than BINARY.
static_image() {
  local binary=$1 name=$2 tar tmp
  tar=$(image_archive "$name")
  [[ -f $tar && $tar -nt $binary ]] && return 0
  log "image $name: from $binary"
  tmp=$(mktemp -d)
  passwd_files "$tmp/rootfs"
  install -m 0755 "$binary" "$tmp/rootfs/$(basename "$binary")"
  printf '%s\n' 'FROM scratch' 'COPY rootfs/ /' 'USER 65532:65532' 'ENV PATH=/' "ENTRYPOINT [\"/$(basename "$binary")\"]" >"$tmp/Dockerfile"
  bash "$CLUSTER_DIR/oci-archive.sh" "$tmp" "$name" "$tar" || { rm -rf "$tmp"; die "image $name failed"; }
  rm -rf "$tmp"
}

# image_archive NAME: the OCI archive build.sh (or build-local-path.sh) writes for an image that
# up.sh imports into containerd.
image_archive() { echo "$IMAGES_DIR/$(echo "$1" | tr '/:' '__').tar"; }
