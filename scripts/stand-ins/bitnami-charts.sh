#!/usr/bin/env bash
# Prints a directory holding the Bitnami chart packages that charts/demo/charts/users pins
# (mysql-<v>.tgz, redis-<v>.tgz), for checks and stand-ins that need them as files:
#
#   dir=$(bash scripts/stand-ins/bitnami-charts.sh)
#
# They are third-party artifacts and never part of this repository. In order:
#   1. $BITNAMI_CHARTS_DIR, else ../shared/bitnami beside the checkout (the test environment's
#      copy for machines that cannot reach a chart registry: this one, CI's); every package is
#      checked against the sum below;
#   2. else `helm pull` from oci://registry-1.docker.io/bitnamicharts, as a user's
#      `helm dependency build` does (GitHub's runners), into $DEMO_TOOLS_DIR/bitnami-charts.
# Anything else fails loudly, naming both ways.
# Callers: scripts/charts/check.sh (the "present" mode), scripts/stand-ins/push.sh (the
# stand-in chart registry).
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
repo=$REPO_ROOT
chart=$repo/charts/demo/charts/users/Chart.yaml
# name version repository, one dependency a line, from users/Chart.yaml
deps=$(yq -r '.dependencies[] | select(.repository | test("bitnamicharts")) | .name + " " + .version + " " + .repository' "$chart") ||
  die "cannot read the Bitnami dependencies of $chart (yq: scripts/tools.sh yq)"

# The sums of ../shared/bitnami's packages (packaged from Bitnami's sources at these tags;
# byte-different from Bitnami's own packages, which the registry path pulls).
declare -A SHA256=(
  [mysql-13.0.1.tgz]=f26b8a397d9e9d55272324922db5e7f7ebde960d0a48a12d732e2090ebfe50ba
  [redis-21.2.6.tgz]=f6e8ca660fd4384983202883d727ebc19510ade8d7023ec93f1b901fa105dabf
)

dir=${BITNAMI_CHARTS_DIR:-$repo/../shared/bitnami}
if [[ -d $dir ]]; then
  while read -r name version _; do
    f=$dir/$name-$version.tgz
    [[ -f $f ]] || die "$f is missing (users/Chart.yaml pins $name $version)"
    want=${SHA256[$name-$version.tgz]:-}
    [[ -n $want ]] || die "no pinned sum for $name-$version.tgz: add it to SHA256 in this script"
    [[ $(sha256sum "$f" | cut -d' ' -f1) == "$want" ]] || die "$f is not the pinned package (sha256 differs)"
  done <<<"$deps"
  cd "$dir" && pwd
  exit 0
fi

out=${DEMO_TOOLS_DIR:-$HOME/.cache/demo-tools}/bitnami-charts
mkdir -p "$out"
while read -r name version repository; do
  [[ -f $out/$name-$version.tgz ]] && continue
  # The chart checks point HTTP(S) at a closed port for everything else; this pull is the one
  # download it allows.
  env -u HTTPS_PROXY -u HTTP_PROXY -u https_proxy -u http_proxy \
    helm pull "$repository/$name" --version "$version" -d "$out" >&2 ||
    die "no $dir (set BITNAMI_CHARTS_DIR) and helm pull $repository/$name --version $version failed"
done <<<"$deps"
echo "$out"
