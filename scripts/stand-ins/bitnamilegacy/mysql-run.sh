#!/bin/bash
# /opt/bitnami/scripts/mysql/run.sh of the stand-in docker.io/bitnamilegacy/mysql image: the
# server, in the foreground, on the configuration the chart mounts (MYSQL_CONF_FILE, default
# /opt/bitnami/mysql/conf/my.cnf), MYSQL_PORT when set and MYSQL_EXTRA_FLAGS (split on blanks).
# entrypoint.sh sets the data directory up first. Written for this project; not Bitnami's code.
set -euo pipefail
STANDIN_NAME=mysql
# shellcheck source=scripts/stand-ins/bitnamilegacy/libstandin.sh
. /opt/bitnami/scripts/libstandin.sh
read -ra extra <<<"${MYSQL_EXTRA_FLAGS:-}"
log "starting mysqld $(mysqld --version | awk '{print $3}')"
exec mysqld --defaults-file="${MYSQL_CONF_FILE:-/opt/bitnami/mysql/conf/my.cnf}" ${MYSQL_PORT:+"--port=$MYSQL_PORT"} "${extra[@]}"
