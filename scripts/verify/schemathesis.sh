#!/usr/bin/env bash
# Schemathesis against the compiled binary's users API, on both storage modes (embedded
# SQLite with the in-process cache; MariaDB with Redis): every check, every phase (examples,
# coverage, fuzzing, stateful with the links it infers), a fixed seed and a bounded number of
# cases per operation (the same cases every run: no flaky failure), each run under a time
# limit. Any failure fails the script. Installs the pinned Schemathesis first (scripts/tools.sh
# schemathesis, nothing when present). A step of scripts/test.sh (as its non-root user) and of
# the test job of .github/workflows/ci.yaml.
#
#   bash scripts/verify/schemathesis.sh            # SCHEMATHESIS_EXAMPLES=200 per operation
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
cd "$REPO_ROOT" || exit 1
bash scripts/tools.sh schemathesis || die "scripts/tools.sh schemathesis failed"
eval "$(bash scripts/tools.sh env)"
export PATH="$REPO_ROOT/node_modules/.bin:$PATH"
need schemathesis
need bun "npm ci puts it in node_modules/.bin"
need curl

EXAMPLES=${SCHEMATHESIS_EXAMPLES:-200}
SEED=${SCHEMATHESIS_SEED:-22}
LIMIT_SECONDS=600 # per mode; the whole of one run took about 1 min on a busy 2-core machine
case "$(uname -m)" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) die "unsupported machine $(uname -m)" ;; esac
binary="$REPO_ROOT/dist/demo-linux-$arch"

work=$(mktemp -d)
server_pid="" backing_pid=""
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  [ -z "$backing_pid" ] || kill "$backing_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

bash scripts/build.sh "$arch" || die "scripts/build.sh $arch failed"

# run_mode NAME VAR=VALUE...: the users server with that environment, Schemathesis against it.
run_mode() {
  local name=$1 log="$work/$1.log" port
  shift
  env "$@" PORT=0 LOG_FORMAT=json "$binary" users-server >"$log" 2>&1 &
  server_pid=$!
  wait_for 30 "users-server ($name) listening" grep -q '"msg":"listening"' "$log" || { cat "$log" >&2; return 1; }
  port=$(sed -n 's/.*"msg":"listening".*"port":\([0-9]*\).*/\1/p' "$log" | head -1)
  wait_for 60 "users-server ($name) ready" curl -sf "http://127.0.0.1:$port/readyz" || { cat "$log" >&2; return 1; }
  say "$name: schemathesis on port $port, $EXAMPLES cases per operation, seed $SEED"
  local status=0
  (cd "$work" && timeout "$LIMIT_SECONDS" schemathesis run "http://127.0.0.1:$port/openapi/json" \
    --checks all --phases examples,coverage,fuzzing,stateful \
    --max-examples "$EXAMPLES" --seed "$SEED" --request-timeout 10 --no-color) || status=$?
  kill "$server_pid"
  wait "$server_pid" || true
  server_pid=""
  ((status == 0)) || { say "$name: schemathesis failed (exit $status; 124: over ${LIMIT_SECONDS}s)"; return 1; }
}

failed=0
run_mode sqlite SQLITE_PATH="$work/users.db" || failed=1

bun scripts/verify/backing-servers.ts >"$work/backing.env" 2>"$work/backing.log" &
backing_pid=$!
if wait_for 120 "MariaDB and Redis" grep -qx ready "$work/backing.env"; then
  run_mode mariadb+redis "$(grep ^MYSQL_URL= "$work/backing.env")" "$(grep ^REDIS_URL= "$work/backing.env")" || failed=1
else
  cat "$work/backing.log" >&2
  say "MariaDB and Redis did not start"
  failed=1
fi
((failed == 0)) || die "schemathesis found failures (above)"
say "schemathesis: no failures on sqlite and mariadb+redis"
