#!/usr/bin/env python3
"""Pack directories into an OCI image archive that `ctr images import` accepts.

No Docker engine, no registry: each --layer DIR becomes one uncompressed tar layer
(sorted entries, fixed mtimes, owners and modes as they are on disk, hard links
kept), plus an image config and manifest, written as an OCI image layout in a tar.
The index carries `io.containerd.image.name`, so the import is named NAME.

  oci-image.py --name ghcr.io/example/demo:1.0 --out demo.tar \
      --layer rootfs/ --layer app/ --entrypoint '["/usr/local/bin/demo"]' \
      --user 65532:65532 --env PATH=/usr/local/bin:/usr/bin:/bin
"""

import argparse
import hashlib
import io
import json
import os
import sys
import tarfile
import tempfile

EPOCH = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
CREATED = "1970-01-01T00:00:00Z" if EPOCH == 0 else None


class HashingWriter(io.RawIOBase):
    """File object that writes through to `f` and keeps a sha256 and size."""

    def __init__(self, f):
        self.f, self.sha, self.size = f, hashlib.sha256(), 0

    def writable(self):
        return True

    def write(self, b):
        self.f.write(b)
        self.sha.update(b)
        self.size += len(b)
        return len(b)


def layer_from_dir(root, out_path):
    """Write DIR as a tar layer to out_path; return (digest, size)."""
    with open(out_path, "wb") as raw:
        hw = HashingWriter(raw)
        with tarfile.open(fileobj=hw, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            entries = []
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames.sort()
                for name in sorted(dirnames + filenames):
                    entries.append(os.path.join(dirpath, name))
            entries.sort(key=lambda p: os.path.relpath(p, root).split(os.sep))
            for path in entries:
                rel = os.path.relpath(path, root)
                info = tar.gettarinfo(path, arcname=rel)
                info.mtime = EPOCH
                info.uname = info.gname = ""
                if info.isreg():
                    with open(path, "rb") as f:
                        tar.addfile(info, f)
                else:
                    tar.addfile(info)
    return "sha256:" + hw.sha.hexdigest(), hw.size


def add_bytes(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), EPOCH, 0o644
    tar.addfile(info, io.BytesIO(data))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--name", required=True, help="full image reference, e.g. ghcr.io/example/demo:1.0")
    ap.add_argument("--out", required=True, help="archive to write (tar)")
    ap.add_argument("--layer", action="append", required=True, help="directory to pack as a layer (in order)")
    ap.add_argument("--entrypoint", help="JSON array")
    ap.add_argument("--cmd", help="JSON array")
    ap.add_argument("--user")
    ap.add_argument("--workdir")
    ap.add_argument("--env", action="append", default=[])
    ap.add_argument("--label", action="append", default=[], help="key=value")
    ap.add_argument("--expose", action="append", default=[], help="port/proto, e.g. 8080/tcp")
    ap.add_argument("--arch", default="amd64")
    a = ap.parse_args()

    tag = a.name.rsplit(":", 1)[1] if ":" in a.name.rsplit("/", 1)[-1] else "latest"
    cfg = {"Env": a.env or ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}
    if a.entrypoint:
        cfg["Entrypoint"] = json.loads(a.entrypoint)
    if a.cmd:
        cfg["Cmd"] = json.loads(a.cmd)
    if a.user:
        cfg["User"] = a.user
    if a.workdir:
        cfg["WorkingDir"] = a.workdir
    if a.expose:
        cfg["ExposedPorts"] = {p: {} for p in a.expose}
    if a.label:
        cfg["Labels"] = dict(kv.split("=", 1) for kv in a.label)

    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(a.out))) as tmp:
        layers = []
        for i, d in enumerate(a.layer):
            if not os.path.isdir(d):
                sys.exit(f"oci-image: --layer {d}: not a directory")
            p = os.path.join(tmp, f"layer{i}.tar")
            digest, size = layer_from_dir(d, p)
            layers.append((p, digest, size))

        config = {
            "architecture": a.arch,
            "os": "linux",
            "config": cfg,
            "rootfs": {"type": "layers", "diff_ids": [d for _, d, _ in layers]},
            "history": [{"created_by": f"oci-image.py --layer {d}"} for d in a.layer],
        }
        if CREATED:
            config["created"] = CREATED
        config_b = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
        config_d = "sha256:" + hashlib.sha256(config_b).hexdigest()
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_d, "size": len(config_b)},
            "layers": [
                {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": s} for _, d, s in layers
            ],
        }
        manifest_b = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
        manifest_d = "sha256:" + hashlib.sha256(manifest_b).hexdigest()
        index = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [
                {
                    "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "digest": manifest_d,
                    "size": len(manifest_b),
                    "platform": {"architecture": a.arch, "os": "linux"},
                    "annotations": {"io.containerd.image.name": a.name, "org.opencontainers.image.ref.name": tag},
                }
            ],
        }
        out_tmp = a.out + ".tmp"
        with tarfile.open(out_tmp, "w", format=tarfile.PAX_FORMAT) as out:
            add_bytes(out, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
            add_bytes(out, "index.json", json.dumps(index, sort_keys=True).encode())
            add_bytes(out, "blobs/sha256/" + config_d[7:], config_b)
            add_bytes(out, "blobs/sha256/" + manifest_d[7:], manifest_b)
            seen = set()
            for p, d, s in layers:
                if d in seen:
                    continue
                seen.add(d)
                info = tarfile.TarInfo("blobs/sha256/" + d[7:])
                info.size, info.mtime, info.mode = s, EPOCH, 0o644
                with open(p, "rb") as f:
                    out.addfile(info, f)
        os.replace(out_tmp, a.out)
    print(f"{a.name} {manifest_d} -> {a.out}")


if __name__ == "__main__":
    main()
