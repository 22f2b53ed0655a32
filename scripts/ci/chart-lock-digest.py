#!/usr/bin/env python3
"""The `digest:` helm writes in a Chart.lock, computed from Chart.yaml and the lock's entries.

    python3 scripts/ci/chart-lock-digest.py <(yq -o json .dependencies Chart.yaml) <(yq -o json .dependencies Chart.lock)

helm (pkg/downloader, HashReq) hashes the JSON of [Chart.yaml's dependencies, the lock's
dependencies] as Go's encoding/json writes them (its field order, empty fields left out) and
refuses `helm dependency build` when the lock's digest differs. scripts/release.sh rewrites the
version of the in-tree demo-lib in both files, so it recomputes the digest with this (offline),
and scripts/chart-check.sh checks the committed lock against it.
"""
import hashlib
import json
import sys

FIELDS = ("name", "version", "repository", "condition", "tags", "enabled", "import-values", "alias")


def go_json(dep):
    out = {}
    for i, key in enumerate(FIELDS):
        value = dep.get(key)
        if i < 3:
            out[key] = value or ""  # no omitempty on name, version, repository
        elif value:
            out[key] = value
    return out


req, lock = (json.load(open(path)) or [] for path in sys.argv[1:3])
data = json.dumps([[go_json(d) for d in req], [go_json(d) for d in lock]], separators=(",", ":"))
print("sha256:" + hashlib.sha256(data.encode()).hexdigest())
