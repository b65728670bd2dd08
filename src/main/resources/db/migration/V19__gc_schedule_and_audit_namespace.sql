-- The garbage collection schedule as the console and the admin API set it: one row, read by every
-- process's scheduler each minute, so a change counts on every replica without a restart. No row:
-- the configuration's gc.schedule applies.
CREATE TABLE gc_schedule (
  id              INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  cron            TEXT NOT NULL,
  enabled         INTEGER NOT NULL,
  delete_untagged INTEGER NOT NULL,
  grace_ms        BIGINT NOT NULL,
  updated_by      TEXT NOT NULL,
  updated_at      BIGINT NOT NULL
);

-- The namespace an audit entry concerns (NULL: the whole deployment, as a GC run or a user), so the
-- log can be read one namespace at a time.
ALTER TABLE audit_log ADD COLUMN namespace ${key_type};
CREATE INDEX audit_log_namespace_at ON audit_log (namespace, at);
