#!/usr/bin/env bash
# Every check of the Helm charts under charts/, with the pinned tools from
# scripts/tools.sh, offline:
#
#   1. versions     every chart's appVersion equals the umbrella's (one image tag), and
#                   every subchart's version matches the umbrella's dependency entry
#   2. helm lint    the umbrella with each ci/*-values.yaml (--strict)
#   3. ct lint      chart-testing: Chart.yaml schema, yamllint, helm lint per ci values
#   4. deps guard   with the Bitnami charts not built, rendering the defaults fails
#                   with the `helm dependency build` message (rendered for real if built)
#   5. schema       a typo in values fails (values.schema.json is strict)
#   6. kubeconform  every ci values file rendered and validated -strict against the
#                   Kubernetes JSON schemas (generated offline by tools.sh)
#   7. kube-score   zero findings on every rendered manifest
#   8. unittest     helm-unittest suites (charts/demo/tests, charts/demo/charts/*/tests)
#   9. readme       every chart README's parameters table is current with values.yaml
#  10. package      `helm package` works, leaves the unit tests out, and the package renders
#
# Usage: scripts/chart-check.sh            run everything
#        scripts/chart-check.sh --fix-readme  regenerate the README tables first
# Exits non-zero on any finding or missing tool; prints a summary either way.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
CHART=charts/demo
RELEASE=demo
NAMESPACE=demo
# shellcheck disable=SC2016
SCHEMA_LOCATION_SUFFIX='{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json'

# kube-score checks that do not apply to this product (all others must pass):
KUBE_SCORE_IGNORES=(
  # The chart's contract is image.pullPolicy=IfNotPresent: images are immutable
  # version tags, and minikube/kind clusters run images loaded locally, which
  # "Always" would try (and fail) to pull again.
  container-image-pull-policy
  # NodePort is the required exposure of the users API (and an option for echo
  # and heartbeat) on minikube, the product's reference cluster.
  service-type
)
KUBE_SCORE_OPTIONAL=(container-seccomp-profile container-ports-check)

if [ -t 1 ]; then RED=$'\e[31m'; GREEN=$'\e[32m'; BOLD=$'\e[1m'; RESET=$'\e[0m'; else RED=; GREEN=; BOLD=; RESET=; fi
die() { echo "${RED}chart-check: ERROR: $*${RESET}" >&2; exit 1; }

# --- tools --------------------------------------------------------------------
[ -x scripts/tools.sh ] || die "scripts/tools.sh not found"
eval "$(scripts/tools.sh env)"
for tool in helm ct kubeconform kube-score yamllint yamale readme-generator; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is not installed: run scripts/tools.sh chart"
done
helm plugin list 2>/dev/null | awk '$1 == "unittest" { found = 1 } END { exit !found }' \
  || die "the helm plugin 'unittest' is not installed: run scripts/tools.sh chart"
SCHEMA_ROOT="$DEMO_K8S_SCHEMA_DIR"
[ -f "$SCHEMA_ROOT/v$DEMO_K8S_VERSION-standalone-strict/deployment-apps-v1.json" ] \
  || die "no Kubernetes $DEMO_K8S_VERSION JSON schemas in $SCHEMA_ROOT: run scripts/tools.sh chart"

if [ "${1:-}" = "--fix-readme" ]; then
  for dir in "$CHART" "$CHART"/charts/*/; do
    dir=${dir%/}
    readme-generator --values "$dir/values.yaml" --readme "$dir/README.md" >/dev/null || die "readme-generator failed for $dir"
    echo "chart-check: regenerated $dir/README.md"
  done
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mapfile -t CI_VALUES < <(ls "$CHART"/ci/*-values.yaml 2>/dev/null)
[ "${#CI_VALUES[@]}" -gt 0 ] || die "no $CHART/ci/*-values.yaml"

PASSED=() FAILED=()
step() { # step NAME DETAIL COMMAND...: runs a check, records and prints its result
  local name=$1 detail=$2
  shift 2
  echo
  echo "${BOLD}== $name: $detail${RESET}"
  if "$@"; then
    PASSED+=("$name")
    echo "${GREEN}-- $name: passed${RESET}"
  else
    FAILED+=("$name")
    echo "${RED}-- $name: FAILED${RESET}"
  fi
}

render() { # render VALUES_FILE OUT: helm template with the cluster version the schemas are for
  helm template "$RELEASE" "$CHART" --namespace "$NAMESPACE" --kube-version "$DEMO_K8S_VERSION" -f "$1" >"$2"
}

check_versions() {
  local want ok=0 f v
  want=$(awk '/^appVersion:/ { gsub(/"/, "", $2); print $2 }' "$CHART/Chart.yaml")
  for f in "$CHART"/charts/*/Chart.yaml; do
    v=$(awk '/^appVersion:/ { gsub(/"/, "", $2); print $2 }' "$f")
    if [ "$v" != "$want" ]; then
      echo "$f: appVersion $v, umbrella has $want (the image tag defaults to it)"
      ok=1
    fi
  done
  [ $ok = 0 ] && echo "all charts at appVersion $want"
  # helm does not compare an in-tree subchart's version with the umbrella's
  # dependency entry; `helm dependency list` does.
  local deps
  deps=$(helm dependency list "$CHART") || return 1
  if awk 'NR > 1 && NF && $NF != "unpacked" { bad = 1 } END { exit !bad }' <<<"$deps"; then
    echo "$deps"
    echo "a subchart under $CHART/charts does not match its entry in $CHART/Chart.yaml"
    ok=1
  else
    echo "every subchart matches its dependency entry in $CHART/Chart.yaml"
  fi
  return $ok
}

check_helm_lint() {
  local f ok=0
  for f in "${CI_VALUES[@]}"; do
    echo "-- helm lint --strict -f $f"
    helm lint --strict "$CHART" --namespace "$NAMESPACE" --kube-version "$DEMO_K8S_VERSION" -f "$f" || ok=1
  done
  return $ok
}

check_ct_lint() {
  # --skip-helm-dependencies: the subcharts are in-tree, and the Bitnami charts of
  # the users subchart cannot be fetched here (the ci values turn them off).
  ct lint --charts "$CHART" \
    --validate-maintainers=false \
    --check-version-increment=false \
    --skip-helm-dependencies \
    --chart-yaml-schema "$CT_CONFIG_DIR/chart_schema.yaml" \
    --lint-conf "$CT_CONFIG_DIR/lintconf.yaml" || return 1
  # ct validates the umbrella's Chart.yaml and values.yaml; hold the subcharts
  # and the test suites to the same rules.
  local ok=0 f
  for f in "$CHART"/charts/*/Chart.yaml; do
    yamale -s "$CT_CONFIG_DIR/chart_schema.yaml" "$f" >/dev/null || { echo "$f does not match ct's chart schema"; ok=1; }
  done
  yamllint -c "$CT_CONFIG_DIR/lintconf.yaml" \
    "$CHART"/charts/*/Chart.yaml "$CHART"/charts/*/values.yaml "$CHART"/ci/*.yaml \
    "$CHART"/tests/*_test.yaml "$CHART"/charts/*/tests/*_test.yaml || ok=1
  [ $ok = 0 ] && echo "subchart Chart.yaml/values.yaml, ci values and test suites: yamale and yamllint clean"
  return $ok
}

bitnami_built() {
  compgen -G "$CHART/charts/users/charts/mysql-*.tgz" >/dev/null && compgen -G "$CHART/charts/users/charts/redis-*.tgz" >/dev/null
}

check_dependency_guard() {
  if bitnami_built; then
    echo "Bitnami charts are built: rendering the chart defaults for real"
    render /dev/null "$WORK/defaults.yaml" || return 1
    local svc
    for svc in "$RELEASE-mysql" "$RELEASE-redis-master"; do
      grep -q "^  name: $svc$" "$WORK/defaults.yaml" || { echo "no Service $svc rendered, but the users API is wired to it"; return 1; }
    done
    echo "the API's MYSQL_HOST/REDIS_HOST Services ($RELEASE-mysql, $RELEASE-redis-master) are rendered by the Bitnami charts"
    return 0
  fi
  echo "Bitnami charts not built: rendering the chart defaults must fail and say how to fix it"
  local out
  if out=$(helm template "$RELEASE" "$CHART" --namespace "$NAMESPACE" 2>&1); then
    echo "rendering succeeded without the Bitnami charts: the users system would be installed half"
    return 1
  fi
  echo "$out" | tail -n 3
  grep -q 'helm dependency build charts/demo/charts/users' <<<"$out" || { echo "the error does not say 'helm dependency build charts/demo/charts/users'"; return 1; }
}

check_schema_rejects_typos() {
  local ok=0 args
  for args in "echo.server.replicas=3" "heartbeat.client.kind=StatefulSet" "users.api.replicaCont=1" "global.image.tagg=1" "echoo.enabled=true"; do
    if helm template "$RELEASE" "$CHART" -f "$CHART/ci/default-values.yaml" --set "$args" >/dev/null 2>"$WORK/err"; then
      echo "--set $args was accepted"
      ok=1
    else
      echo "--set $args rejected: $(grep -o 'at .*' "$WORK/err" | head -n1 | cut -c1-120)"
    fi
  done
  return $ok
}

check_kubeconform() {
  local f base ok=0
  for f in "${CI_VALUES[@]}"; do
    base=$(basename "$f" .yaml)
    render "$f" "$WORK/$base.yaml" || { echo "helm template -f $f failed"; ok=1; continue; }
    echo "-- $f"
    kubeconform -strict -summary -output text \
      -kubernetes-version "$DEMO_K8S_VERSION" \
      -schema-location "$SCHEMA_ROOT/$SCHEMA_LOCATION_SUFFIX" \
      "$WORK/$base.yaml" || ok=1
  done
  return $ok
}

check_kube_score() {
  local f base ok=0 out args=()
  for t in "${KUBE_SCORE_IGNORES[@]}"; do args+=(--ignore-test "$t"); done
  for t in "${KUBE_SCORE_OPTIONAL[@]}"; do args+=(--enable-optional-test "$t"); done
  for f in "${CI_VALUES[@]}"; do
    base=$(basename "$f" .yaml)
    [ -s "$WORK/$base.yaml" ] || render "$f" "$WORK/$base.yaml" || { ok=1; continue; }
    if out=$(kube-score score --output-format ci --exit-one-on-warning \
               --kubernetes-version "v${DEMO_K8S_VERSION%.*}" "${args[@]}" "$WORK/$base.yaml" 2>&1); then
      echo "$f: no findings ($(grep -c '^\[OK\]' <<<"$out") checks OK)"
    else
      echo "$f: findings:"
      grep -v '^\[OK\]\|^\[SKIPPED\]' <<<"$out"
      ok=1
    fi
  done
  return $ok
}

check_unittest() {
  helm unittest --with-subchart --strict "$CHART"
}

check_readmes() {
  local dir ok=0
  for dir in "$CHART" "$CHART"/charts/*/; do
    dir=${dir%/}
    [ -f "$dir/README.md" ] || { echo "$dir/README.md is missing"; ok=1; continue; }
    mkdir -p "$WORK/readme/$dir"
    cp "$dir/README.md" "$WORK/readme/$dir/README.md"
    readme-generator --values "$dir/values.yaml" --readme "$WORK/readme/$dir/README.md" >"$WORK/readme.log" 2>&1 \
      || { cat "$WORK/readme.log"; echo "readme-generator failed for $dir"; ok=1; continue; }
    if diff -u "$dir/README.md" "$WORK/readme/$dir/README.md"; then
      echo "$dir/README.md: current"
    else
      echo "$dir/README.md is out of date with $dir/values.yaml: run scripts/chart-check.sh --fix-readme"
      ok=1
    fi
  done
  return $ok
}

check_package() {
  helm package "$CHART" -d "$WORK/package" >/dev/null || return 1
  local tgz
  tgz=$(ls "$WORK"/package/demo-*.tgz)
  if tar tzf "$tgz" | grep -q '_test\.yaml$'; then
    echo "the package contains helm-unittest suites"; return 1
  fi
  [ "$(tar tzf "$tgz" | grep -c '/templates/tests/test-')" = 3 ] || { echo "the package lacks the helm test pods"; return 1; }
  helm template "$RELEASE" "$tgz" --namespace "$NAMESPACE" -f "$CHART/ci/default-values.yaml" >/dev/null || return 1
  echo "$(basename "$tgz"): $(tar tzf "$tgz" | wc -l) files, renders with ci/default-values.yaml"
}

echo "chart-check: helm $(helm version --template '{{.Version}}'), $(ct version 2>/dev/null | awk '/Version/ {print "ct " $2; exit}'), kubeconform $(kubeconform -v), kube-score $(kube-score version | awk '{print $3}' | tr -d ,), Kubernetes schemas v$DEMO_K8S_VERSION"
step versions "chart versions and appVersions" check_versions
step helm-lint "helm lint --strict with ${#CI_VALUES[@]} ci values files" check_helm_lint
step ct-lint "chart-testing lint" check_ct_lint
step deps-guard "missing Bitnami charts stop the install" check_dependency_guard
step values-schema "typos in values are rejected" check_schema_rejects_typos
step kubeconform "strict validation against Kubernetes v$DEMO_K8S_VERSION schemas" check_kubeconform
step kube-score "best practices and Pod Security, zero findings" check_kube_score
step unittest "helm-unittest suites" check_unittest
step readme "README parameter tables current" check_readmes
step package "helm package" check_package

echo
echo "${BOLD}chart-check summary${RESET}"
for s in "${PASSED[@]}"; do echo "  ${GREEN}PASS${RESET}  $s"; done
for s in "${FAILED[@]}"; do echo "  ${RED}FAIL${RESET}  $s"; done
echo "chart checks: ${#PASSED[@]} passed, ${#FAILED[@]} failed"
[ "${#FAILED[@]}" -eq 0 ]
