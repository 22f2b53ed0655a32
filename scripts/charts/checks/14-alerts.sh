#!/usr/bin/env bash
# alerts: the heartbeat PrometheusRule's rules, rendered, pass `promtool check rules` and
# `promtool test rules` (charts/demo/charts/heartbeat/tests/promtool/alerts_test.yaml).
# modes: absent present
# Usage: run by scripts/charts/check.sh (check.sh alerts runs it alone).
# shellcheck source=scripts/charts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
dir=$OUT/promtool
mkdir -p "$dir"
cp "$CHART/charts/heartbeat/tests/promtool/alerts_test.yaml" "$dir/alerts_test.yaml"
# The spec of the PrometheusRule the chart installs is a Prometheus rule file as it is.
helm template "$RELEASE" "$CHART" --namespace demo -f "$CHART/ci/default-values.yaml" \
  --set heartbeat.alerts.enabled=true --show-only charts/heartbeat/templates/prometheusrule.yaml \
  | yq '.spec' >"$dir/rules.yaml" || die "rendering the PrometheusRule failed"
promtool check rules "$dir/rules.yaml"
cd "$dir" && promtool test rules alerts_test.yaml
