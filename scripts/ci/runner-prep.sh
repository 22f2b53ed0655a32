#!/usr/bin/env bash
# Makes room on a GitHub ubuntu-24.04 runner for the Debian/Ubuntu packages this project
# installs (scripts/tools.sh, scripts/cluster/build.sh), by purging what the runner image
# preinstalled that conflicts with them:
#
#   mysql       MySQL 8.0 (mysql-server-*, mysql-client-*): MariaDB's packages conflict with
#               it (mariadb-server-core: Conflicts mysql-server-8.0, Breaks mysql-client-8.0)
#   containerd  Docker's containerd.io and what depends on it (docker-ce, ...): Debian's
#               containerd and runc, which the self-built cluster uses, conflict with it
#
#   scripts/ci/runner-prep.sh mysql [containerd]      (as root, or through sudo)
#
# Only on GitHub Actions (GITHUB_ACTIONS=true): anywhere else it prints what it would purge
# and changes nothing.
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

(($#)) || die "usage: $0 mysql|containerd..."
installed() { # installed GLOB...: installed packages matching any of the globs
  dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null | awk '$NF == "installed" { print $1 }'
}
purge=() stop=()
# Each item stops only its own services before the purge: `mysql` leaves Docker running (the
# test job's later steps and actions may use it). `containerd` stops docker.socket too, or a
# connection to the socket starts Docker again while its packages are being removed.
for what in "$@"; do
  case $what in
    mysql) mapfile -t -O "${#purge[@]}" purge < <(installed 'mysql-server*' 'mysql-client*')
      stop+=(mysql.service) ;;
    containerd) mapfile -t -O "${#purge[@]}" purge < <(installed containerd.io 'docker-ce*' docker-buildx-plugin docker-compose-plugin 'moby-*')
      stop+=(docker.socket docker.service containerd.service) ;;
    *) die "unknown: $what (mysql, containerd)" ;;
  esac
done
if ((${#purge[@]} == 0)); then
  say "nothing to purge for: $*"
  exit 0
fi
if [[ ${GITHUB_ACTIONS:-} != true ]]; then
  say "not on GitHub Actions: would purge ${purge[*]}; nothing changed"
  exit 0
fi
sudo=()
[[ $(id -u) == 0 ]] || sudo=(sudo)
say "stopping ${stop[*]}; purging ${purge[*]}"
"${sudo[@]}" systemctl stop "${stop[@]}" 2>/dev/null || true
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${purge[@]}"
