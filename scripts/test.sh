#!/usr/bin/env bash
# The whole test run, on a fresh machine or a warm one: installs what is missing (pinned),
# then typecheck, lint, unit and integration tests (real MariaDB and Redis), the compiled
# binary, every chart check, and the chart on a real Kubernetes. Every step runs; the run
# fails if any step failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

bash scripts/tools.sh || { echo "test.sh: scripts/tools.sh failed: cannot test without the tools" >&2; exit 1; }
eval "$(bash scripts/tools.sh env)"
# npm ci only when package-lock.json changed since the last install.
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.installed-lock 2>/dev/null)" != "$lock_sum" ]; then
  npm ci --no-audit --no-fund || { echo "test.sh: npm ci failed" >&2; exit 1; }
  echo "$lock_sum" >node_modules/.installed-lock
fi
export PATH="$PWD/node_modules/.bin:$PATH"

passed=() failed=()
step() {
  local name=$1
  shift
  printf '\n==> %s: %s\n' "$name" "$*"
  local started=$SECONDS
  if "$@"; then passed+=("$name"); status=ok; else failed+=("$name"); status=FAILED; fi
  printf '<== %s %s (%ss)\n' "$name" "$status" $((SECONDS - started))
}

step typecheck tsc --noEmit
step lint biome ci .
# bun.lock (the image build) must describe the same dependencies as package.json (npm ci).
step lockfiles bash scripts/ci/lockfiles.sh
step "bun test" bun test
step charts bash scripts/chart-check.sh
# The GitHub workflows: actionlint with ShellCheck on their run: blocks; every action pinned by
# SHA, every job with a timeout and its own permissions, no tool version repeated; and ShellCheck
# on every script. The lint job of .github/workflows/ci.yaml runs the same three scripts.
step workflows bash scripts/ci/actionlint.sh
step "workflow rules" bun scripts/ci/check-workflows.ts
step shellcheck bash scripts/ci/shellcheck.sh
# A real single-node Kubernetes built here (scripts/cluster): install, helm test, demo check
# through the node ports, NetworkPolicies enforced, heartbeat operator scenarios, a
# zero-failure upgrade under keep-alive load, a clean uninstall. The first run builds
# Kubernetes, BuildKit, the registry and kube-router (~17 min on a quiet 2-core machine),
# then they are cached.
step "cluster e2e" bash scripts/e2e/run.sh

printf '\nsteps: %d passed, %d failed\n' "${#passed[@]}" "${#failed[@]}"
[ ${#failed[@]} -eq 0 ] || { printf 'failed: %s\n' "${failed[*]}"; exit 1; }
