#!/usr/bin/env bash
# Runs CMD in the checkout as a non-root user with passwordless sudo, as GitHub's runner user
# runs the test job: as root, a test that needs root (chroot, mount, a server that refuses
# root, a file only root may write) passes here and fails on GitHub. scripts/test.sh runs
# `bun test` and Schemathesis through it, as GitHub's test job runs them.
#
#   bash scripts/ci/as-runner-user.sh CMD...
#
# As root, idempotently: the user demo-ci (its own home, so its own bun and npm caches) and a
# NOPASSWD sudoers entry for it, as the runner has; then demo-ci gets the checkout's output
# directories (dist/, .cache/, test-artifacts/: ignored by git, written by the build and the
# tests) and CMD runs as demo-ci with the caller's environment (HOME, USER, LOGNAME its own;
# none of the variables in ROOTS_CACHES, which name root's directories: the user keeps its own
# tools and caches. Bun given root's BUN_INSTALL_CACHE_DIR, say, cannot unpack a compile target
# there: "Failed to extract executable ... The download may be incomplete").
# The rest of the root-owned checkout stays read-only to it (its files readable by others, as a
# clone with the default umask makes them). Not root: runs CMD as it is.
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
(($#)) || die "usage: $0 CMD..."
cd "$REPO_ROOT"
[[ $(id -u) == 0 ]] || exec "$@"

RUNNER_USER=demo-ci
WRITABLE=(dist .cache test-artifacts)
ROOTS_CACHES=(DEMO_TOOLS_DIR BUN_INSTALL_CACHE_DIR npm_config_cache GOCACHE GOMODCACHE PIP_CACHE_DIR)
need sudo "scripts/tools.sh apt-test installs it"
if ! id -u "$RUNNER_USER" >/dev/null 2>&1; then
  say "creating the user $RUNNER_USER"
  useradd --create-home --shell /bin/bash "$RUNNER_USER" || die "useradd $RUNNER_USER failed"
fi
sudoers=/etc/sudoers.d/$RUNNER_USER
entry="$RUNNER_USER ALL=(ALL) NOPASSWD:ALL"
if [[ $(cat "$sudoers" 2>/dev/null) != "$entry" ]]; then
  printf '%s\n' "$entry" >"$sudoers.tmp"
  chmod 0440 "$sudoers.tmp"
  visudo -cqf "$sudoers.tmp" || die "visudo refuses $sudoers.tmp"
  mv "$sudoers.tmp" "$sudoers"
fi
mkdir -p "${WRITABLE[@]}"
chown -R "$RUNNER_USER:" "${WRITABLE[@]}"
runuser -u "$RUNNER_USER" -- sudo -n true || die "$RUNNER_USER has no passwordless sudo (see $sudoers)"
as_user=(runuser -u "$RUNNER_USER" -- env "${ROOTS_CACHES[@]/#/--unset=}" "$@")
if runuser -u "$RUNNER_USER" -- test -r "$REPO_ROOT/package.json" -a -x "$REPO_ROOT/src"; then
  say "as $RUNNER_USER (non-root, passwordless sudo): $*"
  exec "${as_user[@]}"
fi
# A parent directory closed to others (a CI workspace made with mode 0700): the same checkout,
# bind-mounted in a private mount namespace at a path the user can reach, gone when CMD ends.
view=/run/demo-ci-checkout
mkdir -p "$view"
say "as $RUNNER_USER (non-root, passwordless sudo), the checkout seen at $view: $*"
# shellcheck disable=SC2016 # $1, $2, $@ are the inner bash's arguments
exec unshare --mount --propagation private -- bash -c \
  'mount --bind "$1" "$2" && cd "$2" && shift 2 && exec "$@"' _ "$REPO_ROOT" "$view" "${as_user[@]}"
