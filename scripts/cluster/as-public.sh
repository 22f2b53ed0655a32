#!/usr/bin/env bash
# Runs a command as on a user's machine that reaches the public registries: ghcr.io, gcr.io
# and docker.io resolve to the stand-in registry, whose CA it trusts (as_public in lib.sh).
#
#   scripts/cluster/as-public.sh helm pull oci://registry-1.docker.io/bitnamicharts/mysql ...
#
# Callers: the e2e steps (scripts/e2e/lib/cluster.ts), for helm and the release scripts.
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
as_public "$@"
