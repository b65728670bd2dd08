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
    R result;
    Throwable failure;
    boolean done;

    Pending(HandleCallback<R, ?> transaction) {
      this.transaction = transaction;
    }
  }

  /** Runs {@code transaction} in the next group commit; throws what it threw, or why the commit failed. */
  <R, X extends Exception> R run(HandleCallback<R, X> transaction) throws X {
    Pending<R> mine = new Pending<>(transaction);
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
