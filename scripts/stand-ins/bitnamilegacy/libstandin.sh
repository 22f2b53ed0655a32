# shellcheck shell=bash
# Helpers of the stand-in bitnamilegacy images' entrypoints (scripts/stand-ins/bitnamilegacy.sh),
# installed as /opt/bitnami/scripts/libstandin.sh. Written for this project; not Bitnami's code.

# log MESSAGE / die MESSAGE: to stderr, which the container runtime keeps.
log() { printf '%s %s %s\n' "${STANDIN_NAME:-stand-in}" "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# file_env VAR: when VAR_FILE names a file, VAR takes its content (trailing newlines dropped), as
# the charts pass passwords (MYSQL_ROOT_PASSWORD_FILE, REDIS_PASSWORD_FILE, ...).
file_env() {
  local file_var="${1}_FILE"
  if [[ -n ${!file_var:-} ]]; then
    [[ -r ${!file_var} ]] || die "$file_var names ${!file_var}, which cannot be read"
    printf -v "$1" '%s' "$(<"${!file_var}")"
  fi
  export "${1?}"
}

# is_true VALUE: yes, true or 1 (any case).
is_true() { [[ ${1,,} =~ ^(yes|true|1)$ ]]; }

[[ ${BITNAMI_DEBUG:-false} != true ]] || set -x
