#!/usr/bin/env bash
# Every check of the Helm charts under charts/, with the pinned tools of scripts/tools.sh,
# offline. Each check is one file, scripts/charts/checks/NN-<name>.sh (its header says what
# it proves and, on its `# modes:` line, in which modes it runs). Everything runs twice, once
# per state of the Bitnami mysql and redis charts that charts/demo/charts/users depends on:
#
#   absent   charts/demo/charts/users/charts/ without them, as in a fresh clone
#   present  the packages scripts/stand-ins/bitnami-charts.sh finds (../shared/bitnami or
#            $BITNAMI_CHARTS_DIR, sha256 checked) copied there, as after
#            `helm dependency build charts/demo/charts/users`
#
# That directory is put back as it was afterwards (also on failure or Ctrl-C). Nothing is
# downloaded: ct never runs `helm dependency build` (skip-helm-dependencies in ct.yaml), no
# helm command here updates dependencies, and HTTP(S) goes to a closed local port so that any
# attempt fails loudly.
#
# Usage: scripts/charts/check.sh                         every check, both modes (npm run charts)
#        scripts/charts/check.sh [--mode M] [NAME...]    only these checks (e.g. kube-score), only mode M
#        scripts/charts/check.sh --list                  the checks and their modes
# Regenerate what the checks compare with (README tables, schemas, lock digest): npm run update.
# Exits non-zero on any failed check or missing tool; prints a summary either way.
# Callers: scripts/test.sh, .github/workflows/ci.yaml (charts job), npm run charts.
SCRIPT_NAME=charts
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
cd "$REPO_ROOT"
CHECKS_DIR=scripts/charts/checks
BITNAMI_DIR=charts/demo/charts/users/charts

modes_of() { sed -n 's/^# modes: //p' "$1"; }
name_of() { basename "$1" .sh | cut -d- -f2-; }

MODES=(absent present) ONLY=()
while (($#)); do
  case $1 in
    --mode) MODES=("${2:?--mode absent|present}"); shift 2 ;;
    --list) for f in "$CHECKS_DIR"/*.sh; do printf '%-14s %s\n' "$(name_of "$f")" "$(modes_of "$f")"; done; exit 0 ;;
    -*) die "unknown option $1 (see the header of $0)" ;;
    *) [ -f "$(echo "$CHECKS_DIR"/[0-9][0-9]-"$1".sh)" ] || die "no check '$1' ($0 --list)"; ONLY+=("$1"); shift ;;
  esac
done

# --- tools --------------------------------------------------------------------
eval "$(bash scripts/tools.sh env)"
for tool in helm ct kubeconform kube-score yamllint yamale readme-generator yq checkov promtool; do
  need "$tool" "run scripts/tools.sh chart"
done
# bun from npm ci, so that the script also runs alone (the env-bounds check runs bun).
export PATH="$REPO_ROOT/node_modules/.bin:$PATH"
need bun "run npm ci"
helm plugin list 2>/dev/null | awk '$1 == "unittest" { found = 1 } END { exit !found }' \
  || die "the helm plugin 'unittest' is not installed: run scripts/tools.sh chart"
[ -f "$DEMO_K8S_SCHEMA_DIR/v$DEMO_K8S_VERSION-standalone-strict/deployment-apps-v1.json" ] \
  || die "no Kubernetes $DEMO_K8S_VERSION JSON schemas in $DEMO_K8S_SCHEMA_DIR: run scripts/tools.sh chart"
[ -f ct.yaml ] || die "ct.yaml not found"
# Offline by construction (see the header).
export HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY=
export http_proxy=$HTTP_PROXY https_proxy=$HTTPS_PROXY no_proxy=
mapfile -t CI_VALUES < <(ls charts/demo/ci/*-values.yaml 2>/dev/null)
[ "${#CI_VALUES[@]}" -gt 0 ] || die "no charts/demo/ci/*-values.yaml"

# --- the Bitnami charts: save what is there, switch modes, restore -------------
# One run at a time per working tree: two would swap the directory under each other.
if command -v flock >/dev/null 2>&1; then
  exec 9>"${TMPDIR:-/tmp}/demo-charts-check.$(cksum <<<"$REPO_ROOT" | cut -d' ' -f1).lock"
  flock -n 9 || { say "waiting for the other chart check run in $REPO_ROOT"; flock 9; }
fi
WORK=$(mktemp -d)
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
  if restore_bitnami_dir; then rm -rf "$WORK"; else say "could not restore $BITNAMI_DIR: its saved copy is in $BITNAMI_SAVED"; fi
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
  for f in "$BITNAMI_DIR"/*.tgz; do echo "  ${f##*/}"; done
}

# --- run ----------------------------------------------------------------------
echo "charts: helm $(helm version --template '{{.Version}}'), $(ct version 2>/dev/null | awk '/Version/ {print "ct " $2; exit}'), kubeconform $(kubeconform -v), kube-score $(kube-score version | awk '{print $3}' | tr -d ,), Kubernetes schemas v$DEMO_K8S_VERSION"
export DEFAULTS=$WORK/chart-defaults.yaml # an empty values file: the chart defaults
echo "# no values: the chart defaults" >"$DEFAULTS"
for MODE in "${MODES[@]}"; do
  export MODE OUT=$WORK/$MODE
  mkdir -p "$OUT"
  VALUES_FILES=$(printf '%s\n' "${CI_VALUES[@]}")
  [ "$MODE" = present ] && VALUES_FILES+=$'\n'"$DEFAULTS"
  export VALUES_FILES
  printf '\n######## Bitnami charts %s ########\n' "$MODE"
  if ! use_bitnami "$MODE"; then
    step "[Bitnami $MODE] setup" false
    say "could not put $BITNAMI_DIR in the '$MODE' state: its checks did not run"
    continue
  fi
  for check in "$CHECKS_DIR"/[0-9][0-9]-*.sh; do
    name=$(name_of "$check")
    if ((${#ONLY[@]})) && [[ " ${ONLY[*]} " != *" $name "* ]]; then continue; fi
    [[ " $(modes_of "$check") " == *" $MODE "* ]] || continue
    step "[Bitnami $MODE] $name" bash "$check" || true
  done
done
restore_bitnami_dir && say "$BITNAMI_DIR restored as it was"
summary
