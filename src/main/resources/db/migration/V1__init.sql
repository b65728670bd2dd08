-- One schema for SQLite and PostgreSQL. SqlMetadataStore sets the placeholders per database:
--   key_type     text of names and digests. On PostgreSQL it carries COLLATE "C", so ORDER BY and
--                the "after" comparisons of paging run in byte order whatever the database locale;
--                SQLite's default BINARY collation already is byte order.
--   binary_type  raw bytes (BLOB / BYTEA).
-- Natural keys throughout, so no dialect's autoincrement syntax is needed. Times are epoch millis.

CREATE TABLE repositories (
  name       ${key_type} NOT NULL PRIMARY KEY,
  created_at BIGINT NOT NULL
);

CREATE TABLE blobs (
  digest     ${key_type} NOT NULL PRIMARY KEY,
  size       BIGINT NOT NULL,
  state      TEXT NOT NULL CHECK (state IN ('live', 'deleting')),
  created_at BIGINT NOT NULL,
  touched_at BIGINT NOT NULL
);

-- Which repository may see which blob. A link means nothing without its blob, so when GC removes a
-- blob row its links go with it.
CREATE TABLE repository_blobs (
  repository ${key_type} NOT NULL REFERENCES repositories (name),
  digest     ${key_type} NOT NULL REFERENCES blobs (digest) ON DELETE CASCADE,
  linked_at  BIGINT NOT NULL,
  PRIMARY KEY (repository, digest)
);
CREATE INDEX repository_blobs_digest ON repository_blobs (digest);

CREATE TABLE manifests (
  repository    ${key_type} NOT NULL REFERENCES repositories (name),
  digest        ${key_type} NOT NULL,
  media_type    TEXT NOT NULL,
  artifact_type TEXT,
  subject       ${key_type},
  annotations   TEXT NOT NULL,
  size          BIGINT NOT NULL,
  payload       ${binary_type} NOT NULL,
  created_at    BIGINT NOT NULL,
  PRIMARY KEY (repository, digest)
);
CREATE INDEX manifests_subject ON manifests (repository, subject);

-- Reference rows belong to the manifest that makes them and go when it goes. The other side is
-- restricted: a referenced blob row or child manifest cannot be deleted underneath a manifest.
CREATE TABLE manifest_blobs (
  repository      ${key_type} NOT NULL,
  manifest_digest ${key_type} NOT NULL,
  blob_digest     ${key_type} NOT NULL REFERENCES blobs (digest),
  PRIMARY KEY (repository, manifest_digest, blob_digest),
  FOREIGN KEY (repository, manifest_digest) REFERENCES manifests (repository, digest) ON DELETE CASCADE
);
CREATE INDEX manifest_blobs_blob ON manifest_blobs (blob_digest);

CREATE TABLE manifest_children (
  repository    ${key_type} NOT NULL,
  parent_digest ${key_type} NOT NULL,
  child_digest  ${key_type} NOT NULL,
  PRIMARY KEY (repository, parent_digest, child_digest),
  FOREIGN KEY (repository, parent_digest) REFERENCES manifests (repository, digest) ON DELETE CASCADE,
  FOREIGN KEY (repository, child_digest) REFERENCES manifests (repository, digest)
);
CREATE INDEX manifest_children_child ON manifest_children (repository, child_digest);

CREATE TABLE tags (
  repository      ${key_type} NOT NULL,
  name            ${key_type} NOT NULL,
  manifest_digest ${key_type} NOT NULL,
  updated_at      BIGINT NOT NULL,
  PRIMARY KEY (repository, name),
  FOREIGN KEY (repository, manifest_digest) REFERENCES manifests (repository, digest) ON DELETE CASCADE
);
CREATE INDEX tags_manifest ON tags (repository, manifest_digest);

-- An upload does not create its repository: an abandoned push must not show up in the catalog.
CREATE TABLE uploads (
  id         ${key_type} NOT NULL PRIMARY KEY,
  repository ${key_type} NOT NULL,
  started_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
