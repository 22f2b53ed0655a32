#!/bin/bash
# /opt/bitnami/scripts/mysql/entrypoint.sh of the stand-in docker.io/bitnamilegacy/mysql image
# (built by scripts/stand-ins/push.sh from Debian's mysql-server): the image's ENTRYPOINT, with
# CMD /opt/bitnami/scripts/mysql/run.sh, as the Bitnami mysql chart runs it (it sets no command).
# Written for this project from what that chart relies on; not Bitnami's code.
#
# Before run.sh it sets the server up. First start (no $MYSQL_VOLUME_DIR/.mysql_initialized):
# `mysqld --initialize-insecure` into the data directory my.cnf names, then on a server that
# listens only on a private socket: the root password (root@localhost and root@'%'), the database
# and the application user (the server's default authentication plugin unless
# MYSQL_AUTHENTICATION_PLUGIN names one), the scripts in $MYSQL_INITSCRIPTS_DIR (*.sh, *.sql,
# *.sql.gz). A first start that stopped half way (no marker) is started over. Later starts keep
# the data and run $MYSQL_STARTDB_DIR's scripts, if any.
#
# Environment (each password also as VAR_FILE): MYSQL_ROOT_USER (root), MYSQL_ROOT_PASSWORD,
# MYSQL_DATABASE, MYSQL_USER, MYSQL_PASSWORD, MYSQL_CHARACTER_SET, MYSQL_COLLATE,
# MYSQL_AUTHENTICATION_PLUGIN, ALLOW_EMPTY_PASSWORD (no), MYSQL_PORT, MYSQL_EXTRA_FLAGS (every mysqld run),
# MYSQL_CONF_FILE (/opt/bitnami/mysql/conf/my.cnf), BITNAMI_DEBUG. Not supported (refused):
# MYSQL_ENABLE_SSL=yes, MYSQL_REPLICATION_MODE (standalone only).
set -euo pipefail
STANDIN_NAME=mysql
# shellcheck source=scripts/stand-ins/bitnamilegacy/libstandin.sh
. /opt/bitnami/scripts/libstandin.sh

[[ ${1:-} == /opt/bitnami/scripts/mysql/run.sh ]] || exec "$@"   # any other command as it is

cnf=${MYSQL_CONF_FILE:-/opt/bitnami/mysql/conf/my.cnf}
[[ -r $cnf ]] || die "no configuration file $cnf"
is_true "${MYSQL_ENABLE_SSL:-no}" && die "MYSQL_ENABLE_SSL=yes: TLS set-up is not part of this stand-in"
[[ -z ${MYSQL_REPLICATION_MODE:-} ]] || die "MYSQL_REPLICATION_MODE=$MYSQL_REPLICATION_MODE: this stand-in runs standalone only"
root_user=${MYSQL_ROOT_USER:-root}
for v in MYSQL_ROOT_PASSWORD MYSQL_PASSWORD; do file_env "$v"; done
if [[ -z $MYSQL_ROOT_PASSWORD ]] && ! is_true "${ALLOW_EMPTY_PASSWORD:-no}"; then
  die "MYSQL_ROOT_PASSWORD (or MYSQL_ROOT_PASSWORD_FILE) is empty; set ALLOW_EMPTY_PASSWORD=yes to allow it"
fi
if [[ -n ${MYSQL_USER:-} && -z $MYSQL_PASSWORD ]] && ! is_true "${ALLOW_EMPTY_PASSWORD:-no}"; then
  die "MYSQL_USER is set but MYSQL_PASSWORD (or MYSQL_PASSWORD_FILE) is empty"
fi

# The server's own reading of my.cnf (the last value wins, as in mysqld).
setting() { my_print_defaults --defaults-file="$cnf" mysqld | sed -n "s/^--$1=//p" | tail -1; }
# MYSQL_EXTRA_FLAGS (split on blanks) apply to every mysqld run here too: the chart passes
# --character-set-server=utf8mb4 that way, over a my.cnf whose UTF8 MySQL 9.7 refuses.
read -ra extra <<<"${MYSQL_EXTRA_FLAGS:-}"
datadir=$(setting datadir); datadir=${datadir:-/bitnami/mysql/data}
volume=${MYSQL_VOLUME_DIR:-$(dirname "$datadir")}
marker=$volume/.mysql_initialized
tmp=$(setting tmpdir); tmp=${tmp:-/tmp}
sock=$tmp/mysqld-setup.sock
client_cnf=$tmp/mysqld-setup.cnf

# SQL literals: 'string' and `identifier`.
sql_str() { local s=${1//\\/\\\\}; printf "'%s'" "${s//\'/\'\'}"; }
sql_id() { local q='`'; printf '%s%s%s' "$q" "${1//$q/$q$q}" "$q"; }

# A server for the set-up only: no TCP, a socket of its own (so the probes fail until run.sh).
setup_server_start() {
  log "starting a set-up server (socket $sock)"
  mysqld --defaults-file="$cnf" "${extra[@]}" --skip-networking --socket="$sock" --pid-file="$tmp/mysqld-setup.pid" &
  setup_pid=$!
  local i
  for i in $(seq 1 240); do
    if mysqladmin --defaults-file="$client_cnf" ping >/dev/null 2>&1; then return 0; fi
    kill -0 "$setup_pid" 2>/dev/null || die "the set-up server exited (see the log above)"
    sleep 0.5
    ((i % 20)) || log "waiting for the set-up server"
  done
  die "the set-up server did not answer within 120 s"
}
setup_server_stop() {
  mysqladmin --defaults-file="$client_cnf" shutdown || die "could not stop the set-up server"
  wait "$setup_pid" || die "the set-up server exited with an error"
}
client_cnf() { # PASSWORD: the option file our own clients read (private, removed at the end)
  local p=${1//\\/\\\\}
  (umask 077; printf '[client]\nuser=%s\npassword="%s"\nsocket=%s\n' "$root_user" "${p//\"/\\\"}" "$sock" >"$client_cnf")
}
mysql_() { mysql --defaults-file="$client_cnf"; }
run_scripts() { # DIR: *.sh (bash), *.sql and *.sql.gz (as root), in name order
  local f
  for f in "$1"/*; do
    [[ -f $f ]] || continue
    case $f in
      *.sh) log "running $f"; bash "$f" ;;
      *.sql) log "running $f"; mysql_ <"$f" ;;
      *.sql.gz) log "running $f"; gzip -dc "$f" | mysql_ ;;
      *) log "ignoring $f (not .sh, .sql or .sql.gz)" ;;
    esac
  done
}
trap 'rm -f "$client_cnf"' EXIT

if [[ ! -f $marker ]]; then
  if [[ -n $(ls -A "$datadir" 2>/dev/null) ]]; then
    log "$datadir holds an unfinished first start (no $marker): starting over"
    find "$datadir" -mindepth 1 -delete
  fi
  mkdir -p "$datadir"
  log "initialising $datadir"
  mysqld --defaults-file="$cnf" "${extra[@]}" --initialize-insecure --datadir="$datadir" || die "mysqld --initialize-insecure failed"
  client_cnf "" # root@localhost has no password yet; it listens on no port
  setup_server_start
  root_pw=$(sql_str "$MYSQL_ROOT_PASSWORD")
  {
    echo "SET SESSION sql_log_bin = 0;"
    if [[ $root_user != root ]]; then echo "RENAME USER 'root'@'localhost' TO $(sql_str "$root_user")@'localhost';"; fi
    echo "ALTER USER $(sql_str "$root_user")@'localhost' IDENTIFIED BY $root_pw;"
    echo "CREATE USER $(sql_str "$root_user")@'%' IDENTIFIED BY $root_pw;"
    echo "GRANT ALL PRIVILEGES ON *.* TO $(sql_str "$root_user")@'%' WITH GRANT OPTION;"
    if [[ -n ${MYSQL_DATABASE:-} ]]; then
      echo "CREATE DATABASE IF NOT EXISTS $(sql_id "$MYSQL_DATABASE")${MYSQL_CHARACTER_SET:+ CHARACTER SET $MYSQL_CHARACTER_SET}${MYSQL_COLLATE:+ COLLATE $MYSQL_COLLATE};"
    fi
    if [[ -n ${MYSQL_USER:-} ]]; then
      echo "CREATE USER $(sql_str "$MYSQL_USER")@'%' IDENTIFIED${MYSQL_AUTHENTICATION_PLUGIN:+ WITH $MYSQL_AUTHENTICATION_PLUGIN} BY $(sql_str "$MYSQL_PASSWORD");"
      if [[ -n ${MYSQL_DATABASE:-} ]]; then
        echo "GRANT ALL PRIVILEGES ON $(sql_id "$MYSQL_DATABASE").* TO $(sql_str "$MYSQL_USER")@'%';"
      fi
    fi
  } | mysql_ || die "setting up root, the database and the user failed"
  client_cnf "$MYSQL_ROOT_PASSWORD"
  log "root${MYSQL_DATABASE:+, database $MYSQL_DATABASE}${MYSQL_USER:+, user $MYSQL_USER} set up"
  run_scripts "${MYSQL_INITSCRIPTS_DIR:-/docker-entrypoint-initdb.d}"
  setup_server_stop
  touch "$marker"
  log "first start done"
elif [[ -n $(ls -A "${MYSQL_STARTDB_DIR:-/docker-entrypoint-startdb.d}" 2>/dev/null) ]]; then
  client_cnf "$MYSQL_ROOT_PASSWORD"
  setup_server_start
  run_scripts "${MYSQL_STARTDB_DIR:-/docker-entrypoint-startdb.d}"
  setup_server_stop
else
  log "$datadir is set up already: keeping it"
fi
rm -f "$client_cnf"
exec "$@"
