# shellcheck shell=bash
# The one shell library of scripts/: every bash script sources it first, by its own path:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"      # from scripts/
#   source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"   # from scripts/<dir>/
#
# It gives the prologue (strict mode, REPO_ROOT, the script's name for messages) and:
#   say MSG...                 a line on stderr, prefixed with the script's name
#   die MSG...                 the same as an error, then exit 1
#   need CMD [HINT]            die unless CMD is on PATH (a missing tool fails loudly)
#   wait_for SECS WHAT CMD...  poll CMD (once a second) until it succeeds; 1 after SECS
#   step NAME CMD...           run CMD as a named, timed step; its failure is recorded, not fatal.
#                              CMD is a program or script: bash ignores set -e inside a function
#                              run as a condition, so a function CMD must check its own failures
#   summary                    the steps' table and "steps: N passed, M failed"; 1 if any failed
set -euo pipefail
# shellcheck disable=SC2034  # REPO_ROOT is for the scripts that source this file
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SCRIPT_NAME=${SCRIPT_NAME:-$(basename "${BASH_SOURCE[1]:-$0}" .sh)}

say() { printf '%s: %s\n' "$SCRIPT_NAME" "$*" >&2; }
die() { printf '%s: ERROR: %s\n' "$SCRIPT_NAME" "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is needed but not on PATH${2:+ ($2)}"; }

wait_for() {
  local timeout=$1 what=$2 start=$SECONDS; shift 2
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS - start >= timeout)); then say "timed out after ${timeout}s waiting for: $what"; return 1; fi
    sleep 1
  done
}

STEP_NAMES=() STEP_SECS=() STEP_RESULTS=()
step() {
  local name=$1 started=$SECONDS result=ok; shift
  printf '\n==> %s: %s\n' "$name" "$*" >&2
  "$@" || result=FAILED
  STEP_NAMES+=("$name") STEP_SECS+=($((SECONDS - started))) STEP_RESULTS+=("$result")
  printf '<== %s %s (%ss)\n' "$name" "$result" $((SECONDS - started)) >&2
  [[ $result == ok ]]
}
summary() {
  local i failed=0
  printf '\n%-60s %8s  %s\n' step seconds result >&2
  for i in "${!STEP_NAMES[@]}"; do
    printf '%-60s %8s  %s\n' "${STEP_NAMES[$i]}" "${STEP_SECS[$i]}" "${STEP_RESULTS[$i]}" >&2
    [[ ${STEP_RESULTS[$i]} == ok ]] || failed=$((failed + 1))
  done
  printf 'steps: %d passed, %d failed\n' $((${#STEP_NAMES[@]} - failed)) "$failed"
  ((failed == 0))
}
