#!/bin/bash
# /opt/bitnami/scripts/redis/entrypoint.sh of the stand-in docker.io/bitnamilegacy/redis image
# (built by scripts/stand-ins/push.sh from Debian's redis-server): the image's ENTRYPOINT, with CMD
# /opt/bitnami/scripts/redis/run.sh. The Bitnami redis chart uses neither: it runs its own
# start-master.sh (bash, cp, redis-server) and probes (redis-cli, timeout, head, awk), which the
# image carries. Written for this project; not Bitnami's code.
set -euo pipefail
exec "$@"
