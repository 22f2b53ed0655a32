#!/usr/bin/env bash
# Start a single-node Kubernetes on this machine and wait until it is usable.
#
#   scripts/cluster/up.sh            # builds first if the cache is empty
#   export KUBECONFIG=/tmp/demo-cluster/kubeconfig
#   scripts/cluster/down.sh          # stops everything again
#
# Layout: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, containerd
# (+ runc, bridge CNI), kubelet (cgroupfs driver), kube-proxy (iptables mode) and
# kube-router's NetworkPolicy controller (--run-firewall only) run
# as plain processes inside the network namespace $NETNS, which has no route off
# this machine. The host reaches the node at $NODE_IP over one veth pair and routes
# the pod and service ranges to it. CoreDNS runs as a Deployment in kube-system
# (no upstream forwarding: only cluster.local answers). local-path-provisioner makes
# `local-path` the default StorageClass (local-path.yaml; volumes in $DEMO_CLUSTER_DIR/local-path).
# State and logs are in $DEMO_CLUSTER_DIR (default /tmp/demo-cluster); logs/<component>.log on failure.
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_root

t0=$SECONDS
bash "$CLUSTER_DIR/build.sh"
t_build=$((SECONDS - t0))

for p in "$PIDS"/*.pid; do
  if [[ -f $p ]] && live_pid "$p" >/dev/null; then
    die "a cluster is already up ($(basename "$p" .pid) runs, pid $(live_pid "$p")): run scripts/cluster/down.sh first"
  fi
done
if [[ -e "$NETNS_PATH" ]] || ip link show "$VETH_HOST" >/dev/null 2>&1 || [[ -d $STATE/pki ]]; then
  # Left by a run that crashed or a machine that restarted: nothing of it runs any more.
  log "stale state of an earlier cluster (nothing of it runs): cleaning it with down.sh"
  bash "$CLUSTER_DIR/down.sh" || die "could not clean the stale cluster state"
fi
rm -rf "$STATE"
mkdir -p "$STATE" "$LOGS" "$PIDS" "$PKI" "$STATE/run" "$STATE/etcd" "$STATE/cni/net.d" \
  "$STATE/cni/ipam" "$STATE/containerd" "$STATE/kubelet" "$STATE/pod-logs" "$STATE/manifests"
on_exit() {
  local rc=$?
  if ((rc)); then log "up failed (exit $rc); logs in $LOGS; run scripts/cluster/down.sh to clean up"; fi
}
trap on_exit EXIT

# Kubelet sets these host-wide kernel tunables; down.sh puts the old values back.
for k in vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops \
         kernel.keys.root_maxkeys kernel.keys.root_maxbytes; do
  echo "$k=$(sysctl -n "$k")"
done >"$STATE/sysctl.saved"

# ---- network namespace --------------------------------------------------------------
log "network: netns $NETNS, node $NODE_IP <-> host $HOST_IP"
ip netns add "$NETNS"
ip link add "$VETH_HOST" type veth peer name "$VETH_NODE" netns "$NETNS"
ip addr add "$HOST_IP/30" dev "$VETH_HOST"
ip link set "$VETH_HOST" up
in_node ip link set lo up
in_node ip addr add "$NODE_IP/30" dev "$VETH_NODE"
in_node ip link set "$VETH_NODE" up
# The node itself needs a route to the service range for kube-proxy's DNAT to apply to
# its own connections (there is no default route here); an empty bridge is the device:
# whatever is not translated to a pod is dropped there.
in_node ip link add demo-svc type bridge
in_node ip link set demo-svc up
in_node ip route add "$SERVICE_CIDR" dev demo-svc
ip route add "$CLUSTER_CIDR" via "$NODE_IP" dev "$VETH_HOST"
ip route add "$SERVICE_CIDR" via "$NODE_IP" dev "$VETH_HOST"
in_node sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 \
  net.bridge.bridge-nf-call-ip6tables=1 net.ipv4.conf.all.route_localnet=1
: >"$STATE/resolv.conf"   # pods with dnsPolicy Default get no upstream resolver

# ---- certificates (one CA, EC P-256) ----------------------------------------------
log "pki: CA and component certificates"
make_ca "$PKI"
make_cert "$PKI" apiserver "/CN=kube-apiserver" serverAuth \
  "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$CLUSTER_DOMAIN,DNS:localhost,DNS:$NODE_NAME,IP:$KUBERNETES_SVC_IP,IP:$NODE_IP,IP:127.0.0.1"
make_cert "$PKI" apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
make_cert "$PKI" admin "/O=system:masters/CN=kubernetes-admin" clientAuth
make_cert "$PKI" controller-manager "/CN=system:kube-controller-manager" clientAuth
make_cert "$PKI" scheduler "/CN=system:kube-scheduler" clientAuth
make_cert "$PKI" kube-proxy "/CN=system:kube-proxy" clientAuth
make_cert "$PKI" kubelet-client "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth
make_cert "$PKI" kubelet-serving "/O=system:nodes/CN=system:node:$NODE_NAME" serverAuth "DNS:$NODE_NAME,IP:$NODE_IP"
make_sa_key "$PKI"

write_kubeconfig "$KUBECONFIG_FILE" "$PKI" admin "https://$NODE_IP:6443"
for c in controller-manager scheduler kube-proxy kubelet-client; do
  write_kubeconfig "$STATE/$c.kubeconfig" "$PKI" "$c" "https://127.0.0.1:6443"
done

# ---- process helpers ---------------------------------------------------------------
start() { start_in_node "$@"; }

# ---- containerd ----------------------------------------------------------------------
cat >"$STATE/cni/net.d/10-demo.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "demo",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "cni0",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$STATE/cni/ipam",
        "ranges": [[{"subnet": "$POD_CIDR"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
cat >"$STATE/containerd/config.toml" <<EOF
version = 2
root = "$STATE/containerd/root"
state = "$STATE/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.grpc.v1.introspection.v1.tracing", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  enable_selinux = false
  max_container_log_line_size = 16384
  # This machine withholds CAP_SYS_RESOURCE even from root, so no process may lower
  # its oom_score_adj below 0; kubelet asks -998 for every pod sandbox and runc would
  # fail ("failed to update /proc/self/oom_score_adj: Permission denied"). Clamp
  # requests to containerd's own score instead.
  restrict_oom_score_adj = true
  # Pod network namespaces under our state dir (not /var/run/netns), so down.sh finds
  # and unmounts them even after a crash.
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = "$(command -v runc)"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
  # Per-registry hosts.toml (registry.sh writes them: ghcr.io, docker.io and gcr.io are
  # mirrored by the local stand-in registry); read at each pull.
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$STATE/containerd/certs.d"
EOF
log "containerd"
start containerd containerd --config "$STATE/containerd/config.toml" --log-level warn
ctr_() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }
up_or_die containerd 30 ctr_ version
for image in "$PAUSE_IMAGE" "$COREDNS_IMAGE" "$LOCAL_PATH_IMAGE" "$LOCAL_PATH_HELPER_IMAGE"; do
  tar=$(image_archive "$image")
  ctr_ images import "$tar" >/dev/null || die "ctr images import $tar failed"
done
ctr_ images ls -q | sed 's/^/  image: /' >&2

# ---- etcd -------------------------------------------------------------------------------
log "etcd"
mount -t tmpfs -o size=1g,mode=0700 demo-cluster-etcd "$STATE/etcd"
start etcd etcd --name demo --data-dir "$STATE/etcd/data" \
  --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster demo=http://127.0.0.1:2380 --listen-metrics-urls http://127.0.0.1:2381 \
  --logger zap --log-level warn --quota-backend-bytes 1073741824
up_or_die etcd 30 in_node curl -fs http://127.0.0.1:2379/health

# ---- control plane --------------------------------------------------------------------
log "kube-apiserver"
start kube-apiserver "$K8S_BIN/kube-apiserver" \
  --etcd-servers=http://127.0.0.1:2379 \
  --advertise-address="$NODE_IP" --bind-address=0.0.0.0 --secure-port=6443 \
  --service-cluster-ip-range="$SERVICE_CIDR" --service-node-port-range=30000-32767 \
  --client-ca-file="$PKI/ca.crt" \
  --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
  --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
  --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority="$PKI/ca.crt" \
  --kubelet-preferred-address-types=InternalIP \
  --service-account-issuer="https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
  --allow-privileged=true --profiling=false --endpoint-reconciler-type=lease \
  --v=1
up_or_die kube-apiserver 90 kctl get --raw /readyz

log "kube-controller-manager, kube-scheduler"
start kube-controller-manager "$K8S_BIN/kube-controller-manager" \
  --kubeconfig="$STATE/controller-manager.kubeconfig" \
  --authentication-kubeconfig="$STATE/controller-manager.kubeconfig" \
  --authorization-kubeconfig="$STATE/controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --leader-elect=false \
  --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
  --root-ca-file="$PKI/ca.crt" --service-account-private-key-file="$PKI/sa.key" \
  --use-service-account-credentials=true --allocate-node-cidrs=false \
  --service-cluster-ip-range="$SERVICE_CIDR" --cluster-cidr="$CLUSTER_CIDR" \
  --controllers='*,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller' \
  --profiling=false --v=1
start kube-scheduler "$K8S_BIN/kube-scheduler" \
  --kubeconfig="$STATE/scheduler.kubeconfig" \
  --authentication-kubeconfig="$STATE/scheduler.kubeconfig" \
  --authorization-kubeconfig="$STATE/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --leader-elect=false --profiling=false --v=1
up_or_die kube-controller-manager 60 in_node curl -fsk https://127.0.0.1:10257/healthz
up_or_die kube-scheduler 60 in_node curl -fsk https://127.0.0.1:10259/healthz

# ---- node: kubelet and kube-proxy --------------------------------------------------------
cat >"$STATE/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization:
  mode: Webhook
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
clusterDomain: $CLUSTER_DOMAIN
clusterDNS: [$DNS_SVC_IP]
resolvConf: $STATE/resolv.conf
podLogsDir: $STATE/pod-logs
maxPods: 110
serializeImagePulls: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: 200Mi
  nodefs.available: 1%
  nodefs.inodesFree: 1%
  imagefs.available: 1%
protectKernelDefaults: false
oomScoreAdj: 0   # the default -999 needs CAP_SYS_RESOURCE, which this machine withholds
rotateCertificates: false
serverTLSBootstrap: false
EOF
log "kubelet"
start kubelet "$K8S_BIN/kubelet" --config="$STATE/kubelet/config.yaml" \
  --kubeconfig="$STATE/kubelet-client.kubeconfig" --root-dir="$STATE/kubelet" \
  --cert-dir="$PKI" --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" --v=1
up_or_die kubelet 90 kctl get node "$NODE_NAME"

cat >"$STATE/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection:
  kubeconfig: $STATE/kube-proxy.kubeconfig
hostnameOverride: $NODE_NAME
clusterCIDR: $CLUSTER_CIDR
bindAddress: $NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: ["$NODE_IP/32"]
oomScoreAdj: 0
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
EOF
log "kube-proxy"
start kube-proxy "$K8S_BIN/kube-proxy" --config="$STATE/kube-proxy.yaml" --v=1
up_or_die kube-proxy 60 in_node curl -fs http://127.0.0.1:10256/healthz

# NetworkPolicies: kube-router's policy controller only (iptables + ipset in this netns); the
# bridge CNI and kube-proxy stay as they are. v2.1.0 has reported security flaws (lib.sh):
# acceptable in this throwaway cluster only. Its certificate is in system:masters like the
# admin's: it reads pods, namespaces, policies and nodes.
log "kube-router (NetworkPolicy controller only)"
make_cert "$PKI" kube-router "/O=system:masters/CN=kube-router" clientAuth
write_kubeconfig "$STATE/kube-router.kubeconfig" "$PKI" kube-router "https://127.0.0.1:6443"
start kube-router "$KUBE_ROUTER_BIN/kube-router" --kubeconfig="$STATE/kube-router.kubeconfig" \
  --hostname-override="$NODE_NAME" --run-firewall=true --run-router=false --run-service-proxy=false \
  --enable-cni=false --enable-pod-egress=false --enable-ipv6=false \
  --service-cluster-ip-range="$SERVICE_CIDR" --service-node-port-range=30000-32767 \
  --health-port=20244 --metrics-port=0 --v=1
up_or_die kube-router 60 in_node curl -fs http://127.0.0.1:20244/healthz

up_or_die kubelet 120 kctl wait --for=condition=Ready "node/$NODE_NAME" --timeout=1s

# ---- CoreDNS ------------------------------------------------------------------------------
log "coredns"
sed -e "s|@COREDNS_IMAGE@|$COREDNS_IMAGE|g" -e "s|@DNS_SVC_IP@|$DNS_SVC_IP|g" \
  -e "s|@CLUSTER_DOMAIN@|$CLUSTER_DOMAIN|g" "$CLUSTER_DIR/coredns.yaml" >"$STATE/manifests/coredns.yaml"
kctl apply -f "$STATE/manifests/coredns.yaml" >/dev/null
if ! kctl -n kube-system rollout status deployment/coredns --timeout=120s >&2; then
  kctl -n kube-system describe pods -l k8s-app=kube-dns >&2 || true
  die "coredns did not become available"
fi
dig_api() { in_node dig +time=2 +tries=1 "@$DNS_SVC_IP" "kubernetes.default.svc.$CLUSTER_DOMAIN" A "$@"; }
dns_ok() { dig_api +short | grep -qxF "$KUBERNETES_SVC_IP"; }
wait_for 60 "DNS answers kubernetes.default.svc.$CLUSTER_DOMAIN via $DNS_SVC_IP" dns_ok || { dig_api >&2 || true; die "DNS does not resolve"; }
log "dns: kubernetes.default.svc.$CLUSTER_DOMAIN -> $KUBERNETES_SVC_IP via service $DNS_SVC_IP"

# ---- the default StorageClass (local-path-provisioner) -----------------------------------
log "local-path-provisioner: default StorageClass local-path, volumes in $LOCAL_PATH_DIR"
mkdir -p "$LOCAL_PATH_DIR"
sed -e "s|@LOCAL_PATH_IMAGE@|$LOCAL_PATH_IMAGE|g" -e "s|@LOCAL_PATH_HELPER_IMAGE@|$LOCAL_PATH_HELPER_IMAGE|g" \
  -e "s|@LOCAL_PATH_DIR@|$LOCAL_PATH_DIR|g" "$CLUSTER_DIR/local-path.yaml" >"$STATE/manifests/local-path.yaml"
kctl apply -f "$STATE/manifests/local-path.yaml" >/dev/null
if ! kctl -n local-path-storage rollout status deployment/local-path-provisioner --timeout=120s >&2; then
  kctl -n local-path-storage describe pods >&2 || true
  die "local-path-provisioner did not become available"
fi

echo "$((SECONDS - t0))" >"$STATE/up.seconds"
log "cluster up in $((SECONDS - t0))s (build/cache check ${t_build}s); node $NODE_NAME Ready, DNS resolves"
log "use: export KUBECONFIG=$KUBECONFIG_FILE"
