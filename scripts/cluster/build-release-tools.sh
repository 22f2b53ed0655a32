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
export GOFLAGS=-mod=mod GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0
GO_P="${DEMO_CLUSTER_GO_P:-2}"
tmp_bin="$RELEASE_TOOLS_BIN.tmp"
rm -rf "$tmp_bin"; mkdir -p "$tmp_bin"

# build_module MODULE@VERSION LDFLAGS PACKAGE...: go build PACKAGEs inside the module's source.
build_module() {
  local modver=$1 ldflags=$2; shift 2
  local dir src
  dir=$(cd /tmp && "$GO" mod download -json "$modver" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("Dir") or sys.exit(d.get("Error")))') ||
    die "go mod download $modver failed"
  src=$(mktemp -d); cp -r "$dir/." "$src/"; chmod -R u+w "$src"
  log "building ${*##*/} from $modver"
  (cd "$src" && gentle "$GO" build -p "$GO_P" -trimpath -ldflags "-s -w $ldflags" -o "$tmp_bin/" "$@") \
    >>"$CACHE_ROOT/build-release-tools.log" 2>&1 ||
    { tail -30 "$CACHE_ROOT/build-release-tools.log" >&2; rm -rf "$src"; die "building $modver failed (log: $CACHE_ROOT/build-release-tools.log)"; }
  rm -rf "$src"
}
mkdir -p "$CACHE_ROOT"
build_module "github.com/moby/buildkit@$BUILDKIT_VERSION" \
  "-X github.com/moby/buildkit/version.Version=$BUILDKIT_VERSION" ./cmd/buildkitd ./cmd/buildctl
build_module "github.com/distribution/distribution/v3@$REGISTRY_VERSION" \
  "-X github.com/distribution/distribution/v3/version.version=$REGISTRY_VERSION" ./cmd/registry
touch "$tmp_bin/.complete"
rm -rf "$RELEASE_TOOLS_BIN"; mv "$tmp_bin" "$RELEASE_TOOLS_BIN"
log "buildkit $BUILDKIT_VERSION, registry $REGISTRY_VERSION: built into $RELEASE_TOOLS_BIN"
