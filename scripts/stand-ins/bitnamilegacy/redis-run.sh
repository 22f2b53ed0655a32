#!/bin/bash
# /opt/bitnami/scripts/redis/run.sh of the stand-in docker.io/bitnamilegacy/redis image: redis-server
# in the foreground for runs without the chart. Environment: REDIS_PASSWORD (or
# REDIS_PASSWORD_FILE), ALLOW_EMPTY_PASSWORD (no), REDIS_PORT (6379), REDIS_AOF_ENABLED (yes),
# REDIS_DATA_DIR (/bitnami/redis/data), REDIS_EXTRA_FLAGS (split on blanks). Written for this
# project; not Bitnami's code.
set -euo pipefail
STANDIN_NAME=redis
# shellcheck source=scripts/stand-ins/bitnamilegacy/libstandin.sh
. /opt/bitnami/scripts/libstandin.sh
file_env REDIS_PASSWORD
args=(--port "${REDIS_PORT:-6379}" --dir "${REDIS_DATA_DIR:-/bitnami/redis/data}")
if [[ -n $REDIS_PASSWORD ]]; then
  args+=(--requirepass "$REDIS_PASSWORD" --masterauth "$REDIS_PASSWORD")
elif is_true "${ALLOW_EMPTY_PASSWORD:-no}"; then
  args+=(--protected-mode no)
else
  die "REDIS_PASSWORD (or REDIS_PASSWORD_FILE) is empty; set ALLOW_EMPTY_PASSWORD=yes to allow it"
fi
is_true "${REDIS_AOF_ENABLED:-yes}" && args+=(--appendonly yes)
read -ra extra <<<"${REDIS_EXTRA_FLAGS:-}"
exec redis-server "${args[@]}" "${extra[@]}"
