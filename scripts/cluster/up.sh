#!/usr/bin/env bash
# Start a two-node Kubernetes on this machine and wait until it is usable.
#
#   scripts/cluster/up.sh            # builds first if the cache is empty
#   export KUBECONFIG=/tmp/demo-cluster/kubeconfig
#   scripts/cluster/down.sh          # stops everything again
#
# Layout: etcd, kube-apiserver, kube-controller-manager and kube-scheduler run as plain
# processes inside the network namespace $NETNS (node 1's), which has no route off this
# machine. Each of the $NODES nodes (node.sh) runs containerd (+ runc, bridge CNI), kubelet
# (cgroupfs driver), kube-proxy (iptables mode) and kube-router's NetworkPolicy controller
# (--run-firewall only) in its own network namespace; node N > 1 is joined to node 1 by a veth
# pair. The host reaches node 1 at $NODE_IP over one veth pair and routes the pod and service
# ranges to it. metrics-server serves metrics.k8s.io (metrics-server.yaml). CoreDNS runs as a Deployment in kube-system
# (no upstream forwarding: only cluster.local answers). local-path-provisioner makes
# `local-path` the default StorageClass (local-path.yaml; volumes in $DEMO_CLUSTER_DIR/local-path).
# State and logs are in $DEMO_CLUSTER_DIR (default /tmp/demo-cluster); logs/<component>.log on failure.
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/cluster/node.sh
source "$CLUSTER_DIR/node.sh"
need_root

t0=$SECONDS
bash "$CLUSTER_DIR/build.sh"
t_build=$((SECONDS - t0))

for p in "$PIDS"/*.pid; do
  if [[ -f $p ]] && live_pid "$p" >/dev/null; then
    die "a cluster is already up ($(basename "$p" .pid) runs, pid $(live_pid "$p")): run scripts/cluster/down.sh first"
  fi
done
if compgen -G "/run/netns/$NETNS*" >/dev/null || ip link show "$VETH_HOST" >/dev/null 2>&1 || [[ -d $STATE/pki ]]; then
  # Left by a run that crashed or a machine that restarted: nothing of it runs any more.
  log "stale state of an earlier cluster (nothing of it runs): cleaning it with down.sh"
  bash "$CLUSTER_DIR/down.sh" || die "could not clean the stale cluster state"
fi
rm -rf "$STATE"
mkdir -p "$STATE" "$LOGS" "$PIDS" "$PKI" "$STATE/run" "$STATE/etcd" "$STATE/manifests"
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

# ---- network namespaces: node 1 (the control plane's too), then the others -----------------
for n in $(seq 1 "$NODES"); do node_network "$n"; done
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
make_cert "$PKI" kube-router "/O=system:masters/CN=kube-router" clientAuth
# The API server's client certificate towards aggregated APIs (metrics-server's metrics.k8s.io).
make_cert "$PKI" front-proxy-client "/CN=front-proxy-client" clientAuth
make_sa_key "$PKI"
for n in $(seq 1 "$NODES"); do node_certs "$n"; done

write_kubeconfig "$KUBECONFIG_FILE" "$PKI" admin "https://$NODE_IP:6443"
for c in controller-manager scheduler; do
  write_kubeconfig "$STATE/$c.kubeconfig" "$PKI" "$c" "https://127.0.0.1:6443"
done
# Every node's components reach the API server on node 1's address.
for c in kube-proxy kube-router; do
  write_kubeconfig "$STATE/$c.kubeconfig" "$PKI" "$c" "https://$NODE_IP:6443"
done

start() { start_in_node "$@"; }

# ---- containerd of each node (the images up.sh deploys imported into each) ----------------------
for n in $(seq 1 "$NODES"); do node_containerd "$n"; done

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
  --requestheader-client-ca-file="$PKI/ca.crt" --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
  --enable-aggregator-routing=true \
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

# ---- nodes: kubelet, kube-proxy, kube-router (NetworkPolicies) on each ---------------------
for n in $(seq 1 "$NODES"); do node_kubelet "$n"; done
for n in $(seq 1 "$NODES"); do
  node_vars "$n"
  up_or_die "kubelet$N_SFX" 120 kctl wait --for=condition=Ready "node/$N_NAME" --timeout=1s
done
# Node 1 runs the control plane: the cluster's add-ons (CoreDNS, local-path, metrics-server) select
# it by this label, as kubeadm labels its control-plane nodes (without the taint: pods run there too).
kctl label --overwrite node "$NODE_NAME" node-role.kubernetes.io/control-plane= >/dev/null

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

# ---- resource metrics (metrics-server): what the chart's HorizontalPodAutoscalers read ----------
log "metrics-server $METRICS_SERVER_VERSION: metrics.k8s.io for HorizontalPodAutoscalers"
sed -e "s|@METRICS_SERVER_IMAGE@|$METRICS_SERVER_IMAGE|g" "$CLUSTER_DIR/metrics-server.yaml" >"$STATE/manifests/metrics-server.yaml"
kctl apply -f "$STATE/manifests/metrics-server.yaml" >/dev/null
if ! kctl -n kube-system rollout status deployment/metrics-server --timeout=120s >&2; then
  kctl -n kube-system describe pods -l k8s-app=metrics-server >&2 || true
  die "metrics-server did not become available"
fi

echo "$((SECONDS - t0))" >"$STATE/up.seconds"
log "cluster up in $((SECONDS - t0))s (build/cache check ${t_build}s); $NODES nodes Ready, DNS resolves"
log "use: export KUBECONFIG=$KUBECONFIG_FILE"
