-- One collection at a time per deployment, whichever process runs it: the database refuses a
-- second run recorded as running. Runs left running by processes gone before this migration would
-- block every later run; all but the latest are closed here (the latest is closed by its stale
-- heartbeat or at the next start, as any interrupted run).

UPDATE gc_runs SET status = 'failed', finished_at = started_at,
       log = CASE WHEN log IS NULL OR log = '' THEN 'interrupted' ELSE log || ' interrupted' END
 WHERE status = 'running'
   AND id <> (SELECT id FROM gc_runs WHERE status = 'running' ORDER BY started_at DESC, id LIMIT 1);

CREATE UNIQUE INDEX gc_runs_one_running ON gc_runs (status) WHERE status = 'running';
