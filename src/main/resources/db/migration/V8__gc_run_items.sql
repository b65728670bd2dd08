-- What each collection run removed, one row per manifest, link, blob, orphan or repository,
-- written in batches while the run goes, so neither the run nor a reader of its report holds all
-- of it at once. Reports keep only counts.

CREATE TABLE gc_run_items (
  run_id       ${key_type} NOT NULL REFERENCES gc_runs (id),
  seq          BIGINT NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('manifest', 'link', 'blob', 'orphan', 'repository')),
  repositories TEXT NOT NULL,
  digest       ${key_type},
  size         BIGINT NOT NULL,
  PRIMARY KEY (run_id, seq)
);
