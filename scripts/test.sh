#!/usr/bin/env bash
# The whole test run, on a fresh machine or a warm one: installs what is missing (pinned),
# then typecheck, lint, unit and integration tests (real MariaDB and Redis), the compiled
# binary, every chart check, and the chart on a real Kubernetes. Every step runs; the run
# fails if any step failed.
#
#   scripts/test.sh      (what .ci/run runs; the README's test command)
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$REPO_ROOT"

bash scripts/tools.sh || die "scripts/tools.sh failed: cannot test without the tools"
eval "$(bash scripts/tools.sh env)"
# npm ci only when package-lock.json changed since the last install.
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.installed-lock 2>/dev/null)" != "$lock_sum" ]; then
  npm ci --no-audit --no-fund || die "npm ci failed"
  echo "$lock_sum" >node_modules/.installed-lock
fi
export PATH="$PWD/node_modules/.bin:$PATH"

# What the cluster e2e needs (Kubernetes, BuildKit, the registry, kube-router, metrics-server:
# ~20 min of niced Go builds on a fresh 2-core machine, seconds once cached) builds from now on,
# beside the steps below, which spend much of their time waiting on servers and timers.
mkdir -p test-artifacts
cluster_build_log=test-artifacts/cluster-build.log
bash scripts/cluster/build.sh >"$cluster_build_log" 2>&1 &
cluster_build=$!
# Before the e2e: a failed build is reported here, and up.sh builds again, in the open.
cluster_build_done() {
  wait "$cluster_build" && { tail -n 3 "$cluster_build_log"; return 0; }
  cat "$cluster_build_log"
  say "the cluster build beside the tests failed (above); the e2e's up.sh tries again"
}

set +e   # every step runs (common.sh's step records a failure); summary says which failed

step typecheck tsc --noEmit
step lint biome ci .
# bun.lock (the image build) must describe the same dependencies as package.json (npm ci).
step lockfiles bash scripts/verify/lockfiles.sh
# MySQL 9 for the users tests (beside MariaDB): a Debian sid root filesystem, built once as root
# and cached; the tests run its mysqld without installing it (src/testing/mysql-flavours.ts).
step "mysql 9 rootfs" bash scripts/stand-ins/mysql9-rootfs.sh
# As a non-root user with passwordless sudo, as GitHub's test job runs it (its runner user): as
# root, a test that needs root would pass here and fail there (scripts/ci/as-runner-user.sh).
# Jaeger (the trace tests' collector) was built by root's scripts/tools.sh above: a copy in the
# checkout's .cache/ (ignored by git, given to that user) is the one src/testing/jaeger.ts runs.
mkdir -p .cache/bin && install -m 0755 "$DEMO_TOOLS_DIR/bin/jaeger" .cache/bin/jaeger
export JAEGER_BINARY=.cache/bin/jaeger # relative: the user may see the checkout elsewhere (as-runner-user.sh)
step "bun test" bash scripts/ci/as-runner-user.sh bun test
# Schemathesis against the compiled binary's users API, SQLite and MariaDB+Redis: every check,
# stateful links, a fixed seed and a bounded number of cases (scripts/verify/schemathesis.sh);
# as the same user, as GitHub's test job runs it after bun test.
step schemathesis bash scripts/ci/as-runner-user.sh bash scripts/verify/schemathesis.sh
step charts bash scripts/charts/check.sh
# The GitHub workflows: actionlint with ShellCheck on their run: blocks; every action pinned by
# SHA, every job with a timeout and its own permissions, no tool version repeated; and ShellCheck
# on every script. The lint job of .github/workflows/ci.yaml runs the same three scripts.
step workflows bash scripts/verify/actionlint.sh
step "workflow rules" bun scripts/verify/check-workflows.ts
step shellcheck bash scripts/verify/shellcheck.sh
# A real Kubernetes built here (scripts/cluster), two nodes: install, helm test, demo check
# through the node ports, NetworkPolicies enforced, heartbeat operator scenarios, a
# zero-failure upgrade under keep-alive load, drain and node loss, an HPA, a clean uninstall.
cluster_build_done
step "cluster e2e" bash scripts/e2e/run.sh

summary
