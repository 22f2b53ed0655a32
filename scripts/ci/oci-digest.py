#!/usr/bin/env python3
"""Prints the digest (sha256:...) of what an OCI reference names in its registry.

  scripts/ci/oci-digest.py REGISTRY/REPOSITORY:TAG      e.g. ghcr.io/owner/demo:1.2.3
  scripts/ci/oci-digest.py REGISTRY/REPOSITORY@sha256:... (checks that it is there)

The digest is the sha256 of the manifest (or image index) bytes the registry serves, and
must equal the Docker-Content-Digest header when the registry sends one. Used by the
release workflow (scripts/ci/publish.sh) to sign and attest exactly what was pushed, and
run by scripts/e2e/11-release.e2e.ts against the stand-in registry.

Credentials, for a registry that wants them: REGISTRY_USERNAME and REGISTRY_PASSWORD, else
the `auth` entry of ~/.docker/config.json for the registry (what `docker login` and
docker/login-action write); otherwise anonymous. TLS trusts the system's CAs, or
SSL_CERT_FILE.
"""
import base64
import hashlib
import json
import os
import re
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request

ACCEPT = ", ".join([
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
])
REF = re.compile(r"^(?P<host>[^/]+\.[^/]+|localhost(:\d+)?)/(?P<repo>[a-z0-9]+(?:[._/-][a-z0-9]+)*)"
                 r"(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?$")


def fail(msg):
    print(f"oci-digest: ERROR: {msg}", file=sys.stderr)
    sys.exit(1)


def credentials(host):
    user, password = os.environ.get("REGISTRY_USERNAME"), os.environ.get("REGISTRY_PASSWORD")
    if user and password:
        return user, password
    config = os.path.join(os.environ.get("DOCKER_CONFIG", os.path.expanduser("~/.docker")), "config.json")
    try:
        with open(config) as f:
            auths = json.load(f).get("auths", {})
    except (OSError, ValueError):
        return None
    for key in (host, f"https://{host}", f"https://{host}/v1/"):
        auth = auths.get(key, {}).get("auth")
        if auth:
            user, _, password = base64.b64decode(auth).decode().partition(":")
            return user, password
    return None


def fetch(url, headers, ctx):
    req = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(req, context=ctx, timeout=60) as r:
        return r.read(), r.headers


def token(challenge, host, ctx):
    """A bearer token for the scope a 401's WWW-Authenticate asks for."""
    params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
    if not challenge.lower().startswith("bearer") or "realm" not in params:
        fail(f"{host} wants authentication this script does not speak: {challenge}")
    query = urllib.parse.urlencode({k: v for k, v in params.items() if k in ("service", "scope")})
    headers = {}
    creds = credentials(host)
    if creds:
        headers["Authorization"] = "Basic " + base64.b64encode(":".join(creds).encode()).decode()
    body, _ = fetch(f"{params['realm']}?{query}", headers, ctx)
    answer = json.loads(body)
    return answer.get("token") or answer.get("access_token") or fail(f"no token from {params['realm']}")


def main():
    if len(sys.argv) != 2:
        fail("usage: oci-digest.py REGISTRY/REPOSITORY:TAG | REGISTRY/REPOSITORY@sha256:...")
    ref = sys.argv[1].removeprefix("oci://")
    m = REF.match(ref)
    if not m or not (m["tag"] or m["digest"]):
        fail(f"not a registry/repository:tag or @sha256 reference: {sys.argv[1]}")
    host = "registry-1.docker.io" if m["host"] == "docker.io" else m["host"]
    url = f"https://{host}/v2/{m['repo']}/manifests/{m['digest'] or m['tag']}"
    ctx = ssl.create_default_context(cafile=os.environ.get("SSL_CERT_FILE") or None)
    headers = {"Accept": ACCEPT}
    try:
        body, got = fetch(url, headers, ctx)
    except urllib.error.HTTPError as e:
        if e.code != 401:
            fail(f"GET {url}: {e.code} {e.reason}")
        headers["Authorization"] = "Bearer " + token(e.headers.get("WWW-Authenticate", ""), host, ctx)
        try:
            body, got = fetch(url, headers, ctx)
        except urllib.error.HTTPError as e2:
            fail(f"GET {url}: {e2.code} {e2.reason}")
    except urllib.error.URLError as e:
        fail(f"GET {url}: {e.reason}")
    digest = "sha256:" + hashlib.sha256(body).hexdigest()
    header = got.get("Docker-Content-Digest")
    if header and header != digest:
        fail(f"{ref}: the registry says {header}, its manifest hashes to {digest}")
    if m["digest"] and m["digest"] != digest:
        fail(f"{ref}: the manifest served hashes to {digest}")
    print(digest)


if __name__ == "__main__":
    main()
