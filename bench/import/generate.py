#!/usr/bin/env python3
"""Writes a synthetic Docker Registry 2.x filesystem root directly, file by file, as Docker Registry
lays it out: MANIFESTS image manifests (Docker schema 2) spread evenly over REPOS repositories, each
with its own config blob and 3 layers drawn from a shared POOL, every other one tagged (the rest
untagged). Blobs, layer links, revision links and tags (current link and index entry) are written
as a push through Docker Registry would leave them. Repositories are written by --jobs processes
(default: one per core), each repository from its own random stream (seed and repository number),
so a root is the same whatever the number of jobs.

  bench/import/generate.py --out DIR [--manifests 1000000] [--repos 1000] [--pool 10000] [--seed 1]
                           [--jobs N]

Prints the counts as JSON on the last line."""
import argparse
import hashlib
import json
import multiprocessing
import os
import random
import sys
import time

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"


def write(path, content):
    try:
        f = open(path, "wb")
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        f = open(path, "wb")
    with f:
        f.write(content)


class Root:
    def __init__(self, out):
        self.v2 = os.path.join(out, "docker/registry/v2")

    def blob(self, content):
        hexd = hashlib.sha256(content).hexdigest()
        write(os.path.join(self.v2, "blobs/sha256", hexd[:2], hexd, "data"), content)
        return "sha256:" + hexd

    def link(self, repo, kind, digest):
        hexd = digest[len("sha256:"):]
        write(os.path.join(self.v2, "repositories", repo, kind, "sha256", hexd, "link"), digest.encode())

    def tag(self, repo, tag, digest):
        tags = os.path.join(self.v2, "repositories", repo, "_manifests/tags", tag)
        write(os.path.join(tags, "current/link"), digest.encode())
        write(os.path.join(tags, "index/sha256", digest[len("sha256:"):], "link"), digest.encode())


def pool_blobs(root, size):
    pool = []
    for k in range(size):
        content = ("layer %d of the shared pool\n" % k).encode() * 8
        pool.append((root.blob(content), len(content)))
    return pool


def write_repository(job):
    """Writes repository r's manifests; returns (manifests, tagged, layer links)."""
    out, seed, pool, r, first, count = job
    root = Root(out)
    rng = random.Random(seed * 1_000_003 + r)
    repo = "team%02d/app%04d" % (r % 100, r)
    linked = set()
    tagged = layer_links = 0
    for i in range(count):
        number = first + i
        config = json.dumps({"architecture": "amd64", "os": "linux", "created_by": "image %d" % number,
                             "rootfs": {"type": "layers", "diff_ids": []}}).encode()
        config_digest = root.blob(config)
        root.link(repo, "_layers", config_digest)
        layer_links += 1
        layers = rng.sample(pool, 3)
        for digest, _ in layers:
            if digest not in linked:
                linked.add(digest)
                root.link(repo, "_layers", digest)
                layer_links += 1
        manifest = json.dumps({
            "schemaVersion": 2, "mediaType": DOCKER_MANIFEST,
            "config": {"mediaType": DOCKER_CONFIG, "size": len(config), "digest": config_digest},
            "layers": [{"mediaType": DOCKER_LAYER, "size": size, "digest": digest} for digest, size in layers],
        }, indent=3).encode()
        digest = root.blob(manifest)
        root.link(repo, "_manifests/revisions", digest)
        if number % 2 == 0:
            root.tag(repo, "v%d" % i, digest)
            tagged += 1
    return count, tagged, layer_links


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--manifests", type=int, default=1_000_000)
    parser.add_argument("--repos", type=int, default=1000)
    parser.add_argument("--pool", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    args = parser.parse_args()
    started = time.monotonic()
    pool = pool_blobs(Root(args.out), args.pool)

    per_repo = -(-args.manifests // args.repos)
    jobs = []
    for r in range(args.repos):
        first = r * per_repo
        count = max(0, min(per_repo, args.manifests - first))
        if count:
            jobs.append((args.out, args.seed, pool, r, first, count))
    written = tagged = layer_links = 0
    with multiprocessing.Pool(args.jobs) as workers:
        for count, tags, links in workers.imap_unordered(write_repository, jobs):
            before = written
            written, tagged, layer_links = written + count, tagged + tags, layer_links + links
            if written // 50_000 != before // 50_000:
                print("%d manifests, %.0f/s" % (written, written / (time.monotonic() - started)), file=sys.stderr)
    print(json.dumps({"manifests": written, "tagged": tagged, "repositories": len(jobs), "pool": args.pool,
                      "layer_links": layer_links, "seconds": round(time.monotonic() - started, 1)}))


if __name__ == "__main__":
    main()
