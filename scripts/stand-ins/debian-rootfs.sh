#!/usr/bin/env bash
# Prints the path of a root filesystem holding Debian packages of SUITE (with their
# dependencies), assembled once by mmdebstrap and cached: the way to run servers that this
# Debian 12 host cannot install (MySQL 9 from sid, Redis 8 from trixie need a newer glibc)
# without touching the host.
#
#   root=$(bash scripts/stand-ins/debian-rootfs.sh sid mysql-server)
#   "$root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" --library-path "$root/usr/lib/x86_64-linux-gnu" "$root/usr/sbin/mysqld" ...
#
# The packages are unpacked, their maintainer scripts not run (mmdebstrap's extract
# variant); /bin, /sbin, /lib and /lib64 link into /usr as on an installed Debian. The cache
# ($DEMO_CLUSTER_CACHE/rootfs, default /var/cache/demo-cluster/rootfs) is keyed by suite,
# architecture and package names, not versions: sid moves, and a cached tree keeps the
# versions it was built with (listed in <root>/.versions; delete the tree to take newer ones).
# Needs root (mmdebstrap, apt-get install mmdebstrap).
# Callers: scripts/stand-ins/push.sh (the bitnamilegacy stand-in images), scripts/test.sh
# (MySQL 9 for the users tests).
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
(($# >= 2)) || die "usage: debian-rootfs.sh SUITE PACKAGE..."
suite=$1; shift
arch=${DEBIAN_ROOTFS_ARCH:-amd64}
mapfile -t pkgs < <(printf '%s\n' "$@" | sort -u)
cache=${DEMO_CLUSTER_CACHE:-/var/cache/demo-cluster}/rootfs
key=$(printf '%s ' "$suite" "$arch" "${pkgs[@]}" | sha256sum | cut -c1-16)
dir=$cache/$suite-$arch-$key
if [[ ! -f $dir/.complete ]]; then
  # Tests ask with DEBIAN_ROOTFS_CACHED_ONLY=1: they must not spend minutes building (or fail on
  # a non-root user) inside a test's time limit; scripts/test.sh builds it first.
  [[ -z ${DEBIAN_ROOTFS_CACHED_ONLY:-} ]] || die "no root filesystem of $suite ${pkgs[*]} in $cache: build it as root with: bash scripts/stand-ins/debian-rootfs.sh $suite ${pkgs[*]} (scripts/test.sh does)"
  command -v mmdebstrap >/dev/null || die "mmdebstrap is missing (apt-get install mmdebstrap; scripts/tools.sh apt installs it)"
  mkdir -p "$cache"
  exec 8>"$cache/.lock"; flock 8   # one builder at a time; another may have just built it
  if [[ ! -f $dir/.complete ]]; then
    echo "debian-rootfs.sh: assembling $suite/$arch: ${pkgs[*]}" >&2
    rm -rf "$dir" "$dir.tmp"
    # Check-Valid-Until off: a mirror that serves a dated snapshot of the archive (this
    # machine's) has an expired Release file; the signatures are still checked.
    mmdebstrap --quiet --variant=extract --aptopt='Acquire::Check-Valid-Until "false"'  --architectures="$arch" --include="$(IFS=,; echo "${pkgs[*]}")" \
      --customize-hook='for d in bin sbin lib lib64; do [ -e "$1/$d" ] || [ ! -d "$1/usr/$d" ] || ln -s "usr/$d" "$1/$d"; done' \
      --skip=cleanup/apt/cache \
      "$suite" "$dir.tmp" >&2 || die "mmdebstrap $suite ${pkgs[*]} failed"
    ls "$dir.tmp/var/cache/apt/archives" | sed -n 's/\.deb$//p' >"$dir.tmp/.versions"
    rm -f "$dir.tmp"/var/cache/apt/archives/*.deb
    touch "$dir.tmp/.complete"
    mv "$dir.tmp" "$dir"
  fi
fi
echo "$dir"
