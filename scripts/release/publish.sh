#!/usr/bin/env bash
# The release workflow's publishing step: scripts/release.sh, then the digests of what it
# pushed, for signing and attesting exactly those. The e2e (scripts/e2e/11-release.e2e.ts)
# publishes its two rehearsal releases with it, against the stand-in registry.
#
#   OWNER=<owner> [REGISTRY=ghcr.io] scripts/release/publish.sh vX.Y.Z >>"$GITHUB_OUTPUT"
#
# Prints (stdout, one name=value line each):
#   image=ghcr.io/<owner>/demo:X.Y.Z          image-name=ghcr.io/<owner>/demo
#   image-digest=sha256:...                   (the multi-platform image index)
#   chart=ghcr.io/<owner>/charts/demo:X.Y.Z   chart-name=ghcr.io/<owner>/charts/demo
#   chart-digest=sha256:...
# Each digest is read back from the registry with crane (`crane digest`, then the manifest
# fetched by that digest, which crane checks hashes to it) and must equal the one the pushing
# tool reported (buildctl's "pushing manifest for", helm push's "Digest:"): a tag moved by
# someone else in between fails the run. release.sh's own output goes to stderr.
# Needs helm, yq, buildctl (release.sh) and crane (scripts/tools.sh release). Credentials: those
# of ~/.docker/config.json (docker login, docker/login-action); TLS: the system CAs, or SSL_CERT_FILE.
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
cd "$REPO_ROOT"
need crane "scripts/tools.sh release installs it"

tag=${1:-}
[[ -n $tag ]] || die "usage: OWNER=<owner> $0 vX.Y.Z"
version=${tag#v}
owner=${OWNER:-${GITHUB_REPOSITORY_OWNER:-}}
[[ -n $owner ]] || die "set OWNER (or GITHUB_REPOSITORY_OWNER)"
owner=${owner,,}
registry=${REGISTRY:-ghcr.io}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# release.sh's stderr is shown and kept (its last stdout line is the image reference).
bash scripts/release.sh "$tag" 2>&1 >"$work/stdout" | tee "$work/release.log" >&2
image=$(tail -n 1 "$work/stdout")
image_name=$registry/$owner/demo
chart_name=$registry/$owner/charts/demo
chart=$chart_name:$version
[[ $image == "$image_name:$version" ]] || die "release.sh published '$image', expected $image_name:$version"

digest_of() { # digest_of REF WHAT REPORTED: the registry's digest, checked against the tool's
  local ref=$1 what=$2 reported=$3 digest
  digest=$(crane digest "$ref") || die "cannot read the digest of $ref back from the registry"
  [[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || die "crane digest $ref printed '$digest'"
  crane manifest "$ref@$digest" >/dev/null || die "the manifest of $ref does not hash to $digest, the digest the registry gave"
  if [[ -z $reported ]]; then
    say "warning: the $what output names no digest for $ref; using the registry's"
  elif [[ $reported != "$digest" ]]; then
    die "$ref is $digest in the registry, but $what pushed $reported"
  fi
  echo "$digest"
}
pushed_image=$(grep -oE "pushing manifest for $image@sha256:[0-9a-f]{64}" "$work/release.log" | tail -n 1 | sed 's/.*@//' || true)
pushed_chart=$(grep -A1 -F "Pushed: $chart" "$work/release.log" | grep -oE '^Digest: sha256:[0-9a-f]{64}' | tail -n 1 | cut -d' ' -f2 || true)
image_digest=$(digest_of "$image" buildctl "$pushed_image")
chart_digest=$(digest_of "$chart" "helm push" "$pushed_chart")

say "$image@$image_digest"
say "$chart@$chart_digest"
cat <<OUT
image=$image
image-name=$image_name
image-digest=$image_digest
chart=$chart
chart-name=$chart_name
chart-digest=$chart_digest
OUT
