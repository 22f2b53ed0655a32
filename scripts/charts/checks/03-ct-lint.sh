#!/usr/bin/env bash
# ct-lint: chart-testing (ct.yaml): Chart.yaml schema, yamllint, helm lint per ci values; then
# the charts changed since main, with ct's version-increment check; then the subcharts'
# Chart.yaml/values.yaml and the test suites under ct's yamale and yamllint rules.
# modes: absent present
# Usage: run by scripts/charts/check.sh (check.sh ct-lint runs it alone).
# shellcheck source=scripts/charts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# The version-increment check compares with main: origin's in a CI clone, else the local branch.
remote=origin
git rev-parse -q --verify origin/main >/dev/null || remote=refs/heads
git rev-parse -q --verify "$remote/main" >/dev/null || die "no branch main (origin/main or local) to compare chart versions with"
echo "chart versions compared with $remote/main: $(git show "$remote/main:$CHART/Chart.yaml" | yq -r .version) there, $(yq -r .version "$CHART/Chart.yaml") here"
ct lint --config ct.yaml --charts "$CHART"
echo "-- ct lint of the charts changed since $remote/main, with the version-increment check"
ct lint --config ct.yaml --remote "$remote"

# ct validates the umbrella's Chart.yaml and values.yaml; hold the subcharts and the test
# suites to the same rules.
ok=0
for f in "$CHART"/charts/*/Chart.yaml; do
  yamale -s "$CT_CONFIG_DIR/chart_schema.yaml" "$f" >/dev/null || { echo "$f does not match ct's chart schema"; ok=1; }
done
mapfile -t suites < <(find "$CHART" -path '*/tests/*' -name '*_test.yaml' | sort)
yamllint -c "$CT_CONFIG_DIR/lintconf.yaml" ct.yaml \
  "$CHART"/charts/*/Chart.yaml "$CHART"/charts/*/values.yaml "$CHART"/ci/*.yaml "${suites[@]}" || ok=1
[ $ok = 0 ] && echo "ct.yaml, subchart Chart.yaml/values.yaml, ci values and ${#suites[@]} test suites: yamale and yamllint clean"
exit $ok
