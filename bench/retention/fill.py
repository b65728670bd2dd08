#!/usr/bin/env python3
"""Writes a synthetic namespace straight into a Berth SQLite database: REPOS repositories of
IMAGES images each, every image one tag (v<i>, a tenth also 'latest-<i>'), 3 layers from a shared
pool plus its own config, push times a minute apart, a third of them pulled at some point.
Only metadata: retention reads nothing else, and no blob file is needed for a dry run."""
import random
import sqlite3
import sys
import time

db, namespace, repos, images = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(7)
now = int(time.time() * 1000)
con = sqlite3.connect(db)
con.execute("PRAGMA journal_mode=WAL")
pool = ["sha256:%064x" % (1 << 200 | i) for i in range(3000)]
rows_blobs = [(d, 10_000_000 + i, "live", now, now) for i, d in enumerate(pool)]
rows_repos, rows_manifests, rows_links, rows_refs, rows_tags = [], [], [], [], []
seq = 0
for r in range(repos):
    repo = "%s/app%04d" % (namespace, r)
    rows_repos.append((repo, now))
    for i in range(images):
        seq += 1
        config = "sha256:%064x" % (2 << 200 | seq)
        digest = "sha256:%064x" % (3 << 200 | seq)
        layers = rng.sample(pool, 3)
        rows_blobs.append((config, 1000, "live", now, now))
        pushed = now - (images - i) * 60_000 - r
        pulled = pushed + 1000 if rng.random() < 0.33 else None
        payload = b'{"schemaVersion":2}'
        rows_manifests.append((repo, digest, "application/vnd.oci.image.manifest.v1+json", None, None, "{}",
                               len(payload), payload, pushed, pulled))
        for blob in [config] + layers:
            rows_refs.append((repo, digest, blob))
            rows_links.append((repo, blob, now))
        rows_tags.append((repo, "v%d" % i, digest, pushed))
        if i % 10 == 0:
            rows_tags.append((repo, "latest-%d" % i, digest, pushed))
with con:
    con.executemany("INSERT INTO blobs (digest, size, state, created_at, touched_at) VALUES (?,?,?,?,?)", rows_blobs)
    con.executemany("INSERT INTO repositories (name, created_at) VALUES (?,?)", rows_repos)
    con.executemany("INSERT OR IGNORE INTO repository_blobs (repository, digest, linked_at) VALUES (?,?,?)", rows_links)
    con.executemany("""INSERT INTO manifests (repository, digest, media_type, artifact_type, subject, annotations,
                       size, payload, created_at, last_pulled_at) VALUES (?,?,?,?,?,?,?,?,?,?)""", rows_manifests)
    con.executemany("INSERT INTO manifest_blobs (repository, manifest_digest, blob_digest) VALUES (?,?,?)", rows_refs)
    con.executemany("INSERT INTO tags (repository, name, manifest_digest, updated_at) VALUES (?,?,?,?)", rows_tags)
print("filled %s: %d repositories, %d images, %d tags, %d blobs" % (namespace, len(rows_repos), len(rows_manifests),
                                                                    len(rows_tags), len(rows_blobs)))
