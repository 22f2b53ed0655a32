#!/usr/bin/env bash
# The end-to-end test on a real Kubernetes built and started on this machine
# (scripts/cluster/), along the paths users take: each step is one file of this folder.
#
#   scripts/e2e/run.sh                      cluster up, every step in order, cluster down
#   scripts/e2e/run.sh --list               the steps
#   scripts/e2e/run.sh STEP...              only these steps (a file name or its number: 24)
#   scripts/e2e/run.sh --skip STEP...       every step but these
#   E2E_KEEP=1 scripts/e2e/run.sh ...       leave the cluster up; the next run reuses it, so
#                                           one step can be re-run alone: E2E_KEEP=1 scripts/e2e/run.sh 24
#
# A step is NN-name.e2e.ts (bun test, by explicit path: a plain `bun test` never picks these
# files up) or NN-name.e2e.sh (bash, for steps that drive processes in namespaces). Steps run in
# number order and rely on the earlier ones having run on the same cluster; the first failure
# stops the run. Each .ts step writes JUnit XML to $E2E_JUNIT_DIR (default $STATE/junit).
# The cluster's settings (scripts/cluster/lib.sh) are exported to every step.
#
# Needs root, the tools of scripts/tools.sh (helm, yq), MariaDB and Redis (scripts/tools.sh apt)
# and npm ci (bun). Called by scripts/test.sh ("cluster e2e").
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../cluster/lib.sh"
# shellcheck source=scripts/lib/common.sh
source "$REPO_ROOT/scripts/lib/common.sh"
E2E_DIR=$REPO_ROOT/scripts/e2e
cd "$REPO_ROOT"

mapfile -t ALL < <(find "$E2E_DIR" -maxdepth 1 -name '[0-9][0-9]-*.e2e.ts' -o -maxdepth 1 -name '[0-9][0-9]-*.e2e.sh' | sed 's|.*/||' | sort)
matches() { # FILE PATTERN: PATTERN is the file's name, its name without suffix, or its number
  [[ $1 == "$2" || ${1%.e2e.*} == "$2" || ${1%%-*} == "$2" ]]
}
selected=() skip=() list=0
while (($#)); do
  case $1 in
    --list) list=1 ;;
    --skip) shift; (($#)) || die "--skip needs a step"; skip+=("$1") ;;
    -h | --help) sed -n '2,21p' "$0"; exit 0 ;;
    *) selected+=("$1") ;;
  esac
  shift
done
STEPS=()
for f in "${ALL[@]}"; do
  want=$((${#selected[@]} == 0))
  for p in "${selected[@]}"; do matches "$f" "$p" && want=1; done
  for p in "${skip[@]}"; do matches "$f" "$p" && want=0; done
  ((want)) && STEPS+=("$f")
done
for p in "${selected[@]}" "${skip[@]}"; do
  found=0; for f in "${ALL[@]}"; do matches "$f" "$p" && found=1; done
  ((found)) || die "no step '$p' (scripts/e2e/run.sh --list)"
done
if ((list)); then printf '%s\n' "${ALL[@]}"; exit 0; fi

need_root
HELM=$(command -v helm || true)
[[ -n $HELM ]] || die "helm not on PATH: eval \"\$(bash scripts/tools.sh env)\" after scripts/tools.sh chart"
BUN=$REPO_ROOT/node_modules/.bin/bun
[[ -x $BUN ]] || die "$BUN not found: run npm ci"
# One e2e at a time on this machine: they share the cluster's netns and addresses.
exec 9>/run/lock/demo-e2e.lock
# The daemons the steps start (the cluster, MariaDB, Redis) must not inherit the lock (9>&-
# below): a kept cluster would hold it, and the next run would wait for it to go down.
flock -n 9 || { say "waiting for another e2e (it holds /run/lock/demo-e2e.lock)"; flock -w 3600 9 || die "the lock stayed taken for an hour"; }

export NODE_IP HOST_IP STATE LOGS KUBECONFIG_FILE K8S_BIN CONTAINERD_SOCK HELM RELEASE_TOOLS_BIN REGISTRY_DIR CACHE_ROOT JAEGER_IMAGE
JUNIT=${E2E_JUNIT_DIR:-$STATE/junit}

on_exit() {
  local rc=$?
  if ((rc)) && [[ -f $KUBECONFIG_FILE ]]; then
    for ns in demo default; do
      KUBECTL="$K8S_BIN/kubectl" HELM=$HELM KUBECONFIG=$KUBECONFIG_FILE bash scripts/k8s/diagnostics.sh "$ns" >&2 || true
    done
    say "logs of the cluster are in $LOGS"
  fi
  if [[ ${E2E_KEEP:-0} != 1 ]]; then step "cluster down" bash "$CLUSTER_DIR/down.sh" || rc=1; fi
  summary || rc=1
  exit "$rc"
}
trap on_exit EXIT

cluster_up() { [[ -f $REGISTRY_DIR/hosts ]] && kctl get --raw /readyz >/dev/null 2>&1; }
if cluster_up; then
  say "reusing the cluster that is up (E2E_KEEP=1 left it)"
else
  step "cluster build (cached) and up" bash "$CLUSTER_DIR/up.sh" 9>&- || exit 1
  step "stand-in registry and BuildKit" bash "$CLUSTER_DIR/registry.sh" 9>&- || exit 1
  step "stand-ins for what the internet serves, pushed" bash scripts/stand-ins/push.sh 9>&- || exit 1
fi
mkdir -p "$JUNIT"
for f in "${STEPS[@]}"; do
  case $f in
    *.ts) step "${f%.e2e.ts}" "$BUN" test --timeout 1200000 --reporter=junit --reporter-outfile="$JUNIT/${f%.e2e.ts}.xml" "./scripts/e2e/$f" 9>&- || exit 1 ;;
    *.sh) step "${f%.e2e.sh}" bash "$E2E_DIR/$f" 9>&- || exit 1 ;;
  esac
done
