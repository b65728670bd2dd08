-- No statement reads blobs by touched_at alone: GC's scan for unreferenced blobs walks the digest key
-- (its condition is "untouched since the cutoff OR marked deleting"), and a touch finds its row by
-- digest. The index still cost a B-tree change at a random place for every blob pushed, touched
-- and deleted: without it SQLite's own share of GC's blob sweep (bench/tools/sqlitesweep.py,
-- 12,505 blobs) went from 0.98-0.99 s to 0.84-0.89 s.
DROP INDEX IF EXISTS blobs_touched;
