#!/usr/bin/env bash
# The suite on a starved machine: `bun test` RUNS times in a row (default 5) while a busy
# loop per core keeps every CPU at 100 %. A test that waits for wall-clock time instead of
# the state it asserts fails here first. Exits non-zero if any run failed.
#
#   bash scripts/busy-test.sh [runs]     (after scripts/tools.sh and npm ci, as test.sh)
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$REPO_ROOT"
eval "$(bash scripts/tools.sh env)"
export PATH="$PWD/node_modules/.bin:$PATH"
runs=${1:-5}

hogs=()
stop_hogs() { [ ${#hogs[@]} -eq 0 ] || kill "${hogs[@]}" 2>/dev/null; }
trap stop_hogs EXIT
for _ in $(seq "$(nproc)"); do
  # Bounded, in case this script is killed before its trap runs.
  timeout 3h sh -c 'while :; do :; done' &
  hogs+=($!)
done

failed=0
for run in $(seq "$runs"); do
  started=$SECONDS
  if bun test >"/tmp/busy-test-$run.log" 2>&1; then result=pass; else result=FAIL; failed=$((failed + 1)); fi
  counts=$(grep -E '^ *[0-9]+ (pass|fail)$' "/tmp/busy-test-$run.log" | tr -s ' \n' ' ' || true)
  echo "run $run/$runs: $result ($counts) in $((SECONDS - started)) s, log /tmp/busy-test-$run.log"
done
say "$((runs - failed)) of $runs runs green with $(nproc) busy loops"
[ "$failed" -eq 0 ]
