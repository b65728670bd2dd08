#!/usr/bin/env python3
"""What SQLite alone costs for a GC blob sweep, without Berth's JVM (python3 stdlib only).

  sqlitesweep.py METADATA_DB [--batch 256] [--work DIR]

Copies Berth's metadata database (stop the server first, or copy a snapshot's) into WORK, then
removes every blob row no manifest references, batch by batch in digest order, with the statements
and settings Berth's sweep uses: WAL, synchronous=FULL, wal_autocheckpoint=10000, foreign keys on;
per batch one transaction that selects the unreferenced rows and marks them 'deleting', then one
that deletes them (their links go by cascade). Prints the seconds spent in each. Compare with the
sweep's own time (bench/gc's phase table) to tell the database's share from the JVM's.
"""
import argparse, os, shutil, sqlite3, tempfile, time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--work", default=None, help="directory for the copy (default: beside the database)")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="sqlitesweep-", dir=a.work or os.path.dirname(os.path.abspath(a.db)))
    try:
        db = os.path.join(work, "metadata.db")
        shutil.copy(a.db, db)
        c = sqlite3.connect(db, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "wal_autocheckpoint=10000", "foreign_keys=ON"):
            c.execute("PRAGMA " + pragma)
        garbage = [r[0] for r in c.execute(
            "SELECT digest FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_digest = b.digest)"
            " ORDER BY digest")]
        mark = delete = 0.0
        for i in range(0, len(garbage), a.batch):
            batch = garbage[i:i + a.batch]
            marks = ",".join("?" * len(batch))
            t0 = time.perf_counter()
            c.execute("BEGIN IMMEDIATE")
            doomed = [r[0] for r in c.execute(
                f"SELECT b.digest FROM blobs b WHERE b.digest IN ({marks}) AND NOT EXISTS"
                " (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_digest = b.digest)", batch)]
            c.execute(f"UPDATE blobs SET state = 'deleting' WHERE digest IN ({','.join('?' * len(doomed))})", doomed)
            c.execute("COMMIT")
            t1 = time.perf_counter()
            c.execute("BEGIN IMMEDIATE")
            c.execute(f"DELETE FROM blobs WHERE digest IN ({','.join('?' * len(doomed))}) AND state = 'deleting'", doomed)
            c.execute("COMMIT")
            mark += t1 - t0
            delete += time.perf_counter() - t1
        print(f"blobs {len(garbage)}, batch {a.batch}: mark {mark:.2f} s, delete rows {delete:.2f} s, "
              f"total {mark + delete:.2f} s ({1e6 * (mark + delete) / max(1, len(garbage)):.0f} us per blob)")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
