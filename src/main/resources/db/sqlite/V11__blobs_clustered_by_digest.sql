-- On SQLite the blobs table was a rowid table plus the index of its digest key, and rowids follow
-- push order, not digest order. GC marks and deletes blobs in batches of consecutive digests, so the
-- key index changed a few adjacent pages per batch while the rowid table changed one page at a
-- random place per blob, in both of the batch's transactions. Clustered by digest, the table is that
-- key's B-tree alone. In a replay of the sweep's statements on a copy of a 100,000-image database
-- (125,125 blobs to go), marking and deleting the rows took 3.5 s instead of 12.2 s.
--
-- The table is a parent: repository_blobs and manifest_blobs reference it. Dropping it while they
-- did would, with foreign keys enforced, first delete every row, which cascades to every link. So
-- the children are rebuilt too, referencing the new table, and the old ones dropped first; the
-- rename at the end carries their references along (SQLite since 3.26, PostgreSQL by oid).

CREATE TABLE blobs_clustered (
  digest     ${key_type} NOT NULL PRIMARY KEY,
  size       BIGINT NOT NULL,
  state      TEXT NOT NULL CHECK (state IN ('live', 'deleting')),
  created_at BIGINT NOT NULL,
  touched_at BIGINT NOT NULL
) ${clustered_by_key};

INSERT INTO blobs_clustered (digest, size, state, created_at, touched_at)
  SELECT digest, size, state, created_at, touched_at FROM blobs;

CREATE TABLE repository_blobs_rebuilt (
  repository ${key_type} NOT NULL REFERENCES repositories (name),
  digest     ${key_type} NOT NULL REFERENCES blobs_clustered (digest) ON DELETE CASCADE,
  linked_at  BIGINT NOT NULL,
  PRIMARY KEY (repository, digest)
) ${clustered_by_key};

INSERT INTO repository_blobs_rebuilt (repository, digest, linked_at)
  SELECT repository, digest, linked_at FROM repository_blobs;

CREATE TABLE manifest_blobs_rebuilt (
  repository      ${key_type} NOT NULL,
  manifest_digest ${key_type} NOT NULL,
  blob_digest     ${key_type} NOT NULL REFERENCES blobs_clustered (digest),
  PRIMARY KEY (repository, manifest_digest, blob_digest),
  FOREIGN KEY (repository, manifest_digest) REFERENCES manifests (repository, digest) ON DELETE CASCADE
) ${clustered_by_key};

INSERT INTO manifest_blobs_rebuilt (repository, manifest_digest, blob_digest)
  SELECT repository, manifest_digest, blob_digest FROM manifest_blobs;

DROP TABLE manifest_blobs;
DROP TABLE repository_blobs;
DROP TABLE blobs;

ALTER TABLE blobs_clustered RENAME TO blobs;
ALTER TABLE repository_blobs_rebuilt RENAME TO repository_blobs;
ALTER TABLE manifest_blobs_rebuilt RENAME TO manifest_blobs;

CREATE INDEX repository_blobs_digest ON repository_blobs (digest);
CREATE INDEX manifest_blobs_by_blob ON manifest_blobs (blob_digest, repository, manifest_digest);
