-- PostgreSQL's version of V9 (SQLite's is in db/sqlite). SQLite rebuilt manifest_blobs and
-- repository_blobs as WITHOUT ROWID tables; a PostgreSQL table is a heap with separate indexes
-- whatever it is declared as, so rebuilding it gained nothing but a copy of every row. What the
-- rebuild changed that queries see is the indexes: manifest_blobs keeps one index by blob, with the
-- repository second, which answers both "which manifests use this blob" and "which manifests of
-- this repository use this blob". Databases that ran the rebuild have the same indexes; their
-- history's checksum is rewritten to this script's (ReplacedMigrations).

DROP INDEX manifest_blobs_blob;
DROP INDEX manifest_blobs_repository_blob;
CREATE INDEX manifest_blobs_by_blob ON manifest_blobs (blob_digest, repository, manifest_digest);
