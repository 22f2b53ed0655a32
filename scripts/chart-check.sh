#!/usr/bin/env bash
# Every check of the Helm charts under charts/, with the pinned tools from
# scripts/tools.sh, offline. Everything runs twice, once per state of the Bitnami
# mysql and redis charts that charts/demo/charts/users depends on:
#
#   absent   charts/demo/charts/users/charts/ without them, as in a fresh clone
#   present  the packages scripts/stand-ins/bitnami-charts.sh finds (../shared/bitnami or
#            $BITNAMI_CHARTS_DIR, sha256 checked) copied there,
#            as after `helm dependency build charts/demo/charts/users`
#
# That directory is put back as it was afterwards (also on failure or Ctrl-C).
# The checks, in each mode:
#
#   1. versions     every chart's appVersion equals the umbrella's (one image tag), every
#                   subchart's version matches the umbrella's dependency entry, the users
#                   chart's Bitnami dependencies are all "missing" (absent) or "ok" (present),
#                   its Chart.lock digest is right, and the per-pod values demo-lib renders
#                   have the same defaults and schema in every system
#   2. helm lint    the umbrella with each ci/*-values.yaml (--strict); present: the defaults too
#   3. ct lint      chart-testing (ct.yaml): Chart.yaml schema, yamllint, helm lint per ci values;
#                   then the charts changed since main, with ct's version-increment check
#   4. deps guard   absent: rendering the defaults fails with the `helm dependency build`
#                   message; present: they render the Bitnami MySQL and Redis StatefulSets,
#                   and every image they run is listed in Chart.yaml's artifacthub.io/images
#   5. schema       a typo in values fails (values.schema.json is strict); absent: the
#                   bounds of values passed as env vars equal the binary's (env-bounds)
#   6. kubeconform  every rendered manifest, Bitnami's objects included, validated -strict
#                   against the Kubernetes JSON schemas (generated offline by tools.sh)
#   7. kube-score   zero findings on our objects; on the Bitnami charts' objects, only the
#                   findings listed in KUBE_SCORE_BITNAMI_ALLOWED
#   8. unittest     helm-unittest: every chart's tests/*_test.yaml, plus the suites of the
#                   mode, charts/demo/charts/users/tests/bitnami-{absent,present}/
#   9. readme       every chart README's parameters table is current with values.yaml
#  10. package      `helm package` works, leaves the unit tests out, and the package renders
#  11. standalone   each subchart alone (echo, heartbeat; present: users): `helm dependency
#                   build` of demo-lib, helm lint --strict, helm template
#  12. checkov      present: CKV_K8S_43 (image digest) and CKV_K8S_35 (secrets as files) on
#                   the defaults with a test digest: no finding on our objects
#  13. alerts       the heartbeat PrometheusRule's rules, rendered, pass `promtool test rules`
#                   (charts/demo/charts/heartbeat/tests/promtool/alerts_test.yaml)
#
# Nothing is downloaded: ct never runs `helm dependency build` (skip-helm-dependencies in
# ct.yaml), no helm command here updates dependencies (a Chart.lock next to Chart.yaml is
# only read), and HTTP(S) goes to a closed local port so that any attempt fails loudly.
#
# Usage: scripts/chart-check.sh               run everything
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
# Where `helm dependency build charts/demo/charts/users` puts the Bitnami charts.
BITNAMI_DIR=$CHART/charts/users/charts

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
# Findings allowed on the objects of the Bitnami charts only (label helm.sh/chart
# mysql-* or redis-*), as "check-id: summary"; any other finding on them fails, and
# none is allowed on ours:
KUBE_SCORE_BITNAMI_ALLOWED=(
  # Bitnami's images run as uid/gid 1001 (their files are owned by it); kube-score
  # wants ids above 10000.
  "container-security-context-user-group-id: The container is running with a low user ID"
  "container-security-context-user-group-id: The container running with a low group ID"
)

if [ -t 1 ]; then RED=$'\e[31m'; GREEN=$'\e[32m'; BOLD=$'\e[1m'; RESET=$'\e[0m'; else RED=; GREEN=; BOLD=; RESET=; fi
die() { echo "${RED}chart-check: ERROR: $*${RESET}" >&2; exit 1; }

# --- tools --------------------------------------------------------------------
[ -x scripts/tools.sh ] || die "scripts/tools.sh not found"
eval "$(scripts/tools.sh env)"
for tool in helm ct kubeconform kube-score yamllint yamale readme-generator yq checkov promtool; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is not installed: run scripts/tools.sh chart"
done
for tool in python3 sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is required"
done
helm plugin list 2>/dev/null | awk '$1 == "unittest" { found = 1 } END { exit !found }' \
  || die "the helm plugin 'unittest' is not installed: run scripts/tools.sh chart"
SCHEMA_ROOT="$DEMO_K8S_SCHEMA_DIR"
[ -f "$SCHEMA_ROOT/v$DEMO_K8S_VERSION-standalone-strict/deployment-apps-v1.json" ] \
  || die "no Kubernetes $DEMO_K8S_VERSION JSON schemas in $SCHEMA_ROOT: run scripts/tools.sh chart"
[ -f ct.yaml ] || die "ct.yaml not found"
# Offline by construction (see the header).
export HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY=
export http_proxy=$HTTP_PROXY https_proxy=$HTTPS_PROXY no_proxy=

if [ "${1:-}" = "--fix-readme" ]; then
  for dir in "$CHART" "$CHART"/charts/*/; do
    dir=${dir%/}
    readme-generator --values "$dir/values.yaml" --readme "$dir/README.md" >/dev/null || die "readme-generator failed for $dir"
    echo "chart-check: regenerated $dir/README.md"
  done
fi

mapfile -t CI_VALUES < <(ls "$CHART"/ci/*-values.yaml 2>/dev/null)
[ "${#CI_VALUES[@]}" -gt 0 ] || die "no $CHART/ci/*-values.yaml"

# --- the Bitnami charts: save what is there, switch modes, restore -------------
# One run at a time per working tree: two would swap the directory under each other.
if command -v flock >/dev/null 2>&1; then
  exec 9>"${TMPDIR:-/tmp}/chart-check.$(cksum <<<"$ROOT" | cut -d' ' -f1).lock"
  flock -n 9 || { echo "chart-check: waiting for the other chart-check.sh run in $ROOT"; flock 9; }
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
BITNAMI_SAVED=
if [ -e "$BITNAMI_DIR" ]; then
  cp -a "$BITNAMI_DIR" "$WORK/bitnami-saved" || die "could not save $BITNAMI_DIR"
  BITNAMI_SAVED=$WORK/bitnami-saved
fi
restore_bitnami_dir() { # puts $BITNAMI_DIR back as it was before this run
  rm -rf "$BITNAMI_DIR" || return 1
  [ -z "$BITNAMI_SAVED" ] || cp -a "$BITNAMI_SAVED" "$BITNAMI_DIR"
}
cleanup() {
  if restore_bitnami_dir; then
    rm -rf "$WORK"
  else
    echo "${RED}chart-check: could not restore $BITNAMI_DIR: its saved copy is in $BITNAMI_SAVED${RESET}" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

use_bitnami() { # use_bitnami absent|present: puts $BITNAMI_DIR in that state
  rm -rf "$BITNAMI_DIR" || return 1
  if [ "$1" = absent ]; then
    echo "$BITNAMI_DIR/: no Bitnami charts (as in a fresh clone)"
    return 0
  fi
  local from
  from=$(bash scripts/stand-ins/bitnami-charts.sh) || return 1
  mkdir -p "$BITNAMI_DIR" && cp "$from"/*.tgz "$BITNAMI_DIR/" || return 1
  echo "$BITNAMI_DIR/: the Bitnami chart packages of $from (sums checked by bitnami-charts.sh):"
  ls "$BITNAMI_DIR" | sed 's/^/  /'
}

# --- steps --------------------------------------------------------------------
MODE='' OUT='' VALUES=() RESULTS=()
DEFAULTS=$WORK/chart-defaults.yaml # an empty values file: the chart defaults
echo "# no values: the chart defaults" >"$DEFAULTS"

step() { # step NAME DETAIL COMMAND...: runs a check, records and prints its result
  local name=$1 detail=$2
  shift 2
  echo
  echo "${BOLD}== [Bitnami $MODE] $name: $detail${RESET}"
  if "$@"; then
    RESULTS+=("$MODE PASS $name")
    echo "${GREEN}-- [Bitnami $MODE] $name: passed${RESET}"
  else
    RESULTS+=("$MODE FAIL $name")
    echo "${RED}-- [Bitnami $MODE] $name: FAILED${RESET}"
  fi
}

label() { # label VALUES_FILE: how to call it in the output
  if [ "$1" = "$DEFAULTS" ]; then echo "the chart defaults"; else echo "$1"; fi
}

render() { # render VALUES_FILE OUT: helm template with the cluster version the schemas are for
  helm template "$RELEASE" "$CHART" --namespace "$NAMESPACE" --kube-version "$DEMO_K8S_VERSION" -f "$1" >"$2"
}

manifest_index() { # manifest_index FILE: one line per rendered object, "SOURCE KIND NAME"
  awk '
    function flush() { if (kind != "") print src, kind, name; src = kind = name = ""; meta = 0 }
    /^---/ { flush(); next }
    /^# Source: / { src = $3; next }
    /^kind: / { kind = $2; next }
    /^metadata:/ { meta = 1; next }
    /^[^ #]/ { meta = 0 }
    meta && name == "" && /^  name: / { name = $2; gsub(/"/, "", name) }
    END { flush() }' "$1"
}

expect_bitnami_objects() { # expect_bitnami_objects MANIFEST: the Bitnami MySQL and Redis are in it
  local index want chart kind name src ok=0
  index=$(manifest_index "$1")
  for want in "mysql StatefulSet $RELEASE-mysql" "mysql Service $RELEASE-mysql" \
              "redis StatefulSet $RELEASE-redis-master" "redis Service $RELEASE-redis-master"; do
    read -r chart kind name <<<"$want"
    if src=$(awk -v p="$RELEASE/charts/users/charts/$chart/templates/" -v k="$kind" -v n="$name" \
               'index($1, p) == 1 && $2 == k && $3 == n { print $1; found = 1 } END { exit !found }' <<<"$index"); then
      echo "$kind $name: from $src"
    else
      echo "no $kind $name rendered by the Bitnami $chart chart"
      ok=1
    fi
  done
  return $ok
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
  # The Bitnami charts: all missing, or all there at the versions Chart.yaml pins.
  local status=missing
  [ "$MODE" = present ] && status=ok
  deps=$(helm dependency list "$CHART/charts/users") || return 1
  # (demo-lib is in-tree: the umbrella provides it; check_standalone builds it in.)
  if awk -v want="$status" 'NR > 1 && NF && $1 != "demo-lib" && $NF != want { bad = 1 } END { exit !bad }' <<<"$deps"; then
    echo "$deps"
    echo "every dependency of $CHART/charts/users should be '$status' here"
    ok=1
  else
    echo "the Bitnami dependencies of $CHART/charts/users: $(awk 'NR > 1 && NF { printf "%s%s %s %s", sep, $1, $2, $NF; sep = ", " }' <<<"$deps")"
  fi
  # helm refuses `helm dependency build` with a Chart.lock whose digest is not Chart.yaml's.
  local lock=$CHART/charts/users/Chart.lock digest
  digest=$(python3 scripts/ci/chart-lock-digest.py <(yq -o json .dependencies "$CHART/charts/users/Chart.yaml") <(yq -o json .dependencies "$lock")) || return 1
  if [ "$(yq -r .digest "$lock")" != "$digest" ]; then
    echo "$lock: digest $(yq -r .digest "$lock"), its dependencies give $digest (fix the versions, then set that digest)"
    ok=1
  fi
  # The per-pod values of demo-lib's helpers: the same defaults and schema in every system.
  local key c
  for key in logLevel extraEnvVars commonLabels podLabels podAnnotations priorityClassName \
             topologySpreadConstraints livenessProbe readinessProbe httpRoute demo-lib; do
    for c in heartbeat users; do
      for f in values.yaml values.schema.json; do
        local q=".[\"$key\"]"
        [ "$f" = values.schema.json ] && q=".properties[\"$key\"]"
        if [ "$(yq -o json "$q" "$CHART/charts/echo/$f")" != "$(yq -o json "$q" "$CHART/charts/$c/$f")" ]; then
          echo "$key differs between $CHART/charts/echo/$f and $CHART/charts/$c/$f (demo-lib renders it the same way everywhere)"
          ok=1
        fi
      done
    done
  done
  # The image repository is written once, in the umbrella's values; demo-lib's fallback (a
  # subchart installed alone) must say the same, and scripts/release.sh rewrites both.
  local repo fallback
  repo=$(yq -r '.global.image.repository' "$CHART/values.yaml")
  fallback=$(grep coalesce "$CHART/charts/demo-lib/templates/_image.tpl" | grep -o '"[^"]*/demo"' | tr -d '"')
  if [ "$fallback" != "$repo" ]; then
    echo "demo-lib's _image.tpl falls back to '$fallback', the umbrella's global.image.repository is '$repo'"
    ok=1
  fi
  return $ok
}

check_helm_lint() {
  local f ok=0
  for f in "${VALUES[@]}"; do
    echo "-- helm lint --strict -f $(label "$f")"
    helm lint --strict "$CHART" --namespace "$NAMESPACE" --kube-version "$DEMO_K8S_VERSION" -f "$f" || ok=1
  done
  return $ok
}

check_ct_lint() {
  # The version-increment check compares with main: origin's in a CI clone, else the local branch.
  local remote=origin
  git rev-parse -q --verify origin/main >/dev/null || remote=refs/heads
  git rev-parse -q --verify "$remote/main" >/dev/null || { echo "no branch main (origin/main or local) to compare chart versions with"; return 1; }
  echo "chart versions compared with $remote/main: $(git show "$remote/main:$CHART/Chart.yaml" | awk '/^version:/ {print $2}') there, $(awk '/^version:/ {print $2}' "$CHART/Chart.yaml") here"
  ct lint --config ct.yaml --charts "$CHART" || return 1
  echo "-- ct lint of the charts changed since $remote/main, with the version-increment check"
  ct lint --config ct.yaml --remote "$remote" || return 1
  # ct validates the umbrella's Chart.yaml and values.yaml; hold the subcharts
  # and the test suites to the same rules.
  local ok=0 f suites
  for f in "$CHART"/charts/*/Chart.yaml; do
    yamale -s "$CT_CONFIG_DIR/chart_schema.yaml" "$f" >/dev/null || { echo "$f does not match ct's chart schema"; ok=1; }
  done
  mapfile -t suites < <(find "$CHART" -path '*/tests/*' -name '*_test.yaml' | sort)
  yamllint -c "$CT_CONFIG_DIR/lintconf.yaml" ct.yaml \
    "$CHART"/charts/*/Chart.yaml "$CHART"/charts/*/values.yaml "$CHART"/ci/*.yaml "${suites[@]}" || ok=1
  [ $ok = 0 ] && echo "ct.yaml, subchart Chart.yaml/values.yaml, ci values and ${#suites[@]} test suites: yamale and yamllint clean"
  return $ok
}

check_dependency_guard() {
  if [ "$MODE" = present ]; then
    echo "Bitnami charts present: the chart defaults render MySQL and Redis with the real Bitnami templates"
    render "$DEFAULTS" "$OUT/deps-guard.yaml" || return 1
    expect_bitnami_objects "$OUT/deps-guard.yaml" || return 1
    echo "the API's MYSQL_HOST/REDIS_HOST Services ($RELEASE-mysql, $RELEASE-redis-master) are the Bitnami charts'"
    check_artifacthub_images "$OUT/deps-guard.yaml"
    return
  fi
  echo "Bitnami charts absent: rendering the chart defaults must fail and say how to fix it"
  local out
  if out=$(helm template "$RELEASE" "$CHART" --namespace "$NAMESPACE" 2>&1); then
    echo "rendering succeeded without the Bitnami charts: the users system would be installed half"
    return 1
  fi
  echo "$out" | tail -n 3
  grep -q 'helm dependency build charts/demo/charts/users' <<<"$out" || { echo "the error does not say 'helm dependency build charts/demo/charts/users'"; return 1; }
}

check_artifacthub_images() { # MANIFEST: every image it runs is in the artifacthub.io/images of Chart.yaml
  local listed image ok=0
  listed=$(yq -r '.annotations["artifacthub.io/images"]' "$CHART/Chart.yaml" | yq -r '.[].image')
  while read -r image; do
    if grep -qxF "$image" <<<"$listed"; then echo "artifacthub.io/images lists $image"; else echo "artifacthub.io/images of $CHART/Chart.yaml lacks $image, which the defaults deploy"; ok=1; fi
  done < <(yq -N -r '.. | select(tag == "!!map" and has("image")) | .image | select(tag == "!!str")' "$1" | sort -u)
  return $ok
}

check_standalone() { # each subchart installs without the umbrella: demo-lib is its dependency
  local c dir ok=0 charts=(echo heartbeat)
  [ "$MODE" = present ] && charts+=(users)
  for c in "${charts[@]}"; do
    dir=$OUT/standalone
    rm -rf "$dir" && mkdir -p "$dir" && cp -a "$CHART/charts/$c" "$CHART/charts/demo-lib" "$dir/" || return 1
    if [ "$c" = users ]; then
      # Its Bitnami charts are here already (present mode) and would be downloaded by
      # `helm dependency build`: package the in-tree demo-lib beside them as it would.
      helm package "$dir/demo-lib" -d "$dir/$c/charts" >/dev/null || { ok=1; continue; }
    else
      helm dependency build "$dir/$c" >/dev/null || { echo "helm dependency build $c failed"; ok=1; continue; }
    fi
    helm dependency list "$dir/$c" | awk 'NR > 1 && NF && $NF != "ok" { bad = 1 } END { exit bad }' \
      || { helm dependency list "$dir/$c"; ok=1; continue; }
    echo "-- $c alone: helm lint --strict, helm template"
    # Alone, nothing sets the umbrella's global.security.allowInsecureImages (bitnamilegacy images).
    local set=(--set global.security.allowInsecureImages=true)
    helm lint --strict "$dir/$c" --namespace "$NAMESPACE" "${set[@]}" >/dev/null || { helm lint --strict "$dir/$c" "${set[@]}"; ok=1; continue; }
    helm template "$RELEASE" "$dir/$c" --namespace "$NAMESPACE" "${set[@]}" >"$dir/$c.yaml" || { ok=1; continue; }
    echo "$c: $(grep -c '^kind:' "$dir/$c.yaml") objects"
  done
  return $ok
}

# checkov on the defaults (with a test digest, as a release sets one): no image without a
# digest (CKV_K8S_43) and no Secret in an env var (CKV_K8S_35) on our objects. The Bitnami
# charts' StatefulSets run their images by tag (their values' image.digest is empty).
CHECKOV_CHECKS=CKV_K8S_43,CKV_K8S_35
TEST_DIGEST=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
check_checkov() {
  helm template "$RELEASE" "$CHART" --namespace "$NAMESPACE" --kube-version "$DEMO_K8S_VERSION" \
    --set global.image.digest="$TEST_DIGEST" >"$OUT/checkov.yaml" || return 1
  # checkov asks api0.prismacloud.io for guideline links; offline, it goes on without them.
  checkov --quiet --skip-download -f "$OUT/checkov.yaml" --framework kubernetes --check "$CHECKOV_CHECKS" \
    -o json >"$OUT/checkov.json" 2>"$OUT/checkov.err"
  python3 - "$OUT/checkov.json" "$OUT/checkov.yaml" <<'PY'
import json
import sys

report = json.load(open(sys.argv[1]))
reports = report if isinstance(report, list) else [report]
bitnami = {"StatefulSet.demo.demo-mysql", "StatefulSet.demo.demo-redis-master"}
ours = theirs = passed = 0
for r in reports:
    passed += r["summary"]["passed"]
    for c in r["results"].get("failed_checks", []):
        if c["resource"] in bitnami:
            theirs += 1
            print(f"  on a Bitnami object: {c['check_id']} {c['resource']}")
        else:
            ours += 1
            print(f"  FINDING: {c['check_id']} {c['resource']}: {c['check_name']}")
print(f"  {passed} passed, {ours} findings on our objects, {theirs} on the Bitnami charts'")
sys.exit(1 if ours or not passed else 0)
PY
}

check_schema_rejects_typos() {
  local ok=0 args
  for args in "echo.server.replicas=3" "heartbeat.client.kind=ReplicaSet" "users.api.replicaCont=1" "global.image.tagg=1" "echoo.enabled=true"; do
    if helm template "$RELEASE" "$CHART" -f "$CHART/ci/default-values.yaml" --set "$args" >/dev/null 2>"$OUT/err"; then
      echo "--set $args was accepted"
      ok=1
    else
      echo "--set $args rejected: $(grep -o 'at .*' "$OUT/err" | head -n1 | cut -c1-120)"
    fi
  done
  return $ok
}

check_kubeconform() {
  local f base ok=0
  for f in "${VALUES[@]}"; do
    base=$(basename "$f" .yaml)
    render "$f" "$OUT/$base.yaml" || { echo "helm template -f $(label "$f") failed"; ok=1; continue; }
    echo "-- $(label "$f")"
    kubeconform -strict -summary -output text \
      -kubernetes-version "$DEMO_K8S_VERSION" \
      -schema-location "$SCHEMA_ROOT/$SCHEMA_LOCATION_SUFFIX" \
      "$OUT/$base.yaml" || ok=1
  done
  return $ok
}

score_findings() { # score_findings JSON: kube-score's findings; fails on any not allowed
  python3 - "$1" "${KUBE_SCORE_BITNAMI_ALLOWED[@]}" <<'PY'
import json
import sys

objects = json.load(open(sys.argv[1]))
allowed = set(sys.argv[2:])
ok = findings = tolerated = 0
for obj in sorted(objects, key=lambda o: o["object_name"]):
    meta = obj["object_meta"]
    chart = (meta.get("labels") or {}).get("helm.sh/chart", "")
    bitnami = chart.startswith(("mysql-", "redis-"))
    for check in obj["checks"]:
        if check["skipped"]:
            continue
        if check["grade"] > 5:  # kube-score grades: 1 critical, 5 warning, 7 almost OK, 10 OK
            ok += 1
            continue
        for comment in check["comments"] or [{"path": "", "summary": ""}]:
            finding = f'{check["check"]["id"]}: {comment["summary"]}'
            where = f' ({comment["path"]})' if comment["path"] else ""
            line = f'{obj["type_meta"]["kind"]} {meta["name"]}{where}: {finding}'
            if bitnami and finding in allowed:
                tolerated += 1
                print(f"  allowed on a Bitnami object ({chart}): {line}")
            else:
                findings += 1
                print(f"  FINDING: {line}")
tail = f", {tolerated} allowed on Bitnami objects" if tolerated else ""
print(f"  {len(objects)} objects, {ok} checks OK, {findings} findings{tail}")
sys.exit(1 if findings or not objects else 0)
PY
}

check_kube_score() {
  local f base ok=0 t args=()
  for t in "${KUBE_SCORE_IGNORES[@]}"; do args+=(--ignore-test "$t"); done
  for t in "${KUBE_SCORE_OPTIONAL[@]}"; do args+=(--enable-optional-test "$t"); done
  for f in "${VALUES[@]}"; do
    base=$(basename "$f" .yaml)
    [ -s "$OUT/$base.yaml" ] || render "$f" "$OUT/$base.yaml" || { ok=1; continue; }
    echo "-- $(label "$f")"
    # Exits 1 on any finding: the findings are judged from its JSON report instead.
    kube-score score --output-format json --kubernetes-version "v${DEMO_K8S_VERSION%.*}" \
      "${args[@]}" "$OUT/$base.yaml" >"$OUT/$base.score.json"
    score_findings "$OUT/$base.score.json" || ok=1
  done
  return $ok
}

check_unittest() {
  # tests/*_test.yaml hold in both modes; tests/bitnami-$MODE/ only in this one.
  compgen -G "$CHART/charts/users/tests/bitnami-$MODE/*_test.yaml" >/dev/null \
    || { echo "no suites in $CHART/charts/users/tests/bitnami-$MODE/"; return 1; }
  helm unittest --with-subchart --strict -f 'tests/*_test.yaml' -f "tests/bitnami-$MODE/*_test.yaml" "$CHART"
}

check_alert_rules() {
  local dir=$OUT/promtool tests=$CHART/charts/heartbeat/tests/promtool/alerts_test.yaml
  mkdir -p "$dir"
  cp "$tests" "$dir/alerts_test.yaml"
  # The spec of the PrometheusRule the chart installs is a Prometheus rule file as it is.
  helm template "$RELEASE" "$CHART" --namespace demo -f "$CHART/ci/default-values.yaml" \
    --set heartbeat.alerts.enabled=true --show-only charts/heartbeat/templates/prometheusrule.yaml \
    | yq '.spec' >"$dir/rules.yaml" || { echo "rendering the PrometheusRule failed"; return 1; }
  promtool check rules "$dir/rules.yaml" && (cd "$dir" && promtool test rules alerts_test.yaml)
}

check_readmes() {
  local dir ok=0
  for dir in "$CHART" "$CHART"/charts/*/; do
    dir=${dir%/}
    [ -f "$dir/README.md" ] || { echo "$dir/README.md is missing"; ok=1; continue; }
    mkdir -p "$OUT/readme/$dir"
    cp "$dir/README.md" "$OUT/readme/$dir/README.md"
    readme-generator --values "$dir/values.yaml" --readme "$OUT/readme/$dir/README.md" >"$OUT/readme.log" 2>&1 \
      || { cat "$OUT/readme.log"; echo "readme-generator failed for $dir"; ok=1; continue; }
    if diff -u "$dir/README.md" "$OUT/readme/$dir/README.md"; then
      echo "$dir/README.md: current"
    else
      echo "$dir/README.md is out of date with $dir/values.yaml: run scripts/chart-check.sh --fix-readme"
      ok=1
    fi
  done
  return $ok
}

check_package() {
  helm package "$CHART" -d "$OUT/package" >/dev/null || return 1
  local tgz files bitnami
  tgz=$(ls "$OUT"/package/demo-*.tgz)
  files=$(tar tzf "$tgz")
  if grep -q '_test\.yaml$' <<<"$files"; then
    echo "the package contains helm-unittest suites"; return 1
  fi
  [ "$(grep -c '/templates/tests/test-' <<<"$files")" = 3 ] || { echo "the package lacks the helm test pods"; return 1; }
  helm template "$RELEASE" "$tgz" --namespace "$NAMESPACE" -f "$CHART/ci/default-values.yaml" >/dev/null || return 1
  echo "$(basename "$tgz"): $(wc -l <<<"$files") files, renders with ci/default-values.yaml"
  # helm package stores the users chart's dependencies unpacked: demo/charts/users/charts/<name>/
  # (in no fixed order: sorted here)
  bitnami=$(sed -n 's|^demo/charts/users/charts/\([^/]*\)/Chart.yaml$|\1|p' <<<"$files" | sort | xargs)
  if [ "$MODE" = absent ]; then
    [ -z "$bitnami" ] || { echo "the package contains Bitnami charts: $bitnami"; return 1; }
    echo "no Bitnami chart in it"
    return 0
  fi
  [ "$bitnami" = "mysql redis" ] || { echo "the package should hold the Bitnami mysql and redis charts, has: ${bitnami:-none}"; return 1; }
  echo "with the Bitnami charts ($bitnami); its defaults render them:"
  helm template "$RELEASE" "$tgz" --namespace "$NAMESPACE" >"$OUT/package-defaults.yaml" || return 1
  expect_bitnami_objects "$OUT/package-defaults.yaml"
}

# The chart's bounds for values it passes as environment variables equal the binary's
# TypeBox schemas (the source): scripts/chart/env-bounds.check.ts renders each numeric value.
check_env_bounds() {
  command -v bun >/dev/null || { echo "bun not found: run npm ci and put node_modules/.bin on PATH"; return 1; }
  bun test ./scripts/chart/env-bounds.check.ts 2>&1 | grep -E '^\(fail\)|^error|expect|^ *[0-9]+ (pass|fail)$'
  return "${PIPESTATUS[0]}"
}

# --- run ----------------------------------------------------------------------
echo "chart-check: helm $(helm version --template '{{.Version}}'), $(ct version 2>/dev/null | awk '/Version/ {print "ct " $2; exit}'), kubeconform $(kubeconform -v), kube-score $(kube-score version | awk '{print $3}' | tr -d ,), Kubernetes schemas v$DEMO_K8S_VERSION"
MODES=(absent present)
for MODE in "${MODES[@]}"; do
  OUT=$WORK/$MODE
  mkdir -p "$OUT"
  VALUES=("${CI_VALUES[@]}")
  [ "$MODE" = present ] && VALUES+=("$DEFAULTS")
  echo
  echo "${BOLD}######## Bitnami charts $MODE ########${RESET}"
  if ! use_bitnami "$MODE"; then
    RESULTS+=("$MODE FAIL setup")
    echo "${RED}could not put $BITNAMI_DIR in the '$MODE' state: its checks did not run${RESET}"
    continue
  fi
  step versions "chart versions and appVersions" check_versions
  step helm-lint "helm lint --strict with ${#VALUES[@]} values files" check_helm_lint
  step ct-lint "chart-testing lint" check_ct_lint
  if [ "$MODE" = absent ]; then
    step deps-guard "missing Bitnami charts stop the install" check_dependency_guard
  else
    step deps-guard "the defaults render the Bitnami MySQL and Redis" check_dependency_guard
  fi
  step values-schema "typos in values are rejected" check_schema_rejects_typos
  [ "$MODE" = absent ] && step env-bounds "bounds of values passed as env vars equal the binary's" check_env_bounds
  step kubeconform "strict validation against Kubernetes v$DEMO_K8S_VERSION schemas" check_kubeconform
  step kube-score "best practices and Pod Security, zero findings on our objects" check_kube_score
  step unittest "helm-unittest suites" check_unittest
  step readme "README parameter tables current" check_readmes
  step package "helm package" check_package
  step standalone "each subchart alone (demo-lib as its dependency)" check_standalone
  [ "$MODE" = present ] && step checkov "checkov $CHECKOV_CHECKS on the defaults" check_checkov
  step alerts "heartbeat alert rules under promtool test rules" check_alert_rules
done
restore_bitnami_dir && echo && echo "chart-check: $BITNAMI_DIR restored as it was"

echo
echo "${BOLD}chart-check summary${RESET}"
passed=0 failed=0
for MODE in "${MODES[@]}"; do
  p=0 f=0
  echo "  Bitnami charts $MODE:"
  for r in "${RESULTS[@]}"; do
    read -r mode result name <<<"$r"
    [ "$mode" = "$MODE" ] || continue
    if [ "$result" = PASS ]; then
      p=$((p + 1)); echo "    ${GREEN}PASS${RESET}  $name"
    else
      f=$((f + 1)); echo "    ${RED}FAIL${RESET}  $name"
    fi
  done
  echo "  Bitnami charts $MODE: $p passed, $f failed"
  passed=$((passed + p)) failed=$((failed + f))
done
echo "chart checks: $passed passed, $failed failed (both modes)"
[ "$failed" -eq 0 ]
