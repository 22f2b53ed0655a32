# shellcheck shell=bash
# What the chart checks (scripts/charts/checks/NN-<name>.sh) share: the shell library, the
# chart's names, the state check.sh hands each check, and the rendering helpers.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"     # first line of every check
#
# check.sh exports, for the check it runs:
#   MODE          absent | present: the state of the Bitnami charts under $BITNAMI_DIR
#   OUT           a scratch directory of this mode, shared by its checks (kube-score reuses
#                 kubeconform's renders)
#   DEFAULTS      an empty values file: the chart defaults
#   VALUES_FILES  the values files to render, one a line: ci/*-values.yaml (+ $DEFAULTS if present)
# Callers: every file in scripts/charts/checks/.
SCRIPT_NAME=${SCRIPT_NAME:-$(basename "$0" .sh)}
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
cd "$REPO_ROOT"

CHART=charts/demo
RELEASE=demo
NAMESPACE=demo
# Where `helm dependency build charts/demo/charts/users` puts the Bitnami charts.
BITNAMI_DIR=$CHART/charts/users/charts
: "${MODE:?run the checks through scripts/charts/check.sh}" "${OUT:?}" "${DEFAULTS:?}" "${VALUES_FILES:?}"
# shellcheck disable=SC2034 # read by the checks that source this file
mapfile -t VALUES <<<"$VALUES_FILES"
export MODE OUT DEFAULTS VALUES_FILES CHART RELEASE NAMESPACE BITNAMI_DIR
# What the check proves: the first line of its header.
sed -n '2s/^# //p' "$0"

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
