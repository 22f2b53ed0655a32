#!/usr/bin/env bash
# MariaDB and Redis for the users system's external mode, run from the Debian
# binaries (Bitnami images cannot be pulled here) inside the node's network
# namespace, listening on the node address, where pods reach them.
#
#   scripts/cluster/host-deps.sh      # after up.sh; prints the settings as KEY=VALUE
#
# Writes $DEMO_CLUSTER_DIR/deps.env (MYSQL_HOST, MYSQL_PORT, MYSQL_DATABASE, MYSQL_USER,
# MYSQL_PASSWORD, REDIS_HOST, REDIS_PORT, REDIS_PASSWORD). Their pids go to pids/, so down.sh stops them.
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_root
[[ -e $NETNS_PATH ]] || die "cluster is not up: run scripts/cluster/up.sh first"
for b in mariadbd mariadb-install-db mariadb redis-server redis-cli; do
  command -v "$b" >/dev/null || die "$b not found: apt-get install mariadb-server mariadb-client redis-server (scripts/tools.sh)"
done

t0=$SECONDS
dir="$STATE/deps"; mkdir -p "$dir/mariadb" "$dir/redis"
MYSQL_PORT=3306 REDIS_PORT=6379
MYSQL_PASSWORD=$(openssl rand -hex 16)
REDIS_PASSWORD=$(openssl rand -hex 16)

# ---- MariaDB ----------------------------------------------------------------------------
mariadb-install-db --no-defaults --datadir="$dir/mariadb/data" --user=root \
  --auth-root-authentication-method=socket --skip-test-db >"$LOGS/mariadb-install.log" 2>&1 ||
  { tail -20 "$LOGS/mariadb-install.log" >&2; die "mariadb-install-db failed"; }
start_in_node mariadb mariadbd --no-defaults --user=root --datadir="$dir/mariadb/data" \
  --socket="$dir/mariadb/mysqld.sock" --pid-file="$dir/mariadb/mysqld.pid" \
  --bind-address="$NODE_IP" --port="$MYSQL_PORT" --skip-name-resolve \
  --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=0 --skip-log-bin
# shellcheck disable=SC2120  # called with -e by wait_for, with a heredoc below
sql() { mariadb --no-defaults --socket="$dir/mariadb/mysqld.sock" -uroot "$@"; }
wait_for 60 "mariadb" sql -e 'select 1' || { tail -20 "$LOGS/mariadb.log" >&2; die "mariadb did not start"; }
sql <<SQL
CREATE DATABASE IF NOT EXISTS demo;
CREATE USER IF NOT EXISTS 'demo'@'%' IDENTIFIED BY '$MYSQL_PASSWORD';
GRANT ALL PRIVILEGES ON demo.* TO 'demo'@'%';
FLUSH PRIVILEGES;
SQL

# ---- Redis --------------------------------------------------------------------------------
start_in_node redis redis-server --bind "$NODE_IP" --port "$REDIS_PORT" --protected-mode no \
  --requirepass "$REDIS_PASSWORD" --save '' --appendonly no --dir "$dir/redis" --logfile "" --daemonize no
wait_for 30 "redis" env REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -h "$NODE_IP" -p "$REDIS_PORT" ping || { tail -20 "$LOGS/redis.log" >&2; die "redis did not start"; }

cat >"$STATE/deps.env" <<EOF
MYSQL_HOST=$NODE_IP
MYSQL_PORT=$MYSQL_PORT
MYSQL_DATABASE=demo
MYSQL_USER=demo
MYSQL_PASSWORD=$MYSQL_PASSWORD
REDIS_HOST=$NODE_IP
REDIS_PORT=$REDIS_PORT
REDIS_PASSWORD=$REDIS_PASSWORD
EOF
log "mariadb $NODE_IP:$MYSQL_PORT (db demo, user demo) and redis $NODE_IP:$REDIS_PORT up in $((SECONDS - t0))s"
cat "$STATE/deps.env"
