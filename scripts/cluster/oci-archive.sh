#!/usr/bin/env bash
# Build a directory's Dockerfile with BuildKit into an OCI archive that `ctr images import`
# names NAME (the index carries io.containerd.image.name), with no registry and no daemon
# left behind: a throwaway buildkitd (runc worker, native snapshotter, its own root and
# socket) runs for the build only. The cluster needs its pause and CoreDNS images before
# anything else runs, so this cannot use registry.sh's buildkitd.
#
#   scripts/cluster/oci-archive.sh CONTEXT NAME OUT.tar
#   e.g. CONTEXT holds `FROM scratch`, `COPY rootfs/ /`, `ENTRYPOINT ["/pause"]` and rootfs/
#
# Called by build.sh (pause and CoreDNS). Layers are reproducible (SOURCE_DATE_EPOCH=0, file
# times rewritten). Builds BuildKit first when $RELEASE_TOOLS_BIN has none (build-release-tools.sh).
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_root
(($# == 3)) || die "usage: $0 CONTEXT NAME OUT.tar"
context=$1 name=$2 out=$3
[[ -f $context/Dockerfile ]] || die "no Dockerfile in $context"
[[ -f $RELEASE_TOOLS_BIN/.complete ]] || bash "$CLUSTER_DIR/build-release-tools.sh"
need runc "apt-get install runc (build.sh installs it)"

tmp=$(mktemp -d /tmp/demo-oci-archive.XXXXXX)
pid=""
cleanup() {
  if [[ -n $pid ]]; then kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
addr="unix://$tmp/buildkitd.sock"
"$RELEASE_TOOLS_BIN/buildkitd" --root "$tmp/root" --addr "$addr" --containerd-worker=false \
  --oci-worker=true --oci-worker-binary "$(command -v runc)" --oci-worker-snapshotter native \
  --oci-worker-net host --oci-worker-gc=false >"$tmp/buildkitd.log" 2>&1 </dev/null &
pid=$!
buildctl() { "$RELEASE_TOOLS_BIN/buildctl" --addr "$addr" "$@"; }
wait_for 60 "buildkitd on $addr" buildctl debug workers ||
  { tail -20 "$tmp/buildkitd.log" >&2; die "buildkitd did not start"; }
buildctl build --frontend dockerfile.v0 --local "context=$context" --local "dockerfile=$context" \
  --opt build-arg:SOURCE_DATE_EPOCH=0 \
  --output "type=oci,dest=$out.tmp,name=$name,rewrite-timestamp=true" --progress plain >"$tmp/build.log" 2>&1 ||
  { tail -30 "$tmp/build.log" >&2; rm -f "$out.tmp"; die "building $name from $context failed"; }
chmod 0644 "$out.tmp"   # buildctl writes it 0666
mv -f "$out.tmp" "$out"
log "image $name: $out"
