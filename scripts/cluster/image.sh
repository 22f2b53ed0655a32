#!/usr/bin/env bash
# Build the demo image without Docker and import it into the local cluster's containerd.
#
#   scripts/cluster/image.sh TAG [BINARY]
#
# The same content as the Dockerfile's final stage, assembled here from Debian
# packages (a distroless-equivalent base): glibc (libc6), ca-certificates, tzdata,
# netbase, /etc/passwd and /etc/group with nonroot 65532, /tmp, /home/nonroot; then
# BINARY (default dist/demo-linux-x64, from scripts/build.sh) at /usr/local/bin/demo,
# USER 65532, entrypoint the binary. Every shared library the binary needs must be in
# the base, or this fails. Written to $DEMO_CLUSTER_DIR/images/ as an OCI archive and,
# when the cluster is up, imported as ghcr.io/example/demo:TAG.
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_root

APP_REPOSITORY="${DEMO_IMAGE_REPOSITORY:-ghcr.io/example/demo}"
tag=${1:-}; binary=${2:-$REPO_ROOT/dist/demo-linux-x64}
[[ -n $tag ]] || die "usage: $0 TAG [BINARY]   (image: $APP_REPOSITORY:TAG)"
[[ -f $binary ]] || die "no binary at $binary: run scripts/build.sh first (or pass one)"
image="$APP_REPOSITORY:$tag"
t0=$SECONDS

# ---- base rootfs, cached by the exact package versions --------------------------------
base_pkgs=(libc6 ca-certificates tzdata netbase)
versions=""
for p in "${base_pkgs[@]}"; do
  v=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')
  if [[ -z $v || $v == "(none)" ]]; then apt-get update -qq; v=$(apt-cache policy "$p" | awk '/Candidate:/ {print $2}'); fi
  [[ -n $v && $v != "(none)" ]] || die "apt has no candidate for $p"
  versions+="$p=$v "
done
base_key=$(echo "$versions" | sha256sum | cut -c1-16)
base="$CACHE_ROOT/base-$base_key/rootfs"
if [[ ! -f $base/../.complete ]]; then
  log "base: assembling from Debian packages: $versions"
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  chmod 0755 "$tmp"   # apt's download user must be able to write there
  (cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root "${base_pkgs[@]}" >/dev/null) || die "apt-get download ${base_pkgs[*]} failed"
  root="$tmp/rootfs"; mkdir -p "$root/var/lib/dpkg/status.d"
  for deb in "$tmp"/*.deb; do
    dpkg-deb -x "$deb" "$root"
    name=$(dpkg-deb -f "$deb" Package)
    dpkg-deb -f "$deb" >"$root/var/lib/dpkg/status.d/$name"   # for image scanners, as distroless does
  done
  # ca-certificates ships the certificates; its postinst would build the bundle.
  mkdir -p "$root/etc/ssl/certs"
  find "$root/usr/share/ca-certificates" -name '*.crt' | sort | xargs cat >"$root/etc/ssl/certs/ca-certificates.crt"
  # Keep licences, drop the rest of the docs and anything that needs a shell.
  find "$root/usr/share/doc" -type f ! -name copyright -delete 2>/dev/null || true
  rm -rf "${root:?}/usr/share/man" "$root/usr/share/lintian" "$root/usr/share/info" "${root:?}/usr/sbin" "${root:?}/sbin" "${root:?}/usr/bin"
  mkdir -p "$root/tmp" "$root/home/nonroot" "$root/root" "$root/usr/local/bin" "$root/etc"
  chmod 1777 "$root/tmp"; chmod 0700 "$root/root" "$root/home/nonroot"; chown 65532:65532 "$root/home/nonroot"
  cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
  cat >"$root/etc/group" <<'EOF'
root:x:0:
tty:x:5:
staff:x:50:
nogroup:x:65534:
nonroot:x:65532:
EOF
  printf 'hosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n' >"$root/etc/nsswitch.conf"
  cp /usr/lib/os-release "$root/etc/os-release"
  echo 'include /etc/ld.so.conf.d/*.conf' >"$root/etc/ld.so.conf"
  ldconfig -r "$root"   # /etc/ld.so.cache, as the real base has
  ln -sf /usr/share/zoneinfo/Etc/UTC "$root/etc/localtime"
  rm -rf "$(dirname "$base")"; mkdir -p "$(dirname "$base")"
  mv "$root" "$base"
  touch "$base/../.complete"
  rm -rf "$tmp"; trap - EXIT
fi

# ---- every shared library the binary asks for must be in the base ---------------------
if readelf -h "$binary" >/dev/null 2>&1; then
  interp=$(readelf -l "$binary" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
  [[ -z $interp || -e $base$interp ]] || die "$binary needs $interp, which the base does not have"
  for lib in $(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    found=""
    for d in lib/x86_64-linux-gnu usr/lib/x86_64-linux-gnu lib64 lib usr/lib; do
      [[ -e $base/$d/$lib ]] && { found=1; break; }
    done
    [[ -n $found ]] || die "$binary needs $lib, which the base does not have (add its Debian package to base_pkgs)"
  done
fi

# ---- app layer and the image archive ------------------------------------------------------
out_dir="$STATE/images"; mkdir -p "$out_dir"
app=$(mktemp -d); trap 'rm -rf "$app"' EXIT
install -D -m 0755 "$binary" "$app/usr/local/bin/demo"
archive="$out_dir/demo-$tag.tar"
python3 "$CLUSTER_DIR/oci-image.py" --name "$image" --out "$archive" \
  --layer "$base" --layer "$app" \
  --entrypoint '["/usr/local/bin/demo"]' --cmd '["--help"]' --user 65532:65532 --workdir /home/nonroot --expose 8080/tcp \
  --env PATH=/usr/local/bin:/usr/bin:/bin --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
  --label org.opencontainers.image.source=https://github.com/example/demo \
  --label "org.opencontainers.image.version=$tag" >/dev/null
log "image $image: $archive ($(du -h "$archive" | cut -f1))"

if [[ -S $CONTAINERD_SOCK ]]; then
  ctr --address "$CONTAINERD_SOCK" --namespace k8s.io images import "$archive" >/dev/null ||
    die "ctr images import $archive failed"
  log "imported $image into the cluster's containerd ($((SECONDS - t0))s)"
else
  log "cluster not up: archive only (up.sh, then run this again to import)"
fi
