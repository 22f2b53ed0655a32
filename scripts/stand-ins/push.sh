#!/usr/bin/env bash
# Puts into the stand-in registry (scripts/cluster/registry.sh) what a user's machine pulls
# from the internet during a release and an install, under the very same names:
#
#   scripts/stand-ins/push.sh
#
# - the Dockerfile's two base images, read from its FROM lines:
#     oven/bun:<v>                        linux/amd64 (bun.Dockerfile)
#     gcr.io/distroless/base-nossl-...    linux/amd64 + linux/arm64 (distroless.Dockerfile)
#   built by BuildKit from root filesystems assembled out of Debian packages (the arm64 ones
#   from Debian's arm64 archive) and, for bun, the bun binary from the npm registry;
# - the two images the chart's defaults run, docker.io/bitnamilegacy/{mysql,redis}:<tag> (the tags
#   users/Chart.yaml names), linux/amd64: Debian's mysql-server (sid) and redis-server (trixie)
#   with entrypoint scripts of our own (bitnamilegacy.sh, bitnamilegacy/, bitnamilegacy-*.Dockerfile);
# - Jaeger, $JAEGER_IMAGE (scripts/cluster/lib.sh), linux/amd64: the jaeger binary scripts/tools.sh
#   built from the Go module proxy, as the real image holds it (jaeger.Dockerfile), for the
#   traces step (scripts/e2e/25-traces.e2e.ts);
# - the Bitnami mysql and redis charts (scripts/stand-ins/bitnami-charts.sh finds them) as
#   oci://registry-1.docker.io/bitnamicharts/<name>, where users/Chart.yaml fetches them.
# Root filesystems are cached in $DEMO_CLUSTER_CACHE/stand-ins, keyed by package versions (the
# Bitnami ones in $DEMO_CLUSTER_CACHE/rootfs, by debian-rootfs.sh).
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../cluster/lib.sh"
need_root
HERE="$REPO_ROOT/scripts/stand-ins"
CACHE="$CACHE_ROOT/stand-ins"
buildctl() { as_public "$RELEASE_TOOLS_BIN/buildctl" "$@"; }
helm_() { as_public "${HELM:-helm}" "$@"; }

# ---- Debian packages for any architecture (apt with a private package list per arch) ----
apt_arch() { # ARCH APT-GET-OR-CACHE ARGS...
  local arch=$1 tool=$2; shift 2
  local d="$CACHE/apt-$arch"
  "$tool" -qq -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache" -o Dir::State::status=/dev/null \
    -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch" -o APT::Sandbox::User=root "$@"
}
apt_lists() { # ARCH: the package lists, refreshed daily
  local d="$CACHE/apt-$1"
  if [[ -z $(find "$d/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1) ]]; then
    mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
    apt_arch "$1" apt-get update || die "apt-get update for $1 failed"
  fi
}

# rootfs NAME ARCH PKG...: prints the path of a cached root filesystem holding the packages
# (unpacked, no maintainer scripts run), assembling it when the package versions changed.
rootfs() {
  local name=$1 arch=$2; shift 2
  apt_lists "$arch"
  local versions="" p v
  for p in "$@"; do
    v=$(apt_arch "$arch" apt-cache policy "$p" | awk '/Candidate:/ {print $2}')
    [[ -n $v && $v != "(none)" ]] || die "no $arch candidate for $p"
    versions+="$p=$v "
  done
  local dir
  dir="$CACHE/$name-$arch-$(echo "$versions" | sha256sum | cut -c1-16)"
  if [[ ! -f $dir/.complete ]]; then
    log "stand-in $name ($arch): $versions" 
    rm -rf "$dir"; mkdir -p "$dir/debs" "$dir/rootfs/var/lib/dpkg/status.d"
    chmod 0755 "$dir/debs"
    (cd "$dir/debs" && apt_arch "$arch" apt-get download "$@") || die "apt-get download for $arch failed"
    local deb
    for deb in "$dir"/debs/*.deb; do
      dpkg-deb -x "$deb" "$dir/rootfs"
      # what a scanner reads in a distroless image
      dpkg-deb -f "$deb" >"$dir/rootfs/var/lib/dpkg/status.d/$(dpkg-deb -f "$deb" Package)"
    done
    rm -rf "$dir/debs"
    base_files "$dir/rootfs"
    touch "$dir/.complete"
  fi
  echo "$dir/rootfs"
}

# What the packages' maintainer scripts and the real images add: the CA bundle, users,
# name service, a writable /tmp; docs other than licences go.
base_files() {
  local root=$1
  mkdir -p "$root/etc/ssl/certs" "$root/tmp" "$root/root" "$root/usr/local/bin"
  find "$root/usr/share/ca-certificates" -name '*.crt' 2>/dev/null | sort | xargs -r cat >"$root/etc/ssl/certs/ca-certificates.crt"
  find "$root/usr/share/doc" -type f ! -name copyright -delete 2>/dev/null || true
  rm -rf "$root/usr/share/man" "$root/usr/share/info" "$root/usr/share/lintian"
  chmod 1777 "$root/tmp"; chmod 0700 "$root/root"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\ntty:x:5:\nstaff:x:50:\nnogroup:x:65534:\nnonroot:x:65532:\n' >"$root/etc/group"
  printf 'hosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n' >"$root/etc/nsswitch.conf"
  cp /usr/lib/os-release "$root/etc/os-release"
  echo 'include /etc/ld.so.conf.d/*.conf' >"$root/etc/ld.so.conf"
  ldconfig -r "$root" || die "ldconfig -r $root failed"   # /etc/ld.so.cache, as the real images have
  ln -sf /usr/share/zoneinfo/Etc/UTC "$root/etc/localtime"
}

# build_push DOCKERFILE CONTEXT PLATFORMS NAME: BuildKit builds and pushes NAME.
build_push() {
  buildctl build --frontend dockerfile.v0 --local "context=$2" --local "dockerfile=$HERE" \
    --opt "filename=$(basename "$1")" --opt "platform=$3" \
    --output "type=image,name=$4,push=true,oci-mediatypes=true" --progress plain >"$LOGS/stand-in-$(basename "$1").log" 2>&1 ||
    { tail -30 "$LOGS/stand-in-$(basename "$1").log" >&2; die "building the stand-in $4 failed"; }
  log "pushed stand-in $4 ($3)"
}

# ---- the two base images, named as the Dockerfile names them ----------------------------
from_image() { awk -v m="$1" 'toupper($1) == "FROM" { for (i = 2; i <= NF; i++) if (index($i, m)) { print $i; exit } }' "$REPO_ROOT/Dockerfile"; }
bun_image=$(from_image oven/bun:)
distroless_image=$(from_image gcr.io/distroless/)
[[ -n $bun_image && -n $distroless_image ]] || die "the Dockerfile has no FROM oven/bun:... or FROM gcr.io/distroless/..."

ctx=$(mktemp -d); trap 'rm -rf "$ctx"' EXIT
for arch in amd64 arm64; do
  cp -a "$(rootfs distroless "$arch" libc6 ca-certificates tzdata netbase)" "$ctx/rootfs-$arch"
done
mkdir -p "$ctx/home/nonroot"; chmod 0700 "$ctx/home/nonroot"
build_push distroless.Dockerfile "$ctx" linux/amd64,linux/arm64 "$distroless_image"

rm -rf "${ctx:?}"/*
bun_version=${bun_image##*:}
cp -a "$(rootfs bun amd64 libc6 libgcc-s1 gcc-12-base bash libtinfo6 dash coreutils libacl1 libattr1 \
  libgmp10 libselinux1 libpcre2-8-0 ca-certificates)" "$ctx/rootfs-amd64"
bun_tgz="$CACHE/bun-linux-x64-$bun_version.tgz"
if [[ ! -f $bun_tgz ]]; then
  (cd "$CACHE" && npm pack --silent "@oven/bun-linux-x64@$bun_version" >/dev/null) || die "npm pack @oven/bun-linux-x64@$bun_version failed"
  mv "$CACHE/oven-bun-linux-x64-$bun_version.tgz" "$bun_tgz"
fi
tar -xzf "$bun_tgz" -C "$ctx" package/bin/bun
install -m 0755 "$ctx/package/bin/bun" "$ctx/rootfs-amd64/usr/local/bin/bun"
ln -sf bun "$ctx/rootfs-amd64/usr/local/bin/bunx"
[[ -e $ctx/rootfs-amd64/bin/sh ]] || ln -s dash "$ctx/rootfs-amd64/bin/sh"
# This machine reaches the npm registry through an egress proxy whose CA only the host trusts:
# the build stage's `bun install` needs the host's bundle (the real image on a user's machine
# does not).
cp /etc/ssl/certs/ca-certificates.crt "$ctx/rootfs-amd64/etc/ssl/certs/ca-certificates.crt"
build_push bun.Dockerfile "$ctx" linux/amd64 "$bun_image"

# ---- the Bitnami images the chart's defaults pull (bitnamilegacy.sh assembles the contexts) ------
for app in mysql redis; do
  rm -rf "${ctx:?}"/*
  image=$(bash "$HERE/bitnamilegacy.sh" "$app" "$ctx") || die "assembling the stand-in for bitnamilegacy/$app failed"
  build_push "bitnamilegacy-$app.Dockerfile" "$ctx" linux/amd64 "$image"
done

# ---- Jaeger, from the binary scripts/tools.sh built -------------------------------------
jaeger_bin="${DEMO_TOOLS_DIR:-$HOME/.cache/demo-tools}/bin/jaeger"
[[ -x $jaeger_bin ]] || die "no $jaeger_bin: run scripts/tools.sh (or scripts/tools.sh jaeger) first"
rm -rf "${ctx:?}"/*
install -m 0755 "$jaeger_bin" "$ctx/jaeger-linux"
build_push jaeger.Dockerfile "$ctx" linux/amd64 "$JAEGER_IMAGE"

# ---- the Bitnami charts -----------------------------------------------------------------
bitnami_charts=$(bash "$HERE/bitnami-charts.sh") || die "no Bitnami chart packages to push"
for tgz in "$bitnami_charts"/*.tgz; do
  helm_ push "$tgz" oci://registry-1.docker.io/bitnamicharts >/dev/null 2>"$LOGS/stand-in-helm-push.log" ||
    { cat "$LOGS/stand-in-helm-push.log" >&2; die "helm push $tgz failed"; }
  log "pushed stand-in oci://registry-1.docker.io/bitnamicharts/$(basename "$tgz" .tgz)"
done
