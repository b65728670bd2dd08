-- PostgreSQL's version of V11 (SQLite's is in db/sqlite), which changes nothing. SQLite rebuilt
-- blobs clustered by digest, and the two tables referencing it; on PostgreSQL the rebuild only
-- copied every row into a new heap with the same columns, keys, references and indexes. The version
-- stays so that both databases share one numbering, and databases that ran the rebuild validate
-- (ReplacedMigrations).
SELECT 1;
