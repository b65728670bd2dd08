-- Retention runs (docs/retention.md): which namespace's policy ran, who or what asked, dry or not,
-- and how it went; with one row per image the policy decided on, kept or deleted, naming the rule
-- and the reason. Images no rule covers are counted, not listed. A run records its owner's
-- heartbeat so that one whose process died reads as interrupted rather than running forever.
CREATE TABLE retention_runs (
  id           ${key_type} NOT NULL PRIMARY KEY,
  namespace    ${key_type},
  requested_by TEXT NOT NULL,
  trigger_kind TEXT NOT NULL,
  dry_run      INTEGER NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  owner        TEXT NOT NULL,
  started_at   BIGINT NOT NULL,
  heartbeat_at BIGINT NOT NULL,
  finished_at  BIGINT,
  images       BIGINT NOT NULL DEFAULT 0,
  kept         BIGINT NOT NULL DEFAULT 0,
  deleted      BIGINT NOT NULL DEFAULT 0,
  skipped      BIGINT NOT NULL DEFAULT 0,
  bytes_freed  BIGINT NOT NULL DEFAULT 0,
  error        TEXT
);
CREATE INDEX retention_runs_started ON retention_runs (started_at);

CREATE TABLE retention_run_items (
  run_id     ${key_type} NOT NULL REFERENCES retention_runs (id),
  seq        BIGINT NOT NULL,
  repository ${key_type} NOT NULL,
  digest     ${key_type} NOT NULL,
  tags       TEXT NOT NULL,
  outcome    TEXT NOT NULL CHECK (outcome IN ('kept', 'deleted', 'skipped')),
  rule       TEXT,
  reason     TEXT NOT NULL,
  bytes      BIGINT NOT NULL,
  PRIMARY KEY (run_id, seq)
);
