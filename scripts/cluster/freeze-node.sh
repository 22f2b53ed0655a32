#!/usr/bin/env bash
# Freeze or thaw everything of node N > 1 at once: its kubelet, containerd, kube-proxy,
# kube-router, the containerd shims and every container of every pod on it (they all live under
# the node's freezer cgroup /demo-node-N, node.sh), as a machine that stops answering without a
# goodbye. Node 1 cannot be frozen: the control plane shares its namespace.
#
#   scripts/cluster/freeze-node.sh 2 freeze     # FROZEN once this returns
#   scripts/cluster/freeze-node.sh 2 thaw
#
# down.sh thaws a frozen node before it stops it.
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/cluster/node.sh
source "$CLUSTER_DIR/node.sh"
need_root
(($# == 2)) && [[ $1 =~ ^[0-9]+$ && $2 =~ ^(freeze|thaw)$ ]] || die "usage: $0 NODE freeze|thaw"
(($1 > 1 && $1 <= NODES)) || die "node $1: only nodes 2-$NODES can be frozen (node 1 runs the control plane)"
node_vars "$1"
state=/sys/fs/cgroup/freezer$N_CGROUP_ROOT/freezer.state
[[ -f $state ]] || die "no freezer cgroup for $N_NAME ($state): is the cluster up?"
want=$([[ $2 == freeze ]] && echo FROZEN || echo THAWED)
echo "$want" >"$state"
# FREEZING while the kernel stops each task; FROZEN once all are.
wait_for 30 "$N_NAME $want" grep -qx "$want" "$state" || die "$N_NAME is $(cat "$state"), not $want"
log "$N_NAME $want ($(find "/sys/fs/cgroup/freezer$N_CGROUP_ROOT" -name cgroup.procs -exec cat {} + | wc -l) processes)"
