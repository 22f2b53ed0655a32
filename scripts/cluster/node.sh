# shellcheck shell=bash
# A node of the e2e cluster: what up.sh starts and down.sh stops for each of $NODES nodes, one
# piece for all of them. Source it after lib.sh; do not run it.
#
#   node_vars N      set N_NAME, N_IP, N_NETNS, N_DIR, N_SFX, N_SOCK, N_POD_CIDR, N_CGROUP_ROOT
#   node_network N   its network namespace and links (node 1: the host's veth; node N > 1: a veth
#                    straight to node 1, routes for each other's pod subnet)
#   node_containerd N, node_kubelet N    its containerd, then kubelet + kube-proxy + kube-router
#   node_down N      everything of it gone: processes, pods, mounts, cgroups, netns
#
# Node 1 (demo-node, 10.250.0.2) shares its network namespace with the control plane and
# keeps the paths it always had ($STATE/containerd, $STATE/kubelet, cgroups under /). Node N > 1
# (demo-node-N, 10.250.<N-1>.2) has its own namespace, its state in $STATE/node-N and its
# cgroups under /demo-node-N in every controller: kubelet's cgroupRoot, and its daemons in
# /demo-node-N/daemons, so that freezing /demo-node-N (freeze-node.sh) stops all of that node at
# once, as a machine that stops answering.

# shellcheck disable=SC2034  # the N_* settings are read by the callers
node_vars() {
  local n=$1
  if ((n == 1)); then
    N_NAME=$NODE_NAME N_IP=$NODE_IP N_NETNS=$NETNS N_DIR=$STATE N_SFX="" N_CGROUP_ROOT=""
  else
    N_NAME=$NODE_NAME-$n N_IP=10.250.$((n - 1)).2 N_NETNS=$NETNS-$n N_DIR=$STATE/node-$n
    N_SFX=-$n N_CGROUP_ROOT=/$NODE_NAME-$n
  fi
  N_POD_CIDR=10.244.$((n - 1)).0/24
  N_SOCK=$N_DIR/run/containerd.sock
}

in_netns() { local ns=$1; shift; nsenter --net="/run/netns/$ns" -- "$@"; }

# The cgroup v1 hierarchies (and the unified one of this hybrid layout) a node's cgroups go in.
cgroup_hierarchies() { find /sys/fs/cgroup -mindepth 1 -maxdepth 1 -type d; }

node_network() {
  node_vars "$1"
  log "network: netns $N_NETNS, node $N_NAME $N_IP"
  if (($1 == 1)); then
    ip netns add "$N_NETNS"
    ip link add "$VETH_HOST" type veth peer name "$VETH_NODE" netns "$N_NETNS"
    ip addr add "$HOST_IP/30" dev "$VETH_HOST"
    ip link set "$VETH_HOST" up
    in_netns "$N_NETNS" ip addr add "$N_IP/30" dev "$VETH_NODE"
    ip route add "$CLUSTER_CIDR" via "$N_IP" dev "$VETH_HOST"
    ip route add "$SERVICE_CIDR" via "$N_IP" dev "$VETH_HOST"
  else
    # A veth straight between node 1 and this node, unnumbered: each end carries only its node's
    # address (/32), so node 1 forwards to this node from 10.250.0.2, as a real node does from
    # its one address (a node port's traffic masqueraded to a pod here comes from node 1's IP,
    # which the e2e's NetworkPolicy admits). The host's routes to the pod range go through node
    # 1, which forwards (the host has ip_forward=0); so does this node's way back.
    local to=demo-k8s-to-$1
    ip netns add "$N_NETNS"
    ip link add "$to" netns "$NETNS" type veth peer name "$VETH_NODE" netns "$N_NETNS"
    in_netns "$NETNS" ip addr add "$NODE_IP/32" dev "$to"
    in_netns "$NETNS" ip link set "$to" up
    in_netns "$N_NETNS" ip addr add "$N_IP/32" dev "$VETH_NODE"
    in_netns "$N_NETNS" ip link set "$VETH_NODE" up
    in_netns "$NETNS" ip route add "$N_IP/32" dev "$to"
    in_netns "$NETNS" ip route add "$N_POD_CIDR" via "$N_IP" dev "$to"
    in_netns "$N_NETNS" ip route add "$NODE_IP/32" dev "$VETH_NODE"
    in_netns "$N_NETNS" ip route add "$CLUSTER_CIDR" via "$NODE_IP" dev "$VETH_NODE"
    in_netns "$N_NETNS" ip route add "$HOST_IP/32" via "$NODE_IP" dev "$VETH_NODE"
    ip route add "$N_IP/32" via "$NODE_IP" dev "$VETH_HOST"
  fi
  in_netns "$N_NETNS" ip link set lo up
  in_netns "$N_NETNS" ip link set "$VETH_NODE" up
  # The node itself needs a route to the service range for kube-proxy's DNAT to apply to
  # its own connections (there is no default route here); an empty bridge is the device:
  # whatever is not translated to a pod is dropped there.
  in_netns "$N_NETNS" ip link add demo-svc type bridge
  in_netns "$N_NETNS" ip link set demo-svc up
  in_netns "$N_NETNS" ip route add "$SERVICE_CIDR" dev demo-svc
  in_netns "$N_NETNS" sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 \
    net.bridge.bridge-nf-call-ip6tables=1 net.ipv4.conf.all.route_localnet=1
  if [[ -n $N_CGROUP_ROOT ]]; then
    # kubelet wants its cgroupRoot to exist in every hierarchy; a new cpuset cgroup has no CPUs
    # or memory nodes until they are copied in from its parent.
    local h
    while read -r h; do
      mkdir -p "$h$N_CGROUP_ROOT"
      if [[ -f $h/cpuset.cpus ]]; then
        cat "$h/cpuset.cpus" >"$h$N_CGROUP_ROOT/cpuset.cpus"
        cat "$h/cpuset.mems" >"$h$N_CGROUP_ROOT/cpuset.mems"
      fi
    done < <(cgroup_hierarchies)
    mkdir -p "/sys/fs/cgroup/freezer$N_CGROUP_ROOT/daemons"
  fi
}

# start_node_daemon NAME CMD...: start_in_node for this node's namespace, the process in the
# node's freezer cgroup from its first instruction on (node N > 1), so its children are too.
start_node_daemon() {
  local name=$1$N_SFX; shift
  START_CGROUP_PROCS=${N_CGROUP_ROOT:+/sys/fs/cgroup/freezer$N_CGROUP_ROOT/daemons/cgroup.procs} \
    start_on_host "$name" nsenter --net="/run/netns/$N_NETNS" -- "$@"
}

node_containerd() {
  node_vars "$1"
  mkdir -p "$N_DIR/run" "$N_DIR/containerd" "$N_DIR/cni/net.d" "$N_DIR/cni/ipam" "$N_DIR/pod-logs"
  cat >"$N_DIR/cni/net.d/10-demo.conflist" <<EOF
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
        "dataDir": "$N_DIR/cni/ipam",
        "ranges": [[{"subnet": "$N_POD_CIDR"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
  cat >"$N_DIR/containerd/config.toml" <<EOF
version = 2
root = "$N_DIR/containerd/root"
state = "$N_DIR/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.grpc.v1.introspection.v1.tracing", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$N_SOCK"
[ttrpc]
  address = "$N_SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$N_DIR/containerd/opt"
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
        # Each node's runc keeps its containers' state apart (one runc root per containerd).
        Root = "$N_DIR/run/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$N_DIR/cni/net.d"
  # Per-registry hosts.toml, one set for every node (registry.sh writes them: ghcr.io, docker.io
  # and gcr.io are mirrored by the local stand-in registry); read at each pull.
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$CONTAINERD_CERTS_D"
EOF
  log "containerd ($N_NAME)"
  start_node_daemon containerd containerd --config "$N_DIR/containerd/config.toml" --log-level warn
  local sock=$N_SOCK
  ctr_() { ctr --address "$sock" --namespace k8s.io "$@"; }
  up_or_die "containerd$N_SFX" 30 ctr_ version
  local image tar
  for image in "$PAUSE_IMAGE" "$COREDNS_IMAGE" "$LOCAL_PATH_IMAGE" "$LOCAL_PATH_HELPER_IMAGE" "$METRICS_SERVER_IMAGE"; do
    tar=$(image_archive "$image")
    ctr_ images import "$tar" >/dev/null || die "ctr images import $tar failed ($N_NAME)"
  done
}

# The node's client and serving certificates (the cluster CA; the node's IP in the serving one).
node_certs() {
  node_vars "$1"
  mkdir -p "$N_DIR/pki"
  make_cert "$PKI" "kubelet-client$N_SFX" "/O=system:nodes/CN=system:node:$N_NAME" clientAuth
  make_cert "$PKI" "kubelet-serving$N_SFX" "/O=system:nodes/CN=system:node:$N_NAME" serverAuth "DNS:$N_NAME,IP:$N_IP"
  # Node components talk to the API server on node 1's address (reachable from every node).
  write_kubeconfig "$N_DIR/kubelet-client.kubeconfig" "$PKI" "kubelet-client$N_SFX" "https://$NODE_IP:6443"
}

node_kubelet() {
  node_vars "$1"
  mkdir -p "$N_DIR/kubelet"
  cat >"$N_DIR/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
cgroupRoot: ${N_CGROUP_ROOT:-/}
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$N_SOCK
address: $N_IP
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
tlsCertFile: $PKI/kubelet-serving$N_SFX.crt
tlsPrivateKeyFile: $PKI/kubelet-serving$N_SFX.key
clusterDomain: $CLUSTER_DOMAIN
clusterDNS: [$DNS_SVC_IP]
resolvConf: $STATE/resolv.conf
podLogsDir: $N_DIR/pod-logs
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
  log "kubelet ($N_NAME)"
  start_node_daemon kubelet "$K8S_BIN/kubelet" --config="$N_DIR/kubelet/config.yaml" \
    --kubeconfig="$N_DIR/kubelet-client.kubeconfig" --root-dir="$N_DIR/kubelet" \
    --cert-dir="$N_DIR/pki" --hostname-override="$N_NAME" --node-ip="$N_IP" --v=1
  up_or_die "kubelet$N_SFX" 90 kctl get node "$N_NAME"

  cat >"$N_DIR/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection:
  kubeconfig: $STATE/kube-proxy.kubeconfig
hostnameOverride: $N_NAME
clusterCIDR: $CLUSTER_CIDR
bindAddress: $N_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: ["$N_IP/32"]
oomScoreAdj: 0
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
EOF
  log "kube-proxy ($N_NAME)"
  start_node_daemon kube-proxy "$K8S_BIN/kube-proxy" --config="$N_DIR/kube-proxy.yaml" --v=1
  up_or_die "kube-proxy$N_SFX" 60 in_netns "$N_NETNS" curl -fs http://127.0.0.1:10256/healthz

  # NetworkPolicies: kube-router's policy controller only, one per node (a node without one
  # polices none of its pods). v2.1.0 has reported security flaws (lib.sh): acceptable in this
  # throwaway cluster only.
  log "kube-router ($N_NAME; NetworkPolicy controller only)"
  start_node_daemon kube-router "$KUBE_ROUTER_BIN/kube-router" --kubeconfig="$STATE/kube-router.kubeconfig" \
    --hostname-override="$N_NAME" --run-firewall=true --run-router=false --run-service-proxy=false \
    --enable-cni=false --enable-pod-egress=false --enable-ipv6=false \
    --service-cluster-ip-range="$SERVICE_CIDR" --service-node-port-range=30000-32767 \
    --health-port=20244 --metrics-port=0 --v=1
  up_or_die "kube-router$N_SFX" 60 in_netns "$N_NETNS" curl -fs http://127.0.0.1:20244/healthz
}

# ---- teardown ------------------------------------------------------------------------------

# stop NAME...: SIGTERM the recorded pids together, SIGKILL what is left after 10 s.
stop() {
  local name f pid e live=()
  for name in "$@"; do
    f="$PIDS/$name.pid"
    [[ -f $f ]] || continue
    pid=$(live_pid "$f"); rm -f "$f"
    if [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null; then live+=("$pid:$name"); fi
  done
  for _ in $(seq 1 40); do
    local still=()
    for e in "${live[@]}"; do kill -0 "${e%%:*}" 2>/dev/null && still+=("$e"); done
    live=("${still[@]}")
    ((${#live[@]})) || return 0
    sleep 0.25
  done
  for e in "${live[@]}"; do
    log "${e#*:} (${e%%:*}) did not stop on SIGTERM: SIGKILL"; kill -KILL "${e%%:*}" 2>/dev/null
  done
}

# The node's kubepods cgroups (and, for node N > 1, its own root) in every hierarchy.
node_cgroups() { local h; while read -r h; do echo "$h$N_CGROUP_ROOT/kubepods"; done < <(cgroup_hierarchies); }

# node_stop N: a frozen node thawed, its kubelet first (so nothing restarts containers), then
# every pod through CRI (which tears down each pod's network and netns), then its daemons.
node_stop() {
  node_vars "$1"
  local freezer=/sys/fs/cgroup/freezer$N_CGROUP_ROOT/freezer.state
  if [[ -n $N_CGROUP_ROOT && -f $freezer ]]; then echo THAWED >"$freezer"; fi
  stop "kubelet$N_SFX"
  if [[ -S $N_SOCK && -x $K8S_BIN/cri-rmp ]]; then
    timeout 180 "$K8S_BIN/cri-rmp" "$N_SOCK" >"$LOGS/cri-rmp$N_SFX.log" 2>&1 ||
      log "cri-rmp reported errors (see $LOGS/cri-rmp$N_SFX.log); continuing"
  fi
  stop "kube-router$N_SFX" "kube-proxy$N_SFX" "containerd$N_SFX"
}

# node_clean N: what is left of a stopped node: processes in its netns, containerd shims of
# its socket, containers in its cgroups, mounts under its state dir, its cgroups and netns.
# For node 1 run it last: its netns and state dir are the control plane's too.
node_clean() {
  node_vars "$1"
  local p f procs left_pids
  if [[ -e /run/netns/$N_NETNS ]]; then
    left_pids=$(ip netns pids "$N_NETNS" 2>/dev/null)
    for p in $left_pids; do log "stopping $p ($(cat "/proc/$p/comm" 2>/dev/null)), still in netns $N_NETNS"; kill -TERM "$p" 2>/dev/null; done
    for _ in $(seq 1 20); do [[ -z $(ip netns pids "$N_NETNS" 2>/dev/null) ]] && break; sleep 0.25; done
    for p in $(ip netns pids "$N_NETNS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
  fi
  while read -r f; do
    p=${f%/cmdline}; p=${p#/proc/}
    if grep -qsF containerd-shim "$f"; then log "stopping leftover shim $p"; kill -KILL "$p" 2>/dev/null; fi
  done < <(grep -lsF -- "$N_SOCK" /proc/[0-9]*/cmdline)
  shopt -s globstar nullglob
  for procs in $(node_cgroups | sed 's|$|/**/cgroup.procs|'); do
    while read -r p; do [[ -n $p ]] && kill -KILL "$p" 2>/dev/null; done <"$procs"
  done
  sleep 0.2
  # Mounts under the node's state dir (pod volumes, overlay rootfs, shm, pod netns), deepest first.
  if [[ -d $N_DIR ]]; then
    local m mnts
    for _ in 1 2 3; do
      mapfile -t mnts < <(awk -v s="$N_DIR/" 'index($5, s) == 1 {print $5}' /proc/self/mountinfo | sort -r)
      ((${#mnts[@]})) || break
      for m in "${mnts[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
    done
  fi
  # The cgroups kubelet made, bottom-up (empty ones only), and the node's own root.
  local root
  while read -r root; do
    [[ -d $root ]] && find "$root" -depth -type d -exec rmdir {} \; 2>/dev/null
  done < <(node_cgroups; [[ -n $N_CGROUP_ROOT ]] && cgroup_hierarchies | sed "s|\$|$N_CGROUP_ROOT|")
  # The netns takes its veths, bridges, kube-proxy's iptables rules and routes with it.
  if [[ -e /run/netns/$N_NETNS ]]; then ip netns del "$N_NETNS"; fi
  if (($1 == 1)); then ip link del "$VETH_HOST" 2>/dev/null; else ip route del "$N_IP/32" 2>/dev/null; fi
  true
}

node_down() { node_stop "$1"; node_clean "$1"; }

# node_left N: what of node N is still there (one line each); nothing when it is all gone.
node_left() {
  node_vars "$1"
  local cg
  [[ -e /run/netns/$N_NETNS ]] && echo "netns $N_NETNS still exists (pids: $(ip netns pids "$N_NETNS" | tr '\n' ' '))"
  for cg in $(node_cgroups; [[ -n $N_CGROUP_ROOT ]] && cgroup_hierarchies | sed "s|\$|$N_CGROUP_ROOT|"); do
    [[ -d $cg ]] && echo "cgroup left: $cg"
  done
  true
}
