package dev.berth.metadata.sql;

import com.zaxxer.hikari.HikariDataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;

/**
 * SQLite's write transactions, committed in groups. SQLite admits one writer at a time and every
 * commit costs an fsync (synchronous=FULL), so writers that queue behind a commit share the next
 * one: whichever queued writer gets the lock runs every transaction waiting at that moment, each
 * inside its own savepoint when there are several, and commits them together. A transaction that
 * fails is rolled back alone; a commit that fails fails every transaction of the group. Each caller
 * returns only once its own transaction has committed (or failed), exactly as if it had run alone.
 *
 * <p>Groups run between explicit {@code BEGIN IMMEDIATE} and {@code COMMIT} on a connection left in
 * auto-commit mode. A deferred transaction that reads and then writes gets SQLITE_BUSY, without
 * waiting, when another process committed in between; taking the write lock at BEGIN makes it wait
 * instead. sqlite-jdbc's own transactions (auto-commit off) are no substitute: each commit at once
 * begins the next transaction, which takes the write lock again until auto-commit is restored, and
 * can fail waiting for it after the commit succeeded.
 *
 * <p>A transaction may be run {@linkplain #runUnsynced unsynced}: a group of such transactions alone
 * commits without its fsync (synchronous=NORMAL for that commit). The WAL is one file written in
 * order, so the next synced commit's fsync, or a checkpoint's, makes it durable; a power cut before
 * then loses it and everything after it, never part of a transaction.
 */
final class GroupCommit {
  /** Bounds how long the last transaction of a group waits for the ones before it. */
  private static final int MAX_GROUP = 64;

  private final Jdbi jdbi;
  private final HikariDataSource pool;
  private final ReentrantLock lock = new ReentrantLock();
  private final ConcurrentLinkedQueue<Pending<?>> queue = new ConcurrentLinkedQueue<>();

  GroupCommit(Jdbi jdbi, HikariDataSource pool) {
    this.jdbi = jdbi;
    this.pool = pool;
  }

  private static final class Pending<R> {
    final HandleCallback<R, ?> transaction;
    final boolean synced;
    R result;
    Throwable failure;
    boolean done;

    Pending(HandleCallback<R, ?> transaction, boolean synced) {
      this.transaction = transaction;
      this.synced = synced;
    }
  }

  /** Runs {@code transaction} in the next group commit; throws what it threw, or why the commit failed. */
  <R, X extends Exception> R run(HandleCallback<R, X> transaction) throws X {
    return run(transaction, true);
  }

  /**
   * As {@link #run}, but the commit need not reach the disk before this returns, unless another
   * transaction of its group must.
   */
  <R, X extends Exception> R runUnsynced(HandleCallback<R, X> transaction) throws X {
    return run(transaction, false);
  }

  private <R, X extends Exception> R run(HandleCallback<R, X> transaction, boolean synced) throws X {
    Pending<R> mine = new Pending<>(transaction, synced);
    queue.add(mine);
    // The lock orders what the leader wrote before this thread reads it.
    lock.lock();
    try {
      while (!mine.done) {
        commitQueued();
      }
    } finally {
      lock.unlock();
    }
    if (mine.failure != null) {
      throw GroupCommit.<X>rethrow(mine.failure);
    }
    return mine.result;
  }

  /** Called with the lock held. */
  private void commitQueued() {
    List<Pending<?>> group = new ArrayList<>();
    for (Pending<?> next; group.size() < MAX_GROUP && (next = queue.poll()) != null; ) {
      group.add(next);
    }
    try {
      jdbi.useHandle(h -> commit(h, group));
    } catch (RuntimeException e) {
      // The connection itself could not be had: nothing of the group ran.
      group.stream().filter(p -> !p.done).forEach(p -> finish(p, e));
    }
  }

  private void commit(Handle h, List<Pending<?>> group) {
    if (group.stream().anyMatch(pending -> pending.synced)) {
      commitGroup(h, group);
      return;
    }
    // SQLite refuses to change the level inside a transaction; it applies to the commits that follow.
    int level = h.createQuery("PRAGMA synchronous").mapTo(Integer.class).one();
    h.execute("PRAGMA synchronous = NORMAL");
    try {
      commitGroup(h, group);
    } finally {
      try {
        h.execute("PRAGMA synchronous = " + level);
      } catch (RuntimeException e) {
        // The group's outcome stands; a connection left unsynced must not commit anyone else's.
        pool.evictConnection(h.getConnection());
      }
    }
  }

  private void commitGroup(Handle h, List<Pending<?>> group) {
    h.execute("BEGIN IMMEDIATE");
    try {
      if (group.size() == 1) {
        runAlone(h, group.get(0));
      } else {
        for (Pending<?> pending : group) {
          runInSavepoint(h, pending);
        }
      }
      h.execute("COMMIT");
    } catch (Throwable failure) {
      try {
        h.execute("ROLLBACK");
      } catch (RuntimeException rollbackFailure) {
        // SQLite may have rolled back by itself; if it did not, the connection is still inside the
        // transaction and must not serve anyone else.
        failure.addSuppressed(rollbackFailure);
        pool.evictConnection(h.getConnection());
      }
      for (Pending<?> pending : group) {
        if (pending.failure == null) {
          pending.failure = failure;
        }
        pending.result = null;
      }
    }
    group.forEach(pending -> pending.done = true);
  }

  /**
   * Without a savepoint: a transaction alone in its group fails by rolling back the whole group. Under
   * a savepoint SQLite copies every page the transaction changes into a sub-journal, a temporary file
   * once past 64 KiB, to be able to roll back to it: a GC batch of 1,024 manifests spent about a tenth
   * of its time writing it (a replay on a 100,000-image database, 16.1-16.6 s against 14.8-15.0 s).
   */
  private static <R> void runAlone(Handle h, Pending<R> pending) throws Exception {
    pending.result = pending.transaction.withHandle(h);
  }

  private static <R> void runInSavepoint(Handle h, Pending<R> pending) {
    h.execute("SAVEPOINT grouped");
    try {
      pending.result = pending.transaction.withHandle(h);
    } catch (Exception | Error failure) {
      // Undoing this transaction's own writes must work, or the whole group is in doubt.
      h.execute("ROLLBACK TO grouped");
      pending.failure = failure;
    }
    h.execute("RELEASE grouped");
  }

  private static void finish(Pending<?> pending, Throwable failure) {
    pending.failure = failure;
    pending.done = true;
  }

  @SuppressWarnings("unchecked")
  private static <X extends Exception> X rethrow(Throwable failure) throws X {
    if (failure instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (failure instanceof Error error) {
      throw error;
    }
    // A transaction declared to throw X can only have thrown X, a RuntimeException or an Error.
    throw (X) failure;
  }
}
