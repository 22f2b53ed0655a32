#!/usr/bin/env bash
# Prints the path of the root filesystem holding MySQL 9 (Debian sid's mysql-server), built
# once and cached by debian-rootfs.sh: the one place that names the suite and the package for
# the users tests (src/testing/mysql-flavours.ts runs it) and scripts/test.sh (builds it first).
exec bash "$(dirname "$0")/debian-rootfs.sh" sid mysql-server
