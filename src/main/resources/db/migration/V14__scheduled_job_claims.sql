-- Each occurrence of a scheduled job (a cron time of the GC schedule, an hour of storage samples)
-- runs on exactly one of the processes sharing the database: the one whose claim of it inserts
-- the row. A process that dies simply claims nothing more; the next occurrence goes to whichever
-- process is alive then.

CREATE TABLE job_claims (
  job        ${key_type} NOT NULL,
  due_at     BIGINT NOT NULL,
  claimed_by TEXT NOT NULL,
  claimed_at BIGINT NOT NULL,
  PRIMARY KEY (job, due_at)
) ${clustered_by_key};
