#!/usr/bin/env bash
# unittest: helm-unittest: every chart's tests/*_test.yaml, plus the suites of the mode,
# charts/demo/charts/users/tests/bitnami-{absent,present}/.
# modes: absent present
# Usage: run by scripts/charts/check.sh (check.sh unittest runs it alone).
# shellcheck source=scripts/charts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
compgen -G "$CHART/charts/users/tests/bitnami-$MODE/*_test.yaml" >/dev/null \
  || die "no suites in $CHART/charts/users/tests/bitnami-$MODE/"
helm unittest --with-subchart --strict -f 'tests/*_test.yaml' -f "tests/bitnami-$MODE/*_test.yaml" "$CHART"
