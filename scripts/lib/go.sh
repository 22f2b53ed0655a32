# shellcheck shell=bash
# Go modules from the module proxy, built from their own source: what scripts/tools.sh (the
# chart tools) and scripts/cluster/lib.sh (Kubernetes, BuildKit, the registry, kube-router)
# share. Source it after common.sh:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/go.sh"
#
#   go_mod_dir MODULE@VERSION   the module's source in the module cache (downloaded if needed)
#   go_mod_file MODULE@VERSION  its go.mod, from the module cache (only the .mod is fetched)
#   build_go_module MODULE@VERSION OUT_DIR LOG LDFLAGS PACKAGE...
#                               go build PACKAGEs (niced, -trimpath, static) into OUT_DIR, inside
#                               a copy of the module's own source, as the main module: so its
#                               replace and exclude directives apply, which `go install
#                               MODULE/cmd@VERSION` refuses. The build's output goes to LOG (its
#                               tail is shown on failure). DEMO_CLUSTER_GO_P sets `go build -p`.
#   gentle CMD...               CMD at low CPU and I/O priority (the machine is shared)
#
# GO is the go binary (default: go on PATH, else /usr/local/go/bin/go). Module queries run
# outside any module (in /tmp) with GOFLAGS=-mod=mod GOWORK=off, so the caller's directory and
# environment do not change what is resolved.
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"

gentle() { nice -n 15 ionice -c 3 "$@"; }

go_query() { (cd /tmp && GOFLAGS=-mod=mod GOWORK=off "$GO" "$@"); }

go_mod_dir() {
  local dir
  go_query mod download "$1" || die "go mod download $1 failed"
  dir=$(go_query list -m -f '{{.Dir}}' "$1") || die "go list -m $1 failed"
  [[ -d $dir ]] || die "go mod download $1: no source directory"
  echo "$dir"
}

go_mod_file() {
  local file
  file=$(go_query list -m -f '{{.GoMod}}' "$1") || die "go list -m $1 failed"
  [[ -f $file ]] || die "go list -m $1: no go.mod"
  echo "$file"
}

build_go_module() {
  local modver=$1 out=$2 build_log=$3 ldflags=$4; shift 4
  local dir src
  dir=$(go_mod_dir "$modver")
  src=$(mktemp -d); cp -r "$dir/." "$src/"; chmod -R u+w "$src"
  say "building ${*##*/} from $modver"
  mkdir -p "$out" "$(dirname "$build_log")"
  (cd "$src" && GOFLAGS=-mod=mod GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0 \
    gentle "$GO" build -p "${DEMO_CLUSTER_GO_P:-2}" -trimpath -ldflags "-s -w $ldflags" -o "$out/" "$@") \
    >>"$build_log" 2>&1 ||
    { tail -30 "$build_log" >&2; rm -rf "$src"; die "building $modver failed (log: $build_log)"; }
  rm -rf "$src"
}
