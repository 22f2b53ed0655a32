#!/usr/bin/env bash
# Stop the local cluster and leave nothing behind: no processes, mounts, cgroups,
# network namespaces or host routes of ours; kernel tunables put back.
#
#   scripts/cluster/down.sh          # keeps $DEMO_CLUSTER_DIR/logs for reading
#   DEMO_CLUSTER_PURGE=1 scripts/cluster/down.sh   # removes the logs too
#
# Safe to run twice, and after a failed up.sh. Only processes whose pids up.sh (or
# host-deps.sh) recorded in $DEMO_CLUSTER_DIR/pids, and containerd shims serving our own
# containerd socket, are stopped.
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_root
set +e
t0=$SECONDS
t_mark=$SECONDS
mark() { (( SECONDS - t_mark >= 2 )) && log "$1 took $((SECONDS - t_mark))s"; t_mark=$SECONDS; }

# stop NAME...: SIGTERM the recorded pids together, SIGKILL what is left after 10 s.
stop() {
  local name f pid live=()
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

# 1. kubelet first, so nothing restarts containers; then every pod through CRI, which
#    stops containers and tears down each pod's CNI network and netns.
stop kubelet; mark "stopping kubelet"
if [[ -S $CONTAINERD_SOCK && -x $K8S_BIN/cri-rmp ]]; then
  timeout 180 "$K8S_BIN/cri-rmp" "$CONTAINERD_SOCK" >"$LOGS/cri-rmp.log" 2>&1 ||
    log "cri-rmp reported errors (see $LOGS/cri-rmp.log); continuing"
fi
mark "removing pods"

# 2. the rest, node components before the control plane, etcd last. Anything else
#    recorded in pids/ (e2e's MariaDB and Redis) goes too.
stop kube-router kube-proxy kube-scheduler kube-controller-manager containerd kube-apiserver
others=(); for f in "$PIDS"/*.pid; do [[ -f $f ]] && others+=("$(basename "$f" .pid)"); done
stop "${others[@]}"   # etcd, and anything host-deps.sh added (MariaDB, Redis)
mark "stopping daemons"

# Anything else still running in our network namespace was started there by us.
if [[ -e $NETNS_PATH ]]; then
  left_pids=$(ip netns pids "$NETNS" 2>/dev/null)
  for p in $left_pids; do log "stopping $p ($(cat "/proc/$p/comm" 2>/dev/null)), still in netns $NETNS"; kill -TERM "$p" 2>/dev/null; done
  for _ in $(seq 1 20); do [[ -z $(ip netns pids "$NETNS" 2>/dev/null) ]] && break; sleep 0.25; done
  for p in $(ip netns pids "$NETNS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
fi

# 3. containerd shims of our containerd (they serve our socket; matched by that path).
while read -r f; do
  p=${f%/cmdline}; p=${p#/proc/}
  if grep -qsF containerd-shim "$f"; then log "stopping leftover shim $p"; kill -KILL "$p" 2>/dev/null; fi
done < <(grep -lsF -- "$CONTAINERD_SOCK" /proc/[0-9]*/cmdline)

# 4. processes still in the cgroups kubelet made (containers whose shim died).
shopt -s globstar nullglob
for procs in /sys/fs/cgroup/*/kubepods/**/cgroup.procs /sys/fs/cgroup/unified/kubepods/**/cgroup.procs; do
  while read -r pid; do [[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null; done <"$procs"
done
sleep 0.2

mark "stopping leftovers"
# 5. mounts under our state dir (pod volumes, overlay rootfs, shm, etcd tmpfs), deepest first.
if [[ -d $STATE ]]; then
  for _ in 1 2 3; do
    mapfile -t mnts < <(awk -v s="$STATE/" 'index($5, s) == 1 {print $5}' /proc/self/mountinfo | sort -r)
    ((${#mnts[@]})) || break
    for m in "${mnts[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
  done
fi

# 6. cgroups kubelet made: remove the tree bottom-up (empty cgroups only).
for root in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/unified/kubepods; do
  [[ -d $root ]] || continue
  find "$root" -depth -type d -exec rmdir {} \; 2>/dev/null
done

# 7. our netns (which takes the veth pair, the bridges, kube-proxy's iptables rules and
#    the host routes with it). Pod netns are mounts under $STATE (containerd's
#    netns_mounts_under_state_dir), unmounted in step 5.
if [[ -e $NETNS_PATH ]]; then ip netns del "$NETNS"; fi
ip link del "$VETH_HOST" 2>/dev/null

mark "unmounting, cgroups, netns"
# 8. kernel tunables kubelet changed.
if [[ -f $STATE/sysctl.saved ]]; then
  while IFS= read -r kv; do sysctl -qw "$kv" 2>/dev/null; done <"$STATE/sysctl.saved"
  rm -f "$STATE/sysctl.saved"
fi

# 9. state, the local-path volumes ($LOCAL_PATH_DIR) included: keep the logs unless purging.
if [[ -d $STATE ]]; then
  if [[ ${DEMO_CLUSTER_PURGE:-0} == 1 ]]; then
    rm -rf "$STATE"
  else
    find "$STATE" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} + 2>/dev/null
  fi
fi

# 10. report what is left, if anything.
left=0
while read -r f; do
  p=${f%/cmdline}; p=${p#/proc/}
  [[ $p == "$$" || $p == "$BASHPID" ]] && continue
  cmd=$( { tr '\0' ' ' <"$f"; } 2>/dev/null) || continue
  [[ -z $cmd || $cmd == grep\ * ]] && continue   # gone, or the grep that found it
  log "still running: $p $cmd"; left=1
done < <(grep -lsF -e "$STATE/" -e "$K8S_BIN/" /proc/[0-9]*/cmdline)
if awk -v s="$STATE/" 'index($5, s) == 1' /proc/self/mountinfo | grep -q .; then log "mounts left under $STATE"; left=1; fi
[[ -e $LOCAL_PATH_DIR ]] && { log "local-path volumes left in $LOCAL_PATH_DIR"; left=1; }
[[ -e $NETNS_PATH ]] && { log "netns $NETNS still exists (pids: $(ip netns pids "$NETNS" | tr '\n' ' '))"; left=1; }
for cg in /sys/fs/cgroup/*/kubepods; do [[ -d $cg ]] && { log "cgroup left: $cg"; left=1; }; done
if ((left)); then
  log "down finished in $((SECONDS - t0))s, but something is left (see above)"
  exit 1
fi
log "down in $((SECONDS - t0))s: nothing left running"
