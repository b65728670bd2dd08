-- Who runs a collection, and when it last said it was alive: an interrupted run is recognised by
-- its heartbeat going stale (or, on the owner's own host, by its process being gone), not by
-- whichever process happens to start next.

ALTER TABLE gc_runs ADD COLUMN owner TEXT;
ALTER TABLE gc_runs ADD COLUMN heartbeat_at BIGINT;
