#!/usr/bin/env bash
# End to end on a real Kubernetes built and started on this machine (scripts/cluster/), on
# the path a user takes: a released chart from an OCI registry, its image pulled by name.
#
#   scripts/e2e.sh
#
#  1. build the cluster (cached) and start it; start the stand-in registry and BuildKit
#     (scripts/cluster/registry.sh) and push the stand-ins for what the internet serves
#     (scripts/stand-ins/push.sh: the Dockerfile's base images, the Bitnami charts)
#  2. the release script refuses a package that disagrees with its tag, pushing nothing
#  3. scripts/release.sh v0.2.0 and v0.2.1, through scripts/release/publish.sh as the release
#     workflow runs it: the Dockerfile built by BuildKit for amd64 and arm64, pushed to
#     ghcr.io/<owner>/demo, the chart to oci://ghcr.io/<owner>/charts, and the digests of
#     both read back from the registry; the registry's listing, and the arm64 binary run
#     under qemu
#  4. helm install demo oci://ghcr.io/<owner>/charts/demo --version 0.2.0 --wait, then
#     helm test demo, by scripts/k8s/install-and-test.sh (the script the kind job of ci.yaml
#     runs), with no image override (every pod pulls the published image by name), MariaDB
#     and Redis for the users system's external mode, in a namespace that enforces the
#     restricted Pod Security profile; every pod Ready
#  5. scripts/k8s/diagnostics.sh (the kind job's failure diagnostics) on the good install:
#     it prints the release, pods, events and logs (on a failure, on_exit runs it too)
#  6. `demo check` each system through its node port, as `minikube service --url` gives it
#  7. NetworkPolicies, enforced by kube-router's policy controller (scripts/cluster/up.sh):
#     probe pods show the allowed flows open and the others closed, among them a pod without
#     the allowed labels refused by MySQL, Redis (the chart's policies for Bitnami's pods) and
#     the heartbeat server (networkPolicy.allowExternal=false);
#     then heartbeat, 2 server replicas on the Redis store (the external Redis): delete a
#     client pod (the StatefulSet's replacement keeps the pod name: the servers log it left,
#     then reconnected with the same id and restarted=true); freeze another past 3 beats
#     (logged lost, then reconnected); roll every client out (each reconnects under its id,
#     none lost, none new); delete a server pod (no client lost, every client still listed
#     and seen after the deletion)
#  8. helm upgrade to the chart 0.2.1 (every pod rolls to the new image) under keep-alive
#     load on echo (src/testing/keep-alive-load.ts: 10 connections, GET+POST, >= 10,000
#     requests); not one request may fail
#  9. helm uninstall leaves nothing of the release behind; the cluster goes down
#
# Prints how long each step took. E2E_KEEP=1 leaves the cluster up afterwards.
# Needs root, helm and yq (scripts/tools.sh chart), MariaDB and Redis (scripts/tools.sh apt),
# and npm ci (bun and undici run the upgrade's load generator).
set -euo pipefail
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cluster/lib.sh"
need_root
cd "$REPO_ROOT"

NS=demo
RELEASE=demo
# A GitHub owner with capitals, as many have: every reference must come out lowercase.
OWNER=Demo-Org
V1=0.2.0 V2=0.2.1
CHART_REF=oci://ghcr.io/demo-org/charts/demo
IMAGE_REPO=ghcr.io/demo-org/demo
ECHO_PORT=30080 HEARTBEAT_PORT=30081 USERS_PORT=30082

# ---- timing -------------------------------------------------------------------------------
declare -a STEP_NAMES=() STEP_SECS=() STEP_RESULTS=()
current_step=""; step_start=0
step() { # step NAME: starts a step (ends the previous one)
  end_step ok
  current_step=$1; step_start=$SECONDS
  printf '\n==> %s\n' "$1" >&2
}
end_step() {
  [[ -n $current_step ]] || return 0
  STEP_NAMES+=("$current_step"); STEP_SECS+=($((SECONDS - step_start))); STEP_RESULTS+=("$1")
  printf '<== %s: %s in %ss\n' "$current_step" "$1" "$((SECONDS - step_start))" >&2
  current_step=""
}
summary() {
  local i total=0
  printf '\n%-58s %8s  %s\n' "step" "seconds" "result" >&2
  for i in "${!STEP_NAMES[@]}"; do
    printf '%-58s %8s  %s\n' "${STEP_NAMES[$i]}" "${STEP_SECS[$i]}" "${STEP_RESULTS[$i]}" >&2
    total=$((total + STEP_SECS[i]))
  done
  printf '%-58s %8s\n' "total" "$total" >&2
}
fail() { printf '\ne2e: FAILED: %s\n' "$*" >&2; exit 1; }

on_exit() {
  local rc=$?
  if ((rc)); then
    end_step FAILED
    if [[ -f $KUBECONFIG_FILE && -n ${HELM:-} ]]; then
      diagnostics "$NS" >&2 || true
    fi
    echo "e2e: logs of the cluster are in $LOGS" >&2
  fi
  if [[ ${E2E_KEEP:-0} != 1 ]]; then
    current_step="cluster down"; step_start=$SECONDS
    if bash "$CLUSTER_DIR/down.sh"; then end_step ok; else end_step FAILED; rc=${rc:-1}; ((rc)) || rc=1; fi
  fi
  summary
  if ((rc)); then echo "e2e: 0 passed, 1 failed" >&2; else echo "e2e: 1 passed, 0 failed" >&2; fi
  exit "$rc"
}

# ---- preflight ----------------------------------------------------------------------------
HELM=$(command -v helm || true)
for h in "${DEMO_TOOLS_DIR:-$HOME/.cache/demo-tools}/bin/helm" "$HOME/go/bin/helm"; do
  [[ -z $HELM && -x $h ]] && HELM=$h
done
[[ -n $HELM ]] || fail "helm not found: run scripts/tools.sh chart (it installs helm)"
BUN=$REPO_ROOT/node_modules/.bin/bun
[[ -x $BUN ]] || fail "$BUN not found: run npm ci (the upgrade's load generator runs on bun with undici)"
[[ -d charts/demo ]] || fail "charts/demo missing"
# One e2e at a time on this machine (they share the cluster's netns and addresses).
exec 9>/run/lock/demo-e2e.lock
flock -n 9 || fail "another scripts/e2e.sh is running on this machine (lock /run/lock/demo-e2e.lock)"
h() { as_public "$HELM" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
release() { PATH="$RELEASE_TOOLS_BIN:$(dirname "$HELM"):$PATH" OWNER=$OWNER as_public bash scripts/release.sh "$@"; }
# The scripts the GitHub workflows run (scripts/ci/), here against this cluster and registry.
publish() { PATH="$RELEASE_TOOLS_BIN:$(dirname "$HELM"):$PATH" OWNER=$OWNER as_public bash scripts/release/publish.sh "$@"; }
install_and_test() {
  as_public env "HELM=$HELM" "KUBECONFIG=$KUBECONFIG_FILE" "NAMESPACE=$NS" TIMEOUT=5m bash scripts/k8s/install-and-test.sh "$@"
}
diagnostics() { KUBECTL="$K8S_BIN/kubectl" HELM=$HELM KUBECONFIG=$KUBECONFIG_FILE bash scripts/k8s/diagnostics.sh "$@"; }
registry_report() { "$BUN" "$CLUSTER_DIR/registry-report.ts" --ca "$REGISTRY_DIR/ca.crt" "https://$HOST_IP" "$@"; }

trap on_exit EXIT

step "cluster build (cached) and up"
bash "$CLUSTER_DIR/up.sh"

step "stand-in registry and BuildKit; the stand-in base images and Bitnami charts pushed"
bash "$CLUSTER_DIR/registry.sh"
bash scripts/stand-ins/push.sh

step "release script: a package that disagrees with its tag pushes nothing"
fixture="$STATE/release-mismatch"
rm -rf "$fixture"; git clone -q "$REPO_ROOT" "$fixture"
# A subchart that pins its own image tag: its pods would run an old image.
yq -i '.image.tag = "0.1.0"' "$fixture/charts/demo/charts/echo/values.yaml"
if RELEASE_SOURCE=$fixture release v0.3.0 >"$STATE/release-mismatch.log" 2>&1; then
  cat "$STATE/release-mismatch.log" >&2; fail "release.sh published a package whose echo pods run :0.1.0"
fi
grep -F "the packaged chart renders $IMAGE_REPO:0.1.0" "$STATE/release-mismatch.log" >&2 ||
  { cat "$STATE/release-mismatch.log" >&2; fail "release.sh failed, but not naming the mismatched image"; }
grep -F "nothing was pushed" "$STATE/release-mismatch.log" >&2 || fail "release.sh did not say that nothing was pushed"
report=$(registry_report)
if grep -F "demo-org/" <<<"$report" >/dev/null; then echo "$report" >&2; fail "something was pushed under demo-org/"; fi
rm -rf "$fixture"

step "release v$V1 and v$V2 (scripts/release/publish.sh): the Dockerfile built by BuildKit (amd64, arm64), image and chart pushed, digests read back"
for v in "$V1" "$V2"; do
  publish "v$v" >"$STATE/publish-$v.txt"
  for want in "image=$IMAGE_REPO:$v" "image-name=$IMAGE_REPO" "chart=${CHART_REF#oci://}:$v" "chart-name=${CHART_REF#oci://}"; do
    grep -qxF "$want" "$STATE/publish-$v.txt" || { cat "$STATE/publish-$v.txt" >&2; fail "publish.sh v$v did not print $want"; }
  done
  for d in image-digest chart-digest; do
    grep -Eqx "$d=sha256:[0-9a-f]{64}" "$STATE/publish-$v.txt" || { cat "$STATE/publish-$v.txt" >&2; fail "publish.sh v$v printed no $d"; }
  done
  echo "  ok: v$v published: $(grep -E '^(image|chart)-digest=' "$STATE/publish-$v.txt" | tr '\n' ' ')" >&2
done
registry_report | tee "$STATE/registry-report.txt" >&2
for p in linux/amd64 linux/arm64; do
  grep -Eq "^demo-org/demo +$V1 +$p " "$STATE/registry-report.txt" || fail "no $p image of $IMAGE_REPO:$V1 in the registry"
done
registry_report --extract "demo-org/demo:$V1" linux/arm64 usr/local/bin/demo "$STATE/demo-arm64"
file -b "$STATE/demo-arm64" | grep -q "ARM aarch64" || fail "the arm64 image's binary is not an aarch64 ELF: $(file -b "$STATE/demo-arm64")"
arm_libc=$(find "$CACHE_ROOT/stand-ins" -maxdepth 1 -type d -name 'distroless-arm64-*' | head -1)/rootfs
out=$(qemu-aarch64-static -L "$arm_libc" "$STATE/demo-arm64" version 2>&1) || fail "the arm64 binary does not run under qemu-aarch64-static: $out"
[[ $out == "demo $V1 "*"linux-arm64)" ]] || fail "the arm64 binary says '$out', not demo $V1 on linux-arm64"
echo "  ok: arm64 image: $(file -b "$STATE/demo-arm64" | cut -d, -f1-2); under qemu: $out" >&2

step "MariaDB and Redis for users' external mode"
bash "$CLUSTER_DIR/host-deps.sh" >/dev/null
# shellcheck disable=SC1091
source "$STATE/deps.env"

step "helm install and helm test (scripts/k8s/install-and-test.sh); every pod Ready on the published image"
kctl create namespace "$NS" >/dev/null
kctl label namespace "$NS" pod-security.kubernetes.io/enforce=restricted \
  pod-security.kubernetes.io/warn=restricted >/dev/null
kctl -n "$NS" create secret generic demo-e2e-mysql --from-literal=mysql-password="$MYSQL_PASSWORD" >/dev/null
kctl -n "$NS" create secret generic demo-e2e-redis --from-literal=redis-password="$REDIS_PASSWORD" >/dev/null
cat >"$STATE/e2e-values.yaml" <<EOF
echo:
  enabled: true
  service: {type: NodePort, nodePort: $ECHO_PORT}
heartbeat:
  enabled: true
  service: {type: NodePort, nodePort: $HEARTBEAT_PORT}
  server: {replicaCount: 2}
  # Only the release's clients, its test pod and pods labelled demo-heartbeat-client reach
  # the server, and the node port from this host (kube-proxy keeps the client's address).
  networkPolicy:
    allowExternal: false
    extraIngress: [{from: [{ipBlock: {cidr: $HOST_IP/32}}, {ipBlock: {cidr: $NODE_IP/32}}], ports: [{port: http, protocol: TCP}]}]
  store:
    type: redis
    redis:
      host: $REDIS_HOST
      port: $REDIS_PORT
      existingSecret: demo-e2e-redis
      existingSecretPasswordKey: redis-password
users:
  enabled: true
  service: {type: NodePort, nodePort: $USERS_PORT}
  mysql: {enabled: false}
  redis: {enabled: false}
  externalDatabase:
    host: $MYSQL_HOST
    port: $MYSQL_PORT
    database: $MYSQL_DATABASE
    user: $MYSQL_USER
    existingSecret: demo-e2e-mysql
    existingSecretPasswordKey: mysql-password
  externalRedis:
    host: $REDIS_HOST
    port: $REDIS_PORT
    existingSecret: demo-e2e-redis
    existingSecretPasswordKey: redis-password
EOF
install_and_test "$RELEASE" "$CHART_REF" --version "$V1" -f "$STATE/e2e-values.yaml" >&2
# Every pod but the completed helm test pods.
kctl -n "$NS" wait --for=condition=Ready pods --all --field-selector=status.phase!=Succeeded --timeout=120s >&2
kctl -n "$NS" get pods -o wide >&2
# Every container runs the published image, pinned by the digest release.sh pushed (the
# chart's global.image.digest), which containerd pulled from the registry.
digest_v1=$(sed -n 's/^image-digest=//p' "$STATE/publish-$V1.txt")
images=$(kctl -n "$NS" get pods -o jsonpath='{range .items[*]}{range .spec.containers[*]}{.image}{"\n"}{end}{end}' | sort -u)
[[ $images == "$IMAGE_REPO:$V1@$digest_v1" ]] || fail "pods run $(echo "$images" | tr '\n' ' '), not only $IMAGE_REPO:$V1@$digest_v1"
ctr --address "$CONTAINERD_SOCK" -n k8s.io images ls -q | grep -qxE "$IMAGE_REPO(:$V1|@$digest_v1|:$V1@$digest_v1)" ||
  { ctr --address "$CONTAINERD_SOCK" -n k8s.io images ls -q >&2; fail "containerd has no $IMAGE_REPO:$V1 / $IMAGE_REPO@$digest_v1"; }
echo "  ok: every pod runs $IMAGE_REPO:$V1@$digest_v1, pulled by containerd through the ghcr.io mirror" >&2

step "the kind job's failure diagnostics (scripts/k8s/diagnostics.sh) on this install"
diagnostics "$NS" >"$STATE/diagnostics.txt" 2>&1
api_pod=$(kctl -n "$NS" get pods -l app.kubernetes.io/name=users,app.kubernetes.io/component=api -o name | sed -n 1p)
[[ -n $api_pod ]] || fail "no users API pod (label app.kubernetes.io/component=api)"
for want in "---- helm releases" "---- helm status $RELEASE -n $NS" "---- pods" "---- events (last 60)" \
            "---- logs ${api_pod#pod/} -n $NS (last 200 lines of each container)"; do
  grep -qxF -- "$want" "$STATE/diagnostics.txt" || { cat "$STATE/diagnostics.txt" >&2; fail "diagnostics.sh printed no '$want'"; }
done
grep -q "STATUS: deployed" "$STATE/diagnostics.txt" || fail "diagnostics.sh did not show release $RELEASE deployed"
grep -qF "[pod/${api_pod#pod/}/" "$STATE/diagnostics.txt" || fail "diagnostics.sh printed no log line of ${api_pod#pod/}"
echo "  ok: $(grep -c '^---- ' "$STATE/diagnostics.txt") sections, $(wc -l <"$STATE/diagnostics.txt") lines ($STATE/diagnostics.txt)" >&2

step "demo check each system through its node port, as \`minikube service --url\` gives it"
base_echo="http://$NODE_IP:$ECHO_PORT" base_users="http://$NODE_IP:$USERS_PORT" base_hb="http://$NODE_IP:$HEARTBEAT_PORT"
# The exchanges `helm test` runs inside the cluster, here from outside it (the same command).
demo_check() { "$BUN" src/main.ts check "$@" >&2 || fail "demo check $* failed"; }
demo_check echo "$base_echo"
demo_check users "$base_users"
HEARTBEAT_TOKEN=$(kctl -n "$NS" get secret -l app.kubernetes.io/name=heartbeat -o jsonpath='{.items[0].data.token}' | base64 -d) \
  demo_check heartbeat "$base_hb"

step "NetworkPolicies enforced (kube-router): probe pods without the allowed labels are refused"
# The flows the systems need already passed above with kube-router enforcing every policy of
# the release (helm test, the curls, heartbeats, users over MariaDB and Redis). Here, probe pods
# (Debian's bash in the oven/bun stand-in, /dev/tcp connects) try flows one by one. MySQL and
# Redis run outside the cluster in this e2e, so the chart's Bitnami-mode policies for them
# (rendered from the same chart) guard stand-in pods with Bitnami's labels and port names
# (`demo echo-server` on 3306 and 6379). Every pod runs under the namespace's restricted Pod Security profile.
probe_image=$(awk 'toupper($1) == "FROM" { for (i = 2; i <= NF; i++) if ($i ~ /^oven\/bun:/) { print $i; exit } }' Dockerfile)
[[ -n $probe_image ]] || fail "the Dockerfile names no oven/bun image"
h template "$RELEASE" "$CHART_REF" --version "$V1" -n "$NS" --show-only charts/users/templates/networkpolicy.yaml |
  yq 'select(.spec.podSelector.matchLabels."app.kubernetes.io/name" == "mysql" or .spec.podSelector.matchLabels."app.kubernetes.io/name" == "redis")' \
  >"$STATE/netpol-bitnami.yaml"
[[ $(grep -c '^kind: NetworkPolicy' "$STATE/netpol-bitnami.yaml") == 2 ]] || { cat "$STATE/netpol-bitnami.yaml" >&2; fail "the chart rendered no MySQL and Redis NetworkPolicies"; }
netpol_pod() { # NAME IMAGE LABELS(JSON) ARGS(JSON) [PORT PORT-NAME]
  cat <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $1, labels: $(jq -c '. + {"demo-e2e": "netpol"}' <<<"$3")}
spec:
  automountServiceAccountToken: false
  terminationGracePeriodSeconds: 1
  securityContext: {runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: main
      image: $2
      args: $4
      env: [{name: PORT, value: "${5:-8080}"}, {name: LOG_FORMAT, value: json}]
      ports: [{name: ${6:-http}, containerPort: ${5:-8080}}]
      securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
---
EOF
}
sel() { jq -cn --arg n "$1" --arg c "$2" --arg i "$RELEASE" '{"app.kubernetes.io/name": $n, "app.kubernetes.io/instance": $i} + (if $c == "" then {} else {"app.kubernetes.io/component": $c} end)'; }
{
  netpol_pod netpol-mysql "$IMAGE_REPO:$V1" "$(sel mysql "")" '["echo-server"]' 3306 mysql
  netpol_pod netpol-redis "$IMAGE_REPO:$V1" "$(sel redis "")" '["echo-server"]' 6379 redis
  netpol_pod probe-no-labels "$probe_image" '{}' '["sleep", "900"]'
  netpol_pod probe-users-api "$probe_image" "$(sel users api)" '["sleep", "900"]'
  netpol_pod probe-echo-client "$probe_image" "$(sel echo client)" '["sleep", "900"]'
  netpol_pod probe-hb-access "$probe_image" '{"demo-heartbeat-client": "true"}' '["sleep", "900"]'
} >"$STATE/netpol-pods.yaml"
kctl -n "$NS" apply -f "$STATE/netpol-bitnami.yaml" -f "$STATE/netpol-pods.yaml" >&2
kctl -n "$NS" wait --for=condition=Ready pod -l demo-e2e=netpol --timeout=120s >&2
ip_of() { kctl -n "$NS" get pods -l "$1" -o jsonpath='{.items[0].status.podIP}'; }
mysql_ip=$(ip_of app.kubernetes.io/name=mysql) redis_ip=$(ip_of app.kubernetes.io/name=redis)
hb_ip=$(ip_of app.kubernetes.io/name=heartbeat,app.kubernetes.io/component=server)
echo_ip=$(ip_of app.kubernetes.io/name=echo,app.kubernetes.io/component=server,!demo-e2e)
api_ip=$(ip_of app.kubernetes.io/name=users,app.kubernetes.io/component=api,!demo-e2e)
# FROM TARGET ADDRESS:PORT EXPECTED, and why.
flows=(
  "probe-users-api    mysql            $mysql_ip:3306         open"   # MySQL admits the API pods
  "probe-users-api    redis            $redis_ip:6379         open"   # Redis admits the API pods
  "probe-no-labels    mysql            $mysql_ip:3306         closed" # ... and no one else
  "probe-no-labels    redis            $redis_ip:6379         closed"
  "probe-echo-client  mysql            $mysql_ip:3306         closed"
  "probe-no-labels    mysql-external   $NODE_IP:$MYSQL_PORT   open"   # no policy selects this pod: the network itself is open
  "probe-echo-client  mysql-external   $NODE_IP:$MYSQL_PORT   closed" # the echo client may reach only its server and DNS
  "probe-echo-client  redis-external   $NODE_IP:$REDIS_PORT   closed"
  "probe-echo-client  echo-server      $echo_ip:8080          open"
  "probe-echo-client  heartbeat-server $hb_ip:8080            closed"
  "probe-echo-client  users-api        $api_ip:8080           closed"
  "probe-users-api    heartbeat-server $hb_ip:8080            closed" # the API reaches only MySQL, Redis and DNS
  "probe-no-labels    heartbeat-server $hb_ip:8080            closed" # networkPolicy.allowExternal=false: no label, no entry
  "probe-hb-access    heartbeat-server $hb_ip:8080            open"   # the label Bitnami's charts use: <release>-heartbeat-client
)
flow_state() { # POD HOST:PORT -> open | closed
  if kctl -n "$NS" exec "$1" -- timeout 4 bash -c "exec 3<>/dev/tcp/${2%:*}/${2##*:}" 2>/dev/null; then echo open; else echo closed; fi
}
check_flows() {
  local f from target addr want got ok=0
  : >"$STATE/netpol-flows.txt"
  for f in "${flows[@]}"; do
    read -r from target addr want <<<"$f"
    got=$(flow_state "$from" "$addr")
    printf '  %-6s %-18s -> %-17s %-21s (want %s)\n' "$got" "$from" "$target" "$addr" "$want" >>"$STATE/netpol-flows.txt"
    [[ $got == "$want" ]] || ok=1
  done
  return $ok
}
# kube-router applies a new pod's rules within seconds: poll until the whole table holds at once.
wait_for 120 "every flow as the policies say" check_flows || { cat "$STATE/netpol-flows.txt" >&2; fail "a flow is not as the NetworkPolicies say"; }
sed 's/^  /  ok: /' "$STATE/netpol-flows.txt" >&2
kctl -n "$NS" delete -f "$STATE/netpol-pods.yaml" -f "$STATE/netpol-bitnami.yaml" --wait=true >&2

step "heartbeat: a client pod deleted (left, back under its id), and one frozen (lost and back)"
HB_SERVERS=app.kubernetes.io/name=heartbeat,app.kubernetes.io/component=server
server_pods() { kctl -n "$NS" get pods -l "$HB_SERVERS" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}'; }
[[ $(server_pods | wc -l) == 2 ]] || fail "expected 2 heartbeat server pods (Redis store), got: $(server_pods | tr '\n' ' ')"
client_pods() { kctl -n "$NS" get pods -l app.kubernetes.io/name=heartbeat,app.kubernetes.io/component=client -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}'; }
since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# Both replicas' logs: a beat, a goodbye or a repeat is logged by the replica that saw it.
server_log() { kctl -n "$NS" logs -l "$HB_SERVERS" --since-time="$since" --tail=-1 --max-log-requests=10; }
logged() { server_log | grep -F "\"msg\":\"$1\"" | grep -qF "\"clientId\":\"$2\""; }
show() { echo "  ok: $(server_log | grep -F "\"msg\":\"$1\"" | grep -F "\"clientId\":\"$2\"" | sed -n 1p | cut -c1-220)" >&2; }

# (a) Deleted: it says goodbye on SIGTERM (left, not lost); the StatefulSet recreates the
#     pod under the same name, which the server logs as that client reconnected (restarted).
victim=$(client_pods | sed -n 1p)
[[ -n $victim ]] || fail "no heartbeat client pod (label app.kubernetes.io/component=client)"
kctl -n "$NS" delete pod "$victim" --wait=true >&2
wait_for 60 "server logs $victim left" logged "client left" "$victim" || { server_log | tail -20 >&2; fail "server never logged client $victim left"; }
show "client left" "$victim"
wait_for 60 "server logs $victim reconnected" logged "client reconnected" "$victim" || { server_log | tail -20 >&2; fail "server never logged $victim reconnected under the same id"; }
show "client reconnected" "$victim"
server_log | grep -F '"msg":"client reconnected"' | grep -F "\"clientId\":\"$victim\"" | grep -qF '"restarted":true' \
  || fail "the reconnection of $victim does not say restarted=true"
! logged "client lost" "$victim" || fail "the deleted client $victim was logged lost: it said goodbye"
kctl -n "$NS" wait --for=condition=Ready pods -l app.kubernetes.io/name=heartbeat,app.kubernetes.io/component=client --timeout=60s >/dev/null

# (b) Frozen (cgroup freezer) past 3 heartbeats, then thawed: the same client is lost,
#     then reconnected, with how long it was gone.
# The same pod name may come up again (a StatefulSet): only what is logged from now on counts.
sleep 2 # --since-time has whole seconds
since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
frozen=$(client_pods | sed -n 1p)
uid=$(kctl -n "$NS" get pod "$frozen" -o jsonpath='{.metadata.uid}')
cid=$(kctl -n "$NS" get pod "$frozen" -o jsonpath='{.status.containerStatuses[0].containerID}'); cid=${cid#*://}
# cgroup v1 (this machine): the freezer hierarchy's freezer.state; cgroup v2 (e.g. GitHub's
# ubuntu-24.04): the container's own cgroup.freeze.
freezer=$(find /sys/fs/cgroup/freezer/kubepods -type d -path "*/pod$uid/$cid" 2>/dev/null | sed -n 1p)
if [[ -n $freezer && -f $freezer/freezer.state ]]; then
  freeze() { echo FROZEN >"$freezer/freezer.state"; }
  thaw() { echo THAWED >"$freezer/freezer.state" 2>/dev/null || true; }
else
  freezer=$(find /sys/fs/cgroup -type d -path "*pod$uid*" -name "*$cid*" 2>/dev/null | sed -n 1p)
  [[ -n $freezer && -f $freezer/cgroup.freeze ]] || fail "no freezer cgroup (v1 or v2) for $frozen (pod $uid, container $cid)"
  freeze() { echo 1 >"$freezer/cgroup.freeze"; }
  thaw() { echo 0 >"$freezer/cgroup.freeze" 2>/dev/null || true; }
fi
freeze
wait_for 60 "server logs $frozen lost" logged "client lost" "$frozen" || { thaw; server_log | tail -20 >&2; fail "server never logged frozen client $frozen lost"; }
thaw
show "client lost" "$frozen"
wait_for 60 "server logs $frozen reconnected" logged "client reconnected" "$frozen" || { server_log | tail -20 >&2; fail "server never logged $frozen reconnected"; }
show "client reconnected" "$frozen"

step "heartbeat: a client rollout: every client reconnects under its own id"
sleep 2 # --since-time has whole seconds: nothing of the step above in this one's logs
since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ids=$(client_pods | sort)
kctl -n "$NS" rollout restart statefulset/demo-heartbeat-client >&2
kctl -n "$NS" rollout status statefulset/demo-heartbeat-client --timeout=180s >&2
for id in $ids; do
  wait_for 60 "server logs $id reconnected after the rollout" logged "client reconnected" "$id" \
    || { server_log | tail -20 >&2; fail "client $id never reconnected after the rollout"; }
  show "client reconnected" "$id"
  server_log | grep -F '"msg":"client reconnected"' | grep -F "\"clientId\":\"$id\"" | grep -qF '"was":"LEFT"' \
    || fail "the reconnection of $id after the rollout does not say was=LEFT"
  ! logged "client lost" "$id" || fail "client $id was logged lost during the rollout"
  ! logged "client registered" "$id" || fail "client $id registered anew: its id did not survive the rollout"
done
[[ $(client_pods | sort) == "$ids" ]] || fail "the client pods' names changed in the rollout: $(client_pods | tr '\n' ' ')"

step "heartbeat: one of the 2 server replicas deleted: no client lost, every client still listed"
sleep 2
since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
deleted_at=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
listed() { curl -sS -m 10 "$base_hb/clients" | python3 -c 'import json,sys; print(" ".join(sorted(c["clientId"] for c in json.load(sys.stdin)["clients"] if c["state"] != "LEFT")))'; }
known=$(listed)
[[ -n $known ]] || fail "GET /clients lists no client before the server pod is deleted"
kctl -n "$NS" delete pod "$(server_pods | sed -n 1p)" --wait=true >&2
kctl -n "$NS" wait --for=condition=Ready pods -l "$HB_SERVERS" --timeout=120s >&2
# Every client listed before is listed again and UP, seen after the deletion (its beats went
# to the other replica, then to either): more than the 3.25 intervals LOST would take.
all_seen_since() {
  curl -sS -m 10 "$base_hb/clients" | python3 -c '
import json, sys
since, known = sys.argv[1], set(sys.argv[2].split())
clients = {c["clientId"]: c for c in json.load(sys.stdin)["clients"]}
sys.exit(0 if all(i in clients and clients[i]["state"] == "UP" and clients[i]["lastSeen"] > since for i in known) else 1)
' "$1" "$known"
}
later=$(date -u -d "+12 seconds" +%Y-%m-%dT%H:%M:%S.%3NZ)
wait_for 90 "every client listed, UP and seen 12 s after the server pod's deletion" all_seen_since "$later" \
  || { curl -sS -m 10 "$base_hb/clients" >&2; fail "not every client is listed UP after a server pod was deleted"; }
[[ $(listed) == "$known" ]] || fail "clients listed changed: before '$known', after '$(listed)'"
lost=$(server_log | grep -F '"msg":"client lost"' || true)
[[ -z $lost ]] || fail "a client was logged lost after a server pod was deleted: $lost"
echo "  ok: $(wc -w <<<"$known") clients listed and UP through the deletion (since $deleted_at), none lost" >&2

step "helm upgrade to the chart $V2 (image $V1 -> $V2) under keep-alive load on echo: 0 failed requests"
# 10 keep-alive connections (undici), GET and POST in turn, through the echo Service's node
# port, from before the upgrade until every pod has rolled: each request is counted.
load_out="$STATE/echo-load.json"
"$BUN" src/testing/keep-alive-load.ts "$base_echo/" --connections 10 --max-seconds 600 >"$load_out" &
load_pid=$!
wait_for 30 "the load generator's first answers" curl -fsS -m 2 -o /dev/null "$base_echo/" || fail "echo does not answer before the upgrade"
h upgrade "$RELEASE" "$CHART_REF" --version "$V2" -n "$NS" -f "$STATE/e2e-values.yaml" --wait --timeout 5m >&2
for d in $(kctl -n "$NS" get deploy -o name); do kctl -n "$NS" rollout status "$d" --timeout=120s >/dev/null; done
# Past the old pods' drain: they exit SHUTDOWN_DELAY_SECONDS after SIGTERM.
echo_old_gone() { ! kctl -n "$NS" get pods -l app.kubernetes.io/name=echo,app.kubernetes.io/component=server -o jsonpath='{range .items[*]}{.spec.containers[0].image}{"\n"}{end}' | grep -qF ":$V1"; }
wait_for 90 "the old echo pods to exit" echo_old_gone || fail "old echo server pods still there"
kill -TERM "$load_pid"; wait "$load_pid" || fail "the load generator failed (exit $?)"
counts() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(*(d[k] for k in sys.argv[2:]))' "$load_out" "$@"; }
read -r sent ok not_sent failed closes < <(counts sent ok notSent failed closeAnswers)
echo "  echo during the upgrade: $sent requests: $ok ok, $failed failed, $not_sent refused (never sent); $closes answers said Connection: close" >&2
((failed == 0 && not_sent == 0)) || { python3 -c 'import json,sys; print(*json.load(open(sys.argv[1]))["errors"], sep="\n")' "$load_out" >&2; fail "$((failed + not_sent)) echo requests failed during the rolling upgrade"; }
((sent >= 10000)) || fail "too few echo requests during the upgrade ($sent, want >= 10000)"
((closes > 0)) || fail "no answer said Connection: close: the old echo pods did not drain their keep-alive connections"
# Every running workload pod (not the completed helm test pods) runs the new tag.
old_pods() {
  kctl -n "$NS" get pods --field-selector=status.phase=Running \
    -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.spec.containers[*].image}{"\n"}{end}' | grep -F ":$V1" | cut -d' ' -f1
}
no_old_pods() { [[ -z $(old_pods) ]]; }
wait_for 90 "no running pod on :$V1" no_old_pods || fail "pods still on :$V1 after the upgrade: $(old_pods | tr '\n' ' ')"
echo "  ok: every running pod is on :$V2" >&2

step "helm uninstall leaves nothing behind"
h uninstall "$RELEASE" -n "$NS" --wait --timeout 3m >&2
# What the release made, namespaced (pods included: helm test hook pods are not deleted
# with the release unless their hook-delete-policy says so) and cluster-wide. Pods of
# deleted workloads take their grace period to go.
leftovers() {
  kctl get all,configmaps,secrets,serviceaccounts,roles,rolebindings,networkpolicies,poddisruptionbudgets,persistentvolumeclaims \
    -n "$NS" -l app.kubernetes.io/instance="$RELEASE" -o name 2>/dev/null
  kctl get pods -n "$NS" -o name 2>/dev/null
  kctl get clusterroles,clusterrolebindings,persistentvolumes -l app.kubernetes.io/instance="$RELEASE" -o name 2>/dev/null
}
# Settled: no pod is terminating and none is still owned by a (deleted) workload.
settled() {
  [[ -z $(kctl -n "$NS" get pods -o jsonpath='{range .items[*]}{.metadata.deletionTimestamp}{.metadata.ownerReferences[*].kind}{end}') ]]
}
wait_for 90 "the release's pods to terminate" settled || true
if [[ -n $(leftovers) ]]; then
  left=$(leftovers | sort -u | tr '\n' ' ')
  hooks=$(kctl -n "$NS" get pods -o jsonpath='{range .items[?(@.metadata.annotations.helm\.sh/hook)]}{.metadata.name}={.metadata.annotations.helm\.sh/hook-delete-policy} {end}' 2>/dev/null)
  [[ -n $hooks ]] && echo "  helm hook pods still there (name=hook-delete-policy): $hooks" >&2
  fail "left behind after helm uninstall: $left"
fi
echo "  ok: no object of release $RELEASE left in namespace $NS or cluster-wide" >&2
end_step ok
