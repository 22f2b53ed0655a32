#!/usr/bin/env python3
"""What the stand-in registry holds, read over the OCI distribution API.

  registry-report.py --ca CA URL                      every repository, tag, platform and
                                                      compressed size (config + layers)
  registry-report.py --ca CA URL --extract REPO:TAG PLATFORM PATH OUT
                                                      copies PATH out of that platform's
                                                      image (last layer holding it) to OUT

URL is the registry's base, e.g. https://10.250.0.1. Layers may be gzip or zstd (the
`zstd` command decompresses those).
"""
import argparse
import io
import json
import os
import ssl
import subprocess
import sys
import tarfile
import urllib.request

INDEX_TYPES = "application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.list.v2+json"
MANIFEST_TYPES = "application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json"


class Registry:
    def __init__(self, base, ca):
        self.base = base.rstrip("/")
        self.ctx = ssl.create_default_context(cafile=ca)

    def get(self, path, accept=None):
        req = urllib.request.Request(self.base + path, headers={"Accept": accept} if accept else {})
        with urllib.request.urlopen(req, context=self.ctx, timeout=60) as r:
            return r.read(), r.headers.get("Content-Type", "")

    def json(self, path, accept=None):
        body, ctype = self.get(path, accept)
        return json.loads(body), ctype

    def platforms(self, repo, ref):
        """[(platform, manifest)] of a tag: one entry for a single-platform image."""
        doc, _ = self.json(f"/v2/{repo}/manifests/{ref}", f"{INDEX_TYPES},{MANIFEST_TYPES}")
        if "manifests" not in doc:
            return [("-", doc)]
        out = []
        for m in doc["manifests"]:
            p = m.get("platform", {})
            name = f"{p.get('os', '?')}/{p.get('architecture', '?')}" + (f"/{p['variant']}" if p.get("variant") else "")
            manifest, _ = self.json(f"/v2/{repo}/manifests/{m['digest']}", MANIFEST_TYPES)
            out.append((name, manifest))
        return out


def compressed_size(manifest):
    return manifest["config"]["size"] + sum(layer["size"] for layer in manifest["layers"])


def report(reg):
    catalog, _ = reg.json("/v2/_catalog")
    print(f"{'repository':44} {'tag':12} {'platform':14} {'layers':>6} {'compressed':>11}  media")
    for repo in catalog.get("repositories", []):
        tags, _ = reg.json(f"/v2/{repo}/tags/list")
        for tag in sorted(tags.get("tags") or []):
            for platform, m in reg.platforms(repo, tag):
                media = sorted({layer["mediaType"].rsplit(".", 1)[-1].split("+")[-1] for layer in m["layers"]})
                kind = m["config"]["mediaType"].split("/")[-1].split("+")[0]
                print(f"{repo:44} {tag:12} {platform:14} {len(m['layers']):6} {compressed_size(m) / 1e6:8.1f} MB  {kind} {','.join(media)}")


def extract(reg, ref, platform, path, out):
    repo, tag = ref.rsplit(":", 1)
    manifests = dict(reg.platforms(repo, tag))
    if platform not in manifests:
        sys.exit(f"{ref} has no {platform} image (it has: {', '.join(manifests)})")
    want = path.lstrip("/")
    for layer in reversed(manifests[platform]["layers"]):
        blob, _ = reg.get(f"/v2/{repo}/blobs/{layer['digest']}")
        if "zstd" in layer["mediaType"]:
            blob = subprocess.run(["zstd", "-dc"], input=blob, capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
            member = next((m for m in tar.getmembers() if m.name.lstrip("./") == want), None)
            if member:
                with open(out, "wb") as f:
                    f.write(tar.extractfile(member).read())
                os.chmod(out, member.mode)
                return
    sys.exit(f"{path} is in no layer of {ref} ({platform})")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ca", required=True)
    ap.add_argument("url")
    ap.add_argument("--extract", nargs=4, metavar=("REPO:TAG", "PLATFORM", "PATH", "OUT"))
    args = ap.parse_args()
    reg = Registry(args.url, args.ca)
    if args.extract:
        extract(reg, *args.extract)
    else:
        report(reg)


if __name__ == "__main__":
    main()
