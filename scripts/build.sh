#!/usr/bin/env bash
# Compiles the one `demo` binary: scripts/build.sh [x64|arm64]...  (default: both)
# -> dist/demo-linux-<arch>. x64 uses the baseline target (no AVX2 needed); arm64 is
# cross-compiled. Not plain --minify: renamed identifiers break Elysia's handler analysis.
# The binary never reads .env or bunfig.toml from its working directory: config is env only.
# DEMO_NO_TRACING=1 builds dist/demo-linux-<arch>-no-tracing instead, without the OpenTelemetry
# SDK (src/lib/command.ts): the reference scripts/bench/traces.ts measures tracing's cost against.
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$REPO_ROOT"
export PATH="$PWD/node_modules/.bin:$PATH"
need bun "run npm ci first"
mkdir -p dist

define=() suffix=""
if [[ ${DEMO_NO_TRACING:-} == 1 ]]; then define=(--define DEMO_NO_TRACING=true); suffix=-no-tracing; fi
arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(x64 arm64)
for arch in "${arches[@]}"; do
  case "$arch" in
    x64) target=bun-linux-x64-baseline ;;
    arm64) target=bun-linux-arm64 ;;
    *) die "unknown arch '$arch' (expected x64 or arm64)" ;;
  esac
  # Run from dist/: Bun 1.4.5 unpacks a target it has not cached yet (into ~/.bun/install/cache)
  # through a temporary directory in its working directory, with no fallback, and the checkout
  # may be read-only to the builder (the test run's non-root user: scripts/ci/as-runner-user.sh).
  (cd dist && bun build --compile --splitting --bytecode --format=esm --minify-whitespace --minify-syntax \
    --no-compile-autoload-dotenv --no-compile-autoload-bunfig "${define[@]}" \
    --target="$target" ../src/main.ts --outfile "demo-linux-$arch$suffix") || die "bun build --target=$target failed"
done
