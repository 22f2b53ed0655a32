#!/usr/bin/env bash
# Installs the pinned tools this project needs, and nothing twice.
#
#   scripts/tools.sh              install everything (apt packages + chart tools)
#   scripts/tools.sh apt          only the Debian packages in APT_PACKAGES
#   scripts/tools.sh chart        only the chart tools (helm, ct, helm-unittest, ...)
#   eval "$(scripts/tools.sh env)" put the installed tools on PATH in this shell
#
# Idempotent: a tool already present at its pinned version is skipped; the
# Kubernetes JSON schemas are generated once and cached. Any failure stops the
# run with a message naming the step (no silent skips).
#
# Everything lands in $DEMO_TOOLS_DIR (default ~/.cache/demo-tools):
#   bin/            helm, ct, kubeconform, kube-score, helm-unittest, actionlint, yq, readme-generator,
#                   and links to yamllint, yamale, openapi2jsonschema
#   venv/           a Python venv holding yamllint + yamale (for ct) and openapi2jsonschema
#   etc/ct/         ct's chart_schema.yaml and lintconf.yaml (CT_CONFIG_DIR)
#   helm-plugins/   helm-unittest installed as the helm plugin `unittest` (HELM_PLUGINS)
#   k8s-schemas/    JSON schemas for kubeconform, generated offline from the
#                   Kubernetes OpenAPI spec of the k8s.io/kubernetes Go module
#   npm/            @bitnami/readme-generator-for-helm
set -euo pipefail

# --- Debian packages the project needs (extend this list; installed with apt) --
APT_PACKAGES=(
  mariadb-server
  redis-server
  wrk
  nginx-light
  chromium        # the heartbeat dashboard test (driven by playwright-core)
  strace          # proves the heartbeat client starts no process
)

# --- pinned versions ----------------------------------------------------------
HELM_VERSION=v4.3.1                 # helm.sh/helm/v4
CT_VERSION=v3.14.0                  # github.com/helm/chart-testing/v3
HELM_UNITTEST_VERSION=v1.1.2        # github.com/helm-unittest/helm-unittest
KUBECONFORM_VERSION=v0.8.0          # github.com/yannh/kubeconform
KUBE_SCORE_VERSION=v1.20.0          # github.com/zegl/kube-score
K8S_SCHEMA_VERSION=v1.34.4          # k8s.io/kubernetes: source of the OpenAPI spec
YAMLLINT_VERSION=1.38.0             # PyPI, used by ct lint
YAMALE_VERSION=6.1.0                # PyPI, used by ct lint
PYYAML_VERSION=6.0.3
OPENAPI2JSONSCHEMA_VERSION=0.9.1    # PyPI (instrumenta): OpenAPI -> JSON schema
README_GENERATOR_VERSION=2.7.2      # npm @bitnami/readme-generator-for-helm
ACTIONLINT_VERSION=v1.7.12          # github.com/rhysd/actionlint (the GitHub workflows)
YQ_VERSION=v4.54.3                  # github.com/mikefarah/yq/v4 (the release script edits Chart.yaml with it)

DEMO_TOOLS_DIR="${DEMO_TOOLS_DIR:-$HOME/.cache/demo-tools}"
BIN="$DEMO_TOOLS_DIR/bin"
VENV="$DEMO_TOOLS_DIR/venv"
SCHEMA_DIR="$DEMO_TOOLS_DIR/k8s-schemas"

die() { echo "tools.sh: ERROR: $*" >&2; exit 1; }
say() { echo "tools.sh: $*"; }

print_env() {
  cat <<EOF
export DEMO_TOOLS_DIR="$DEMO_TOOLS_DIR"
export PATH="$BIN:\$PATH"
export HELM_PLUGINS="$DEMO_TOOLS_DIR/helm-plugins"
export CT_CONFIG_DIR="$DEMO_TOOLS_DIR/etc/ct"
export DEMO_K8S_SCHEMA_DIR="$SCHEMA_DIR"
export DEMO_K8S_VERSION="${K8S_SCHEMA_VERSION#v}"
EOF
}

need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is required for this step but not found ($2)"; }

# Version of the main module a Go binary was built from ("" if none/unknown).
go_bin_version() {
  [ -x "$1" ] || return 0
  go version -m "$1" 2>/dev/null | awk '$1 == "mod" { print $3; exit }'
}

# go_tool NAME MODULE PACKAGE VERSION [LDFLAGS]: go install PACKAGE@VERSION into $BIN as NAME.
go_tool() {
  local name=$1 module=$2 pkg=$3 version=$4 ldflags=${5:-}
  local have
  have=$(go_bin_version "$BIN/$name")
  if [ "$have" = "$version" ]; then
    say "$name $version: present"
    return 0
  fi
  say "$name $version: installing (go install $pkg@$version)"
  # `go install pkg@version` also asks the proxy for the module's version list
  # (to report deprecations); the module proxy reachable here refuses that list
  # for some modules (403). Download the pinned module first and put the local
  # module cache in front of the proxy, so the list comes from the cache.
  go mod download "$module@$version" || die "go mod download $module@$version failed"
  local proxy
  proxy="file://$(go env GOMODCACHE)/cache/download,$(go env GOPROXY)"
  local tmp
  tmp=$(mktemp -d)
  GOPROXY="$proxy" GOBIN="$tmp" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w $ldflags" "$pkg@$version" \
    || die "go install $pkg@$version failed"
  local built
  built=$(find "$tmp" -maxdepth 1 -type f | head -n1)
  [ -n "$built" ] || die "go install $pkg@$version produced no binary"
  mv -f "$built" "$BIN/$name"
  rmdir "$tmp"
  [ "$(go_bin_version "$BIN/$name")" = "$version" ] || die "$name: installed binary is not $version"
}

# Directory of a Go module's source in the module cache (downloads it if needed).
go_mod_dir() {
  local dir
  dir=$(go mod download -json "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("Dir","")) if not d.get("Error") else sys.exit("go mod download: "+d["Error"])') \
    || die "go mod download $1 failed"
  [ -d "$dir" ] || die "go mod download $1: no source directory"
  echo "$dir"
}

install_apt() {
  [ "${#APT_PACKAGES[@]}" -gt 0 ] || return 0
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    say "apt packages: present (${APT_PACKAGES[*]})"
    return 0
  fi
  need apt-get "Debian/Ubuntu only"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    need sudo "run as root or install sudo"
    sudo=(sudo)
  fi
  say "apt packages: installing ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq || die "apt-get update failed"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || die "apt-get install ${missing[*]} failed"
}

install_python_tools() {
  need python3 "install python3 (3.9+) and python3-venv"
  if [ ! -x "$VENV/bin/python" ]; then
    say "python venv: creating $VENV"
    python3 -m venv "$VENV" || die "python3 -m venv failed (apt-get install python3-venv?)"
  fi
  local want="yamllint==$YAMLLINT_VERSION yamale==$YAMALE_VERSION PyYAML==$PYYAML_VERSION openapi2jsonschema==$OPENAPI2JSONSCHEMA_VERSION"
  local have
  have=$("$VENV/bin/python" -m pip freeze 2>/dev/null | tr '\n' ' ')
  local ok=1 req
  for req in $want; do
    case " $have " in *" $req "*) ;; *) ok=0 ;; esac
  done
  if [ $ok = 1 ]; then
    say "yamllint $YAMLLINT_VERSION, yamale $YAMALE_VERSION, openapi2jsonschema $OPENAPI2JSONSCHEMA_VERSION: present"
    return 0
  fi
  say "python tools: installing yamllint $YAMLLINT_VERSION, yamale $YAMALE_VERSION, openapi2jsonschema $OPENAPI2JSONSCHEMA_VERSION"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check \
    "yamllint==$YAMLLINT_VERSION" "yamale==$YAMALE_VERSION" "PyYAML==$PYYAML_VERSION" \
    || die "pip install yamllint/yamale failed"
  # openapi2jsonschema 0.9.1 pins PyYAML<6 (no wheels for current Pythons) and
  # click<8; install it without its pins and give it compatible libraries.
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check \
    "click==7.1.2" "colorama==0.4.6" "jsonref==0.2" \
    || die "pip install openapi2jsonschema's dependencies failed"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps \
    "openapi2jsonschema==$OPENAPI2JSONSCHEMA_VERSION" \
    || die "pip install openapi2jsonschema failed"
}

# Only the tools go on PATH (through $BIN), not the venv's python and pip.
link_python_tools() {
  local t
  for t in yamllint yamale openapi2jsonschema; do
    [ -x "$VENV/bin/$t" ] || die "$t is missing from $VENV"
    ln -sfn "$VENV/bin/$t" "$BIN/$t"
  done
}

install_ct_config() {
  local dir
  dir=$(go_mod_dir "github.com/helm/chart-testing/v3@$CT_VERSION")
  mkdir -p "$DEMO_TOOLS_DIR/etc/ct"
  install -m 0644 "$dir/etc/chart_schema.yaml" "$dir/etc/lintconf.yaml" "$DEMO_TOOLS_DIR/etc/ct/"
}

# helm-unittest's go.mod has a replace directive, which `go install pkg@version`
# refuses: build it as the main module from its source in the module cache.
build_helm_unittest() {
  local stamp="$BIN/.helm-unittest.version"
  if [ -x "$BIN/helm-unittest" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$HELM_UNITTEST_VERSION" ]; then
    say "helm-unittest $HELM_UNITTEST_VERSION: present"
    return 0
  fi
  say "helm-unittest $HELM_UNITTEST_VERSION: building from the module source"
  local src tmp
  src=$(go_mod_dir "github.com/helm-unittest/helm-unittest@$HELM_UNITTEST_VERSION")
  tmp=$(mktemp -d)
  cp -r "$src/." "$tmp/"
  chmod -R u+w "$tmp"
  (cd "$tmp" && CGO_ENABLED=0 go build -trimpath -o "$BIN/helm-unittest" \
      -ldflags "-s -w -X github.com/helm-unittest/helm-unittest/internal/build.version=${HELM_UNITTEST_VERSION#v}" \
      ./cmd/helm-unittest) || die "building helm-unittest $HELM_UNITTEST_VERSION failed"
  rm -rf "$tmp"
  echo "$HELM_UNITTEST_VERSION" >"$stamp"
}

install_helm_unittest() {
  build_helm_unittest
  export HELM_PLUGINS="$DEMO_TOOLS_DIR/helm-plugins"
  local installed
  installed=$("$BIN/helm" plugin list 2>/dev/null | awk '$1 == "unittest" { print $2 }')
  if [ "$installed" = "${HELM_UNITTEST_VERSION#v}" ] && cmp -s "$BIN/helm-unittest" "$HELM_PLUGINS/unittest/untt"; then
    say "helm plugin unittest ${HELM_UNITTEST_VERSION#v}: present"
    return 0
  fi
  say "helm plugin unittest ${HELM_UNITTEST_VERSION#v}: installing into $HELM_PLUGINS/unittest"
  # The upstream plugin.yaml downloads a release binary in an install hook; here
  # the plugin is the binary built above plus a plugin.yaml without hooks, put
  # in helm's plugin directory (HELM_PLUGINS). (`helm plugin install <dir>` of
  # helm v4 would only link the directory into ~/.local/share/helm/plugins,
  # ignoring HELM_PLUGINS.)
  local dir="$HELM_PLUGINS/unittest"
  rm -rf "$dir"
  mkdir -p "$dir"
  cp "$BIN/helm-unittest" "$dir/untt"
  cat >"$dir/plugin.yaml" <<EOF
name: "unittest"
version: "${HELM_UNITTEST_VERSION#v}"
usage: "unittest for helm charts"
description: "Unit test for helm chart in YAML (helm-unittest $HELM_UNITTEST_VERSION, built from source)."
ignoreFlags: false
platformCommand:
  - command: "\$HELM_PLUGIN_DIR/untt"
EOF
  "$BIN/helm" plugin list | awk -v v="${HELM_UNITTEST_VERSION#v}" '$1 == "unittest" && $2 == v { found = 1 } END { exit !found }' \
    || die "helm does not list the plugin unittest ${HELM_UNITTEST_VERSION#v}"
  "$BIN/helm" unittest --help >/dev/null || die "helm unittest does not run"
}

# JSON schemas for kubeconform, generated from the Kubernetes OpenAPI (swagger)
# spec shipped in the k8s.io/kubernetes module (api/openapi-spec/swagger.json),
# laid out as kubeconform expects: <version>-standalone-strict/<kind>-<group>-<version>.json
install_k8s_schemas() {
  local out="$SCHEMA_DIR/$K8S_SCHEMA_VERSION-standalone-strict"
  if [ -f "$out/.complete" ] && [ -f "$out/deployment-apps-v1.json" ]; then
    say "kubernetes $K8S_SCHEMA_VERSION JSON schemas: present (cached in $out)"
    return 0
  fi
  say "kubernetes $K8S_SCHEMA_VERSION JSON schemas: generating offline (takes a few minutes, once)"
  local dir spec
  dir=$(go_mod_dir "k8s.io/kubernetes@$K8S_SCHEMA_VERSION")
  spec="$dir/api/openapi-spec/swagger.json"
  [ -f "$spec" ] || die "no $spec in the k8s.io/kubernetes module"
  local tmp
  tmp=$(mktemp -d "$SCHEMA_DIR.tmp.XXXXXX")
  # openapi2jsonschema resolves $refs relative to the current directory.
  (cd "$tmp" && "$VENV/bin/openapi2jsonschema" -o "$K8S_SCHEMA_VERSION-standalone-strict" \
      --expanded --kubernetes --stand-alone --strict "$spec" >gen.log 2>&1) \
    || { tail -20 "$tmp/gen.log" >&2; die "openapi2jsonschema failed"; }
  local f
  for f in deployment-apps-v1 daemonset-apps-v1 service-v1 secret-v1 pod-v1 networkpolicy-networking-v1 \
           configmap-v1 serviceaccount-v1; do
    [ -s "$tmp/$K8S_SCHEMA_VERSION-standalone-strict/$f.json" ] || die "schema $f.json was not generated"
  done
  touch "$tmp/$K8S_SCHEMA_VERSION-standalone-strict/.complete"
  mkdir -p "$SCHEMA_DIR"
  rm -rf "$out"
  mv "$tmp/$K8S_SCHEMA_VERSION-standalone-strict" "$out"
  rm -rf "$tmp"
}

install_readme_generator() {
  local pkg="@bitnami/readme-generator-for-helm" prefix="$DEMO_TOOLS_DIR/npm"
  local have=""
  [ -f "$prefix/node_modules/$pkg/package.json" ] \
    && have=$(node -p "require('$prefix/node_modules/$pkg/package.json').version" 2>/dev/null || true)
  if [ "$have" != "$README_GENERATOR_VERSION" ]; then
    need npm "install Node.js 18+ and npm"
    say "readme-generator-for-helm $README_GENERATOR_VERSION: installing (npm)"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error \
      "$pkg@$README_GENERATOR_VERSION" >/dev/null || die "npm install $pkg@$README_GENERATOR_VERSION failed"
  else
    say "readme-generator-for-helm $README_GENERATOR_VERSION: present"
  fi
  ln -sfn "$prefix/node_modules/.bin/readme-generator" "$BIN/readme-generator"
}

install_chart_tools() {
  need go "install Go 1.24+ (https://go.dev/dl) — the chart tools are built with 'go install'"
  mkdir -p "$BIN"
  go_tool helm helm.sh/helm/v4 helm.sh/helm/v4/cmd/helm "$HELM_VERSION" \
    "-X helm.sh/helm/v4/internal/version.version=$HELM_VERSION"
  go_tool ct github.com/helm/chart-testing/v3 github.com/helm/chart-testing/v3/ct "$CT_VERSION" \
    "-X github.com/helm/chart-testing/v3/ct/cmd.Version=$CT_VERSION"
  install_ct_config
  go_tool kubeconform github.com/yannh/kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION" \
    "-X main.version=$KUBECONFORM_VERSION"
  go_tool kube-score github.com/zegl/kube-score github.com/zegl/kube-score/cmd/kube-score "$KUBE_SCORE_VERSION" \
    "-X main.version=${KUBE_SCORE_VERSION#v}"
  go_tool actionlint github.com/rhysd/actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION" \
    "-X github.com/rhysd/actionlint.version=$ACTIONLINT_VERSION"
  go_tool yq github.com/mikefarah/yq/v4 github.com/mikefarah/yq/v4 "$YQ_VERSION"
  install_helm_unittest
  install_python_tools
  link_python_tools
  install_k8s_schemas
  install_readme_generator
}

main() {
  local what=${1:-all}
  case "$what" in
    env) print_env; return 0 ;;
    apt) install_apt ;;
    chart) install_chart_tools ;;
    all) install_apt; install_chart_tools ;;
    -h|--help) sed -n '2,20p' "$0"; return 0 ;;
    *) die "unknown argument '$what' (use: all | apt | chart | env)" ;;
  esac
  say "done. To use the tools in your shell:  eval \"\$(scripts/tools.sh env)\""
}

main "$@"
