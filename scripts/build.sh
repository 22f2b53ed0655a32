#!/usr/bin/env bash
# Compiles the one `demo` binary: scripts/build.sh [x64|arm64]...  (default: both)
# -> dist/demo-linux-<arch>. x64 uses the baseline target (no AVX2 needed); arm64 is
# cross-compiled. Not plain --minify: renamed identifiers break Elysia's handler analysis.
# The binary never reads .env or bunfig.toml from its working directory: config is env only.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
command -v bun >/dev/null || { echo "build.sh: bun not found; run npm ci first" >&2; exit 1; }

arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(x64 arm64)
for arch in "${arches[@]}"; do
  case "$arch" in
    x64) target=bun-linux-x64-baseline ;;
    arm64) target=bun-linux-arm64 ;;
    *) echo "build.sh: unknown arch '$arch' (expected x64 or arm64)" >&2; exit 2 ;;
  esac
  bun build --compile --splitting --bytecode --format=esm --minify-whitespace --minify-syntax \
    --no-compile-autoload-dotenv --no-compile-autoload-bunfig \
    --target="$target" src/main.ts --outfile "dist/demo-linux-$arch"
done
