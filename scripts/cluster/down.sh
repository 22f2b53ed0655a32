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
# shellcheck source=scripts/cluster/node.sh
source "$CLUSTER_DIR/node.sh"
need_root
set +e
t0=$SECONDS
t_mark=$SECONDS
mark() { (( SECONDS - t_mark >= 2 )) && log "$1 took $((SECONDS - t_mark))s"; t_mark=$SECONDS; }

# 1. every node but node 1 first, whole (its cgroups, mounts under $STATE/node-N, netns): the
#    rest of this script does not know them. Then node 1's kubelet, pods and daemons.
for ((n = NODES; n > 1; n--)); do node_down "$n"; done
mark "stopping nodes 2-$NODES"
node_stop 1; mark "stopping node 1"

# 2. the control plane, etcd last. Anything else recorded in pids/ (e2e's MariaDB and Redis)
#    goes too.
stop kube-scheduler kube-controller-manager kube-apiserver
others=(); for f in "$PIDS"/*.pid; do [[ -f $f ]] && others+=("$(basename "$f" .pid)"); done
stop "${others[@]}"   # etcd, and anything host-deps.sh added (MariaDB, Redis)
mark "stopping daemons"

# 3. what is left of node 1, whose netns and state dir are the control plane's too: processes
#    in its netns, shims of its containerd, containers in its cgroups, mounts under $STATE
#    (pod volumes, overlay rootfs, shm, pod netns, etcd's tmpfs), cgroups, the netns (which
#    takes the veth pairs, bridges, kube-proxy's iptables rules and the host routes with it).
node_clean 1
mark "unmounting, cgroups, netns"
# 4. kernel tunables kubelet changed.
if [[ -f $STATE/sysctl.saved ]]; then
  while IFS= read -r kv; do sysctl -qw "$kv" 2>/dev/null; done <"$STATE/sysctl.saved"
  rm -f "$STATE/sysctl.saved"
fi

# 5. state, the local-path volumes ($LOCAL_PATH_DIR) included: keep the logs unless purging.
if [[ -d $STATE ]]; then
  if [[ ${DEMO_CLUSTER_PURGE:-0} == 1 ]]; then
    rm -rf "$STATE"
  else
    find "$STATE" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} + 2>/dev/null
  fi
fi

# 6. report what is left, if anything.
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
for n in $(seq 1 "$NODES"); do
  while read -r what; do [[ -n $what ]] && { log "$what"; left=1; }; done < <(node_left "$n")
done
if ((left)); then
  log "down finished in $((SECONDS - t0))s, but something is left (see above)"
  exit 1
fi
log "down in $((SECONDS - t0))s: nothing left running"
