#!/usr/bin/env bash
# MariaDB and Redis for the users system's external mode (and the heartbeat server's Redis
# store): Debian's binaries run in the node's network namespace by scripts/cluster/host-deps.sh,
# listening on the node address where pods reach them. Bash, as it starts processes in
# namespaces. It writes $STATE/deps.env, which the install (21) and the NetworkPolicy flows (24)
# read. Not re-runnable alone: the servers it started hold their ports until the cluster goes down.
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../cluster/lib.sh"
# shellcheck source=scripts/lib/common.sh
source "$REPO_ROOT/scripts/lib/common.sh"
bash "$CLUSTER_DIR/host-deps.sh" >/dev/null
# shellcheck disable=SC1091
source "$STATE/deps.env"
for v in MYSQL_HOST MYSQL_PORT MYSQL_PASSWORD REDIS_HOST REDIS_PORT REDIS_PASSWORD; do
  [[ -n ${!v:-} ]] || die "$STATE/deps.env has no $v"
done
say "ok: MariaDB on $MYSQL_HOST:$MYSQL_PORT, Redis on $REDIS_HOST:$REDIS_PORT ($STATE/deps.env)"
