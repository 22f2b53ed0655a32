#!/usr/bin/env bash
# Assembles the build context of a stand-in for one of the two Bitnami images the chart's
# defaults pull, and prints the image name (read from charts/demo/charts/users/Chart.yaml's
# artifacthub.io/images, which names what the defaults run):
#
#   image=$(bash scripts/stand-ins/bitnamilegacy.sh mysql CONTEXT_DIR)   # or redis
#
# Caller: scripts/stand-ins/push.sh, which builds CONTEXT_DIR with bitnamilegacy-NAME.Dockerfile.
# CONTEXT_DIR gets rootfs/ (Debian's server packages from debian-rootfs.sh: MySQL from sid, Redis
# from trixie, the versions the cached tree holds, listed in its .versions), overlay/ (the
# entrypoint scripts of bitnamilegacy/, which this project wrote from what the charts rely on,
# the /opt/bitnami layout, passwd) and owned-app/, owned-volume/ (the directories uid 1001 writes
# when no chart mounts them). Needs root (debian-rootfs.sh).
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
(($# == 2)) || die "usage: bitnamilegacy.sh mysql|redis CONTEXT_DIR"
name=$1 ctx=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$here/bitnamilegacy

# Debian suites and packages: the server, and what the entrypoints, the chart's scripts and
# probes run (bash, cp/cat/timeout/head/date from coreutils, awk, grep, sed, gzip, find).
case $name in
  mysql) suite=sid pkgs=(mysql-server bash coreutils mawk grep sed gzip findutils) ;;
  redis) suite=trixie pkgs=(redis-server redis-tools bash coreutils mawk grep sed) ;;
  *) die "no stand-in for $name (mysql or redis)" ;;
esac
image=$(grep -o "docker\.io/bitnamilegacy/$name:[^[:space:]]*" "$REPO_ROOT/charts/demo/charts/users/Chart.yaml" | head -1)
[[ -n $image ]] || die "charts/demo/charts/users/Chart.yaml names no docker.io/bitnamilegacy/$name image"

root=$(bash "$here/debian-rootfs.sh" "$suite" "${pkgs[@]}")
cp -a "$root/." "$ctx/rootfs"
rm -f "$ctx/rootfs/.complete"
# What an image needs not carry: apt's caches, manuals, documentation other than the licences.
rm -rf "$ctx/rootfs/var/cache/apt" "$ctx/rootfs/usr/share/man" "$ctx/rootfs/usr/share/info"
find "$ctx/rootfs/usr/share/doc" -type f ! -name copyright -delete

o=$ctx/overlay
mkdir -p "$o/etc" "$o/tmp" "$o/bitnami" "$o/opt/bitnami/scripts/$name" "$o/opt/bitnami/$name" \
  "$ctx/owned-app" "$ctx/owned-volume/$name"
chmod 1777 "$o/tmp"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\n%s:x:1001:1001::/opt/bitnami/%s:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' "$name" "$name" >"$o/etc/passwd"
printf 'root:x:0:\n%s:x:1001:\nnogroup:x:65534:\n' "$name" >"$o/etc/group"
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' >"$o/etc/hosts"   # Kubernetes and Docker mount their own
printf 'passwd: files\ngroup: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n' >"$o/etc/nsswitch.conf"
install -m 0644 "$src/libstandin.sh" "$src/libfs.sh" "$o/opt/bitnami/scripts/"
install -m 0755 "$src/$name-entrypoint.sh" "$o/opt/bitnami/scripts/$name/entrypoint.sh"
install -m 0755 "$src/$name-run.sh" "$o/opt/bitnami/scripts/$name/run.sh"
ln -s /usr/bin "$o/opt/bitnami/$name/bin"
# awk is an alternatives link (update-alternatives, not run by the extract variant).
mkdir -p "$o/usr/bin"; ln -s mawk "$o/usr/bin/awk"

case $name in
  mysql)
    # The chart's my.cnf says basedir=/opt/bitnami/mysql: the server looks for its messages in
    # <basedir>/share/mysql and its plugins in lib/plugin there. Debian's clients read
    # /etc/mysql/my.cnf: the file the chart mounts. Debian's compiled secure_file_priv
    # directory must exist for the server to start.
    ln -s /usr/sbin "$o/opt/bitnami/mysql/sbin"
    ln -s /usr/share "$o/opt/bitnami/mysql/share"
    mkdir -p "$o/opt/bitnami/mysql/lib" "$o/opt/bitnami/mysql/conf" "$o/etc/mysql" "$o/var/lib/mysql-files" \
      "$o/docker-entrypoint-initdb.d" "$o/docker-entrypoint-startdb.d"
    ln -s /usr/lib/mysql/plugin "$o/opt/bitnami/mysql/lib/plugin"
    install -m 0644 "$src/my.cnf" "$o/opt/bitnami/mysql/conf/my.cnf"
    ln -sf /opt/bitnami/mysql/conf/my.cnf "$o/etc/mysql/my.cnf"
    # The error log the chart's my.cnf names goes to the container's stderr (the chart's
    # init container copies this link into the emptyDir it mounts there).
    mkdir -p "$ctx/owned-app/tmp" "$ctx/owned-app/logs"
    ln -s /dev/stderr "$ctx/owned-app/logs/mysqld.log"
    mkdir -p "$ctx/owned-volume/mysql/data"
    ;;
  redis)
    mkdir -p "$ctx/owned-app/etc" "$ctx/owned-app/tmp" "$ctx/owned-volume/redis/data"
    ;;
esac
echo "$image"
