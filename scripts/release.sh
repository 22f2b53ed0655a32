#!/usr/bin/env bash
# Publishes one release from its tag: the multi-arch image and the Helm chart that runs it.
#
#   OWNER=<github owner> [REGISTRY=ghcr.io] scripts/release.sh v0.2.0
#
# The tag is the one source of the version. On a copy of the tracked files (the checkout is
# left as it is) the script
#   1. sets X.Y.Z as package.json's version (what `demo version` prints) and as version and
#      appVersion of every chart, the umbrella's entry for each in-tree subchart and the
#      Artifact Hub image annotations; the chart's default image repository becomes the one
#      pushed to, <REGISTRY>/<owner, lowercased>/demo; every chart's home, sources, icon (at
#      the tag), maintainers and Artifact Hub links, and the image's label
#      org.opencontainers.image.source, become those of the repository released from;
#   2. runs `helm dependency build` (Bitnami charts from oci://registry-1.docker.io) and
#      `helm package`;
#   3. checks, before pushing anything, that every chart in the package says X.Y.Z, links to
#      no GitHub URL outside that repository, and that every demo container the package
#      renders runs exactly the image about to be pushed;
#   4. builds the Dockerfile with BuildKit (buildctl, BUILDKIT_HOST) for PLATFORMS and pushes
#      <REGISTRY>/<owner>/demo:X.Y.Z with zstd layers;
#   5. packages the chart again with global.image.digest set to the digest just pushed (pods
#      run <image>:X.Y.Z@<digest>) and checks that it renders only that;
#   6. pushes the chart to oci://<REGISTRY>/<owner>/charts.
# Registry credentials are the usual ones (~/.docker/config.json for BuildKit, `helm registry
# login` for helm). RELEASE_SOURCE (default: this checkout) is the tree to release;
# RELEASE_OUT (default: <source>/dist/release) receives the packaged chart.
# Called by scripts/release/publish.sh (the release workflow, and the e2e's rehearsals in
# scripts/e2e/11-release.e2e.ts).
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

tag=${1:-}
[[ $tag =~ ^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$ ]] ||
  die "usage: OWNER=<owner> $0 vX.Y.Z[-pre] (got '${tag}')"
version=${tag#v}
registry=${REGISTRY:-ghcr.io}
owner=${OWNER:-${GITHUB_REPOSITORY_OWNER:-}}
[[ -n $owner ]] || die "set OWNER (or GITHUB_REPOSITORY_OWNER): the registry namespace to publish under"
# The repository released from: GITHUB_REPOSITORY in the workflow (when it is OWNER's), else
# <OWNER>/demo (a local release, the e2e's rehearsal). Its URLs keep the owner's case, as
# GitHub writes them (github.com is case-insensitive there): OWNER=Demo-Org gives
# github.com/Demo-Org/demo. Only the registry references below are lowercased, as OCI
# requires. GHCR links the image to the repository by its source label.
github_repo=$owner/demo
[[ ${GITHUB_REPOSITORY:-} && ${GITHUB_REPOSITORY,,} == "${owner,,}"/* ]] && github_repo=$GITHUB_REPOSITORY
[[ $github_repo =~ ^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$ ]] || die "'$github_repo' is not a GitHub owner/repository"
repo_owner=${github_repo%%/*}
source_url=https://github.com/$github_repo
owner_url=https://github.com/$repo_owner
icon_url=https://raw.githubusercontent.com/$github_repo/$tag/docs/icon.svg
owner=${owner,,}   # image and OCI references must be lowercase
platforms=${PLATFORMS:-linux/amd64,linux/arm64}
repository="$registry/$owner/demo"
image="$repository:$version"
chart_repo="oci://$registry/$owner/charts"
for tool in git helm yq buildctl; do need "$tool"; done
yq --version | grep -q mikefarah || die "yq is not mikefarah/yq v4 (scripts/tools.sh installs it)"

src=$(cd "${RELEASE_SOURCE:-$(dirname "${BASH_SOURCE[0]}")/..}" && pwd)
# bun computes the Chart.lock digest: on PATH (the release workflow), else this checkout's (npm ci).
bun=$(command -v bun || echo "$src/node_modules/.bin/bun")
[ -x "$bun" ] || die "bun not found: run npm ci (scripts/charts/lock-digest.ts runs on it)"
out=${RELEASE_OUT:-$src/dist/release}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
stage="$work/src"
mkdir -p "$stage" "$out"
(cd "$src" && git ls-files -z | tar --null -T - -cf -) | tar -xf - -C "$stage"
say "$tag: image $image ($platforms), chart $chart_repo/demo:$version"

# ---- 1. the version and the image, everywhere they are written --------------------------
export version repository image source_url owner_url icon_url repo_owner
[[ -f $stage/docs/icon.svg ]] || die "docs/icon.svg, the charts' icon, is not tracked"
yq -i -o json '.version = strenv(version)' "$stage/package.json"
# Every Dockerfile stage builds with the bun that package.json pins.
bun_pinned=$(yq -r '.devDependencies.bun' "$stage/package.json")
grep -Eq "^FROM .*oven/bun:$bun_pinned( |$)" "$stage/Dockerfile" ||
  die "the Dockerfile does not build with oven/bun:$bun_pinned, the bun package.json pins"
charts=("$stage/charts/demo" "$stage"/charts/demo/charts/*/)
for chart in "${charts[@]}"; do
  yq -i '.version = strenv(version) | .appVersion = strenv(version)
    | with(select(has("dependencies")); (.dependencies[] | select((has("repository") | not) or (.repository | test("^file://"))) | .version) = strenv(version))
    | with(select(.annotations["artifacthub.io/images"] != null);
        .annotations["artifacthub.io/images"] |= (from_yaml | (.[] | select(.name == "demo") | .image) = strenv(image) | to_yaml))' "$chart/Chart.yaml"
  yq -i '.home = strenv(source_url) | .sources = [strenv(source_url)] | .icon = strenv(icon_url)
    | .maintainers = [{"name": strenv(repo_owner), "url": strenv(owner_url)}]
    | with(select(.annotations["artifacthub.io/links"] != null);
        .annotations["artifacthub.io/links"] |= (from_yaml | (.[] | select(.name == "source") | .url) = strenv(source_url) | to_yaml))' "$chart/Chart.yaml"
done
# The users chart's lock names the in-tree demo-lib too: its version, and the digest helm
# checks before `helm dependency build` (scripts/charts/lock-digest.ts, offline).
users_chart="$stage/charts/demo/charts/users"
yq -i '(.dependencies[] | select(.repository | test("^file://")) | .version) = strenv(version)' "$users_chart/Chart.lock"
"$bun" "$stage/scripts/charts/lock-digest.ts" --write "$users_chart" >/dev/null || die "could not compute the Chart.lock digest"
yq -i '.global.image.repository = strenv(repository)' "$stage/charts/demo/values.yaml"
# demo-lib's fallback for a subchart installed without the umbrella (scripts/charts/checks/01-versions.sh keeps it
# equal to the umbrella's default).
sed -i "s|\"ghcr.io/[a-z0-9._-]*/demo\"|\"$repository\"|" "$stage/charts/demo/charts/demo-lib/templates/_image.tpl"

# ---- 2. dependencies and package ---------------------------------------------------------
helm dependency build "$stage/charts/demo/charts/users" >&2 || die "helm dependency build charts/demo/charts/users failed"
rm -f "$out/demo-$version.tgz"
helm package "$stage/charts/demo" --destination "$out" >&2
package="$out/demo-$version.tgz"
[[ -f $package ]] || die "helm package wrote no $package"

# ---- 3. what was packaged says what is about to be pushed --------------------------------
mismatch=()
mkdir "$work/package"; tar -xzf "$package" -C "$work/package"
# Our charts (the Bitnami ones keep their own versions).
for chart in "${charts[@]}"; do
  rel=${chart#"$stage/charts/"}; rel=${rel%/}
  chart_yaml="$work/package/$rel/Chart.yaml"
  [[ -f $chart_yaml ]] || { mismatch+=("the package has no $rel"); continue; }
  read -r name v av < <(yq -r '.name + " " + .version + " " + .appVersion' "$chart_yaml")
  [[ $v == "$version" && $av == "$version" ]] || mismatch+=("chart $name has version $v, appVersion $av")
  # home, sources, icon, maintainers, the Artifact Hub links: this repository, its owner or
  # its files at the tag (the tree's own say github.com/example/demo).
  while read -r url; do
    [[ $url == "$source_url" || $url == "$source_url/"* || $url == "$owner_url" || $url == "$icon_url" ]] ||
      mismatch+=("chart $name links to $url, not to $source_url")
  done < <(grep -oE 'https://(github|raw\.githubusercontent)\.com[^"[:space:]]*' "$chart_yaml")
done
rendered_images() { # rendered_images PACKAGE: "<image> (<n> containers)" per demo image its defaults run
  local rendered
  rendered=$(helm template demo "$1" --namespace demo) || die "the packaged chart does not render with its defaults"
  yq -N '.. | select(tag == "!!map" and has("image")) | .image | select(tag == "!!str")' <<<"$rendered" |
    grep -E '/demo[:@]' | sort | uniq -c | awk '{print $2 " (" $1 " containers)"}'
}
mapfile -t demo_images < <(rendered_images "$package")
((${#demo_images[@]})) || mismatch+=("the packaged chart renders no demo container")
for line in "${demo_images[@]}"; do
  [[ ${line%% *} == "$image" ]] || mismatch+=("the packaged chart renders $line")
done
if ((${#mismatch[@]})); then
  printf 'release: %s\n' "${mismatch[@]}" >&2
  die "the package disagrees with $tag (image $image): nothing was pushed"
fi
say "checked: every chart is $version and links to $source_url, the package renders only $image (${demo_images[*]})"

# ---- 4. the image -------------------------------------------------------------------------
buildctl build --frontend dockerfile.v0 --local "context=$stage" --local "dockerfile=$stage" \
  --opt "platform=$platforms" \
  --opt "label:org.opencontainers.image.version=$version" \
  --opt "label:org.opencontainers.image.source=$source_url" \
  --output "type=image,name=$image,push=true,oci-mediatypes=true,compression=zstd,compression-level=19,force-compression=true" \
  --metadata-file "$work/build-metadata.json" \
  --progress "${BUILDKIT_PROGRESS:-plain}" >&2 || die "building or pushing $image failed"
say "pushed $image"

# ---- 5. the chart pins the image by the digest just pushed ------------------------------
# Known only now: the package is made again with global.image.digest, so that pods run
# <image>@<digest> (what was tested, whatever happens to the tag later).
digest=$(yq -r '.["containerimage.digest"]' "$work/build-metadata.json")
[[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || die "buildctl reported no image digest ('$digest'): the chart was not pushed"
export digest
yq -i '.global.image.digest = strenv(digest)' "$stage/charts/demo/values.yaml"
rm -f "$package"
helm package "$stage/charts/demo" --destination "$out" >&2
mapfile -t demo_images < <(rendered_images "$package")
for line in "${demo_images[@]}"; do
  [[ ${line%% *} == "$image@$digest" ]] || die "the chart with the digest renders $line, not $image@$digest: the chart was not pushed"
done
say "checked: the package renders only $image@$digest (${demo_images[*]})"

# ---- 6. the chart -------------------------------------------------------------------------
helm push "$package" "$chart_repo" >&2 || die "helm push $package $chart_repo failed"
say "pushed $chart_repo/demo:$version"
echo "$image"
