-- Garbage collection runs, kept with their reports and logs, and the audit log of destructive
-- actions: who asked for what, and when.

CREATE TABLE gc_runs (
  id              ${key_type} NOT NULL PRIMARY KEY,
  requested_by    TEXT NOT NULL,
  trigger_kind    TEXT NOT NULL,
  dry_run         INTEGER NOT NULL,
  delete_untagged INTEGER NOT NULL,
  grace_ms        BIGINT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  started_at      BIGINT NOT NULL,
  finished_at     BIGINT,
  bytes_freed     BIGINT NOT NULL DEFAULT 0,
  report          TEXT,
  log             TEXT
);
CREATE INDEX gc_runs_started ON gc_runs (started_at);

CREATE TABLE audit_log (
  id     ${key_type} NOT NULL PRIMARY KEY,
  at     BIGINT NOT NULL,
  actor  TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);

-- GC looks blobs up by age.
CREATE INDEX blobs_touched ON blobs (touched_at);
