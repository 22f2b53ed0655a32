#!/usr/bin/env bash
# Validate rendered manifests against a real kube-apiserver (server-side dry run):
# the API server's own schema, defaulting, validation and admission, with nothing
# persisted.
#
#   scripts/cluster/dry-run.sh MANIFEST.yaml [MORE.yaml ...]
#   helm template demo charts/demo | scripts/cluster/dry-run.sh -
#
# When the local cluster (up.sh) is running it is used. Otherwise a throwaway etcd
# and kube-apiserver start on loopback ports in a temp dir (about 10 s), and stop
# again on exit. Namespaces named in the manifests are created first (they must
# exist for a namespaced dry run; on the running cluster they are really created).
# DRY_RUN_POD_SECURITY=restricted labels those namespaces so that Pod Security
# admission enforces that profile on every pod as well. Exit status: 0 when every object is accepted.
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
(($#)) || die "usage: $0 MANIFEST.yaml [...]   ('-' reads stdin)"

[[ -x $K8S_BIN/kube-apiserver ]] || bash "$CLUSTER_DIR/build.sh" >&2

tmp=$(mktemp -d /tmp/demo-dry-run.XXXXXX)
etcd_dir=$(mktemp -d /dev/shm/demo-dry-run-etcd.XXXXXX 2>/dev/null || echo "$tmp/etcd")  # no fsync cost
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$p" 2>/dev/null || true
  done
  rm -rf "$tmp" "$etcd_dir"
}
trap cleanup EXIT

files=()
for f in "$@"; do
  if [[ $f == - ]]; then cat >"$tmp/stdin.yaml"; files+=("$tmp/stdin.yaml"); else
    [[ -f $f ]] || die "no such file: $f"; files+=("$f"); fi
done

if [[ -f $KUBECONFIG_FILE ]] && timeout 5 "$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" get --raw /readyz >/dev/null 2>&1; then
  kubeconfig=$KUBECONFIG_FILE
  log "dry-run against the running cluster"
else
  # Three loopback ports that no socket uses (ss: listening or connected), drawn at random.
  ports=()
  used=$(ss -Htan | awk '{ sub(/.*:/, "", $4); print $4 }')
  while ((${#ports[@]} < 3)); do
    p=$((20000 + RANDOM % 12000))
    grep -qx "$p" <<<"$used" || [[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
  done
  etcd_port=${ports[0]} peer_port=${ports[1]} api_port=${ports[2]}
  mkdir -p "$tmp/pki"
  make_ca "$tmp/pki"
  make_cert "$tmp/pki" apiserver "/CN=kube-apiserver" serverAuth "DNS:localhost,IP:127.0.0.1"
  make_cert "$tmp/pki" admin "/O=system:masters/CN=kubernetes-admin" clientAuth
  make_sa_key "$tmp/pki"
  kubeconfig="$tmp/kubeconfig"
  write_kubeconfig "$kubeconfig" "$tmp/pki" admin "https://127.0.0.1:$api_port"
  etcd --name dry-run --data-dir "$etcd_dir/data" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "dry-run=http://127.0.0.1:$peer_port" --listen-metrics-urls "" \
    --logger zap --log-level warn >"$tmp/etcd.log" 2>&1 </dev/null &
  pids+=($!)
  "$K8S_BIN/kube-apiserver" --etcd-servers="http://127.0.0.1:$etcd_port" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$api_port" \
    --endpoint-reconciler-type=none --service-cluster-ip-range="$SERVICE_CIDR" \
    --client-ca-file="$tmp/pki/ca.crt" \
    --tls-cert-file="$tmp/pki/apiserver.crt" --tls-private-key-file="$tmp/pki/apiserver.key" \
    --service-account-issuer="https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
    --service-account-key-file="$tmp/pki/sa.pub" --service-account-signing-key-file="$tmp/pki/sa.key" \
    --authorization-mode=RBAC --profiling=false --v=0 >"$tmp/apiserver.log" 2>&1 </dev/null &
  pids+=($!)
  start_s=$SECONDS
  until "$K8S_BIN/kubectl" --kubeconfig "$kubeconfig" get --raw /readyz >/dev/null 2>&1; do
    for p in "${pids[@]}"; do
      kill -0 "$p" 2>/dev/null || { tail -20 "$tmp"/*.log >&2; die "etcd or kube-apiserver exited"; }
    done
    ((SECONDS - start_s < 90)) || { tail -20 "$tmp"/*.log >&2; die "kube-apiserver not ready after 90s"; }
    sleep 0.5
  done
  # The default ServiceAccount is made by the controller manager, which is not here;
  # admission needs none for a dry run of workloads, so nothing else is required.
  log "throwaway kube-apiserver ready on 127.0.0.1:$api_port ($((SECONDS - start_s))s)"
fi

k() { "$K8S_BIN/kubectl" --kubeconfig "$kubeconfig" "$@"; }
args=()
for f in "${files[@]}"; do args+=(-f "$f"); done
# kubectl prints one object alone, several as a List.
ns_of='{{with .metadata.namespace}}{{.}}{{"\n"}}{{end}}'
namespaces=$( (echo default; k apply --dry-run=client -o go-template="{{with .items}}{{range .}}$ns_of{{end}}{{else}}$ns_of{{end}}" "${args[@]}" 2>/dev/null) | sort -u)
for ns in $namespaces; do
  k get namespace "$ns" >/dev/null 2>&1 || k create namespace "$ns" --save-config >/dev/null
  if [[ -n ${DRY_RUN_POD_SECURITY:-} && $ns != default ]]; then
    k label --overwrite namespace "$ns" "pod-security.kubernetes.io/enforce=$DRY_RUN_POD_SECURITY" >/dev/null
  fi
  # ServiceAccount admission wants the namespace's default account, which the
  # controller manager would make (the throwaway API server runs without one).
  k -n "$ns" get serviceaccount default >/dev/null 2>&1 || k -n "$ns" create serviceaccount default >/dev/null
done
k apply --dry-run=server --validate=strict "${args[@]}"
