# shellcheck shell=bash
# /opt/bitnami/scripts/libfs.sh of the stand-in bitnamilegacy images: the one function the Bitnami
# mysql chart's init container calls (`. /opt/bitnami/scripts/libfs.sh; is_dir_empty DIR`).
# Written for this project; not Bitnami's code.

# is_dir_empty DIR: true when DIR is missing or holds nothing (dot files count).
is_dir_empty() { [[ -z $(ls -A "$1" 2>/dev/null) ]]; }
