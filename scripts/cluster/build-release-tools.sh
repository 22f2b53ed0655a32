#!/usr/bin/env bash
# Builds, once, what the release rehearsal runs: buildkitd + buildctl (moby/buildkit) and the
# CNCF distribution registry, pinned in lib.sh, into $RELEASE_TOOLS_BIN (cached like Kubernetes).
# Both modules carry exclude/replace directives that `go install mod@version` refuses, so each
# is built as the main module from its own source in the module cache.
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ -f $RELEASE_TOOLS_BIN/.complete ]]; then
  log "buildkit $BUILDKIT_VERSION, registry $REGISTRY_VERSION: cached in $RELEASE_TOOLS_BIN"
  exit 0
fi
tmp_bin="$RELEASE_TOOLS_BIN.tmp"
rm -rf "$tmp_bin"; mkdir -p "$tmp_bin"
build_module() { build_go_module "$1" "$tmp_bin" "$CACHE_ROOT/build-release-tools.log" "${@:2}"; }
mkdir -p "$CACHE_ROOT"
build_module "github.com/moby/buildkit@$BUILDKIT_VERSION" \
  "-X github.com/moby/buildkit/version.Version=$BUILDKIT_VERSION" ./cmd/buildkitd ./cmd/buildctl
build_module "github.com/distribution/distribution/v3@$REGISTRY_VERSION" \
  "-X github.com/distribution/distribution/v3/version.version=$REGISTRY_VERSION" ./cmd/registry
touch "$tmp_bin/.complete"
rm -rf "$RELEASE_TOOLS_BIN"; mv "$tmp_bin" "$RELEASE_TOOLS_BIN"
log "buildkit $BUILDKIT_VERSION, registry $REGISTRY_VERSION: built into $RELEASE_TOOLS_BIN"
