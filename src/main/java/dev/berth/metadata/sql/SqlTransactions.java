package dev.berth.metadata.sql;

import com.zaxxer.hikari.HikariDataSource;
import dev.berth.metadata.ChangeListener;
import dev.berth.metadata.MetadataException;
import dev.berth.oci.RepositoryName;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.HandleConsumer;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * How every per-concern store reaches the database: reads, write transactions (queued in
 * {@link GroupCommit} on SQLite), and the change reports a write owes the {@link ChangeListener}s.
 *
 * <p>An instance is either the pool's, where each read and each write is a transaction of its own,
 * or {@linkplain #atomically bound} to one open write transaction, where every read and write runs
 * on that transaction's handle and the change reports wait for its end. The stores built over a
 * bound instance are the ones a {@link dev.berth.metadata.MetadataTransaction} hands out.
 *
 * <p>Write transactions run at the database's default isolation (READ COMMITTED on PostgreSQL).
 * Where a write depends on what it read, the read takes a row lock ({@code FOR SHARE} on what must
 * stay, {@code FOR UPDATE} on what is about to go), so a concurrent GC or delete either waits for
 * the commit or is seen by the re-evaluated read. SQLite has one writer at a time: writers of this
 * process queue in {@link GroupCommit} rather than spin in SQLite's busy handler, and share
 * commits. Reads are single statements in auto-commit mode, which on SQLite in WAL mode never wait
 * for a writer.
 */
final class SqlTransactions implements AutoCloseable {

  private final HikariDataSource pool;
  private final Jdbi jdbi;
  private final Dialect dialect;
  private final GroupCommit groupCommit;
  private final List<ChangeListener> listeners;
  /**
   * Set while this thread runs a write transaction's work. A pooled call from inside it would be a
   * second transaction that, on SQLite, waits behind the one running it: refused instead.
   */
  private final ThreadLocal<Boolean> writing;
  /** The open transaction this instance is bound to; null for the pool's instance. */
  private final Handle bound;
  private final Set<RepositoryName> changedRepositories = new LinkedHashSet<>();
  private final List<Runnable> rollbacks = new ArrayList<>();
  private boolean blobsRetired;

  SqlTransactions(HikariDataSource pool, Dialect dialect) {
    this.pool = pool;
    this.dialect = dialect;
    this.jdbi = Jdbi.create(pool);
    if (dialect == Dialect.SQLITE) {
      jdbi.setStatementBuilderFactory(new SqlitePreparedStatements());
    }
    this.groupCommit = new GroupCommit(jdbi, pool);
    this.listeners = new CopyOnWriteArrayList<>();
    this.writing = new ThreadLocal<>();
    this.bound = null;
    dialect.templateValues().forEach(jdbi::define);
  }

  private SqlTransactions(SqlTransactions pooled, Handle bound) {
    this.pool = pooled.pool;
    this.dialect = pooled.dialect;
    this.jdbi = pooled.jdbi;
    this.groupCommit = pooled.groupCommit;
    this.listeners = pooled.listeners;
    this.writing = pooled.writing;
    this.bound = bound;
  }

  Dialect dialect() {
    return dialect;
  }

  <R> R read(HandleCallback<R, RuntimeException> query) {
    if (bound != null) {
      return query.withHandle(bound);
    }
    refuseInsideWrite();
    try {
      return jdbi.withHandle(query);
    } catch (JdbiException e) {
      throw new MetadataException("metadata read failed", e);
    }
  }

  <R, X extends Exception> R write(HandleCallback<R, X> transaction) throws X {
    return write(transaction, true);
  }

  /**
   * {@code synced} false: the commit returns without waiting for the disk. The database's log is
   * written in order, so the next synced commit makes it durable; until then a power cut may lose
   * it, whole. For what a later synced write completes anyway, such as a GC run's items before the
   * run's end.
   */
  <R, X extends Exception> R write(HandleCallback<R, X> transaction, boolean synced) throws X {
    if (bound != null) {
      return transaction.withHandle(bound);
    }
    refuseInsideWrite();
    HandleCallback<R, X> marked = h -> {
      writing.set(Boolean.TRUE);
      try {
        return transaction.withHandle(h);
      } finally {
        writing.remove();
      }
    };
    try {
      if (!dialect.singleWriter()) {
        return jdbi.inTransaction(h -> {
          if (!synced) {
            h.execute("SET LOCAL synchronous_commit = off");
          }
          return marked.withHandle(h);
        });
      }
      return synced ? groupCommit.run(marked) : groupCommit.runUnsynced(marked);
    } catch (JdbiException e) {
      throw new MetadataException("metadata write failed", e);
    }
  }

  <X extends Exception> void use(HandleConsumer<X> transaction) throws X {
    write(h -> {
      transaction.useHandle(h);
      return null;
    });
  }

  private void refuseInsideWrite() {
    if (writing.get() != null) {
      throw new IllegalStateException(
          "a call on the metadata store inside a transaction's work: use the stores of its MetadataTransaction");
    }
  }

  /**
   * Runs {@code work} in one write transaction, over an instance bound to it; when already bound,
   * on this one's transaction. The changes the work made are reported once the transaction has
   * ended, committed or not.
   */
  <R> R atomically(Function<SqlTransactions, R> work) {
    if (bound != null) {
      return work.apply(this);
    }
    SqlTransactions[] opened = new SqlTransactions[1];
    try {
      return write(h -> {
        opened[0] = new SqlTransactions(this, h);
        try {
          return work.apply(opened[0]);
        } catch (RuntimeException | Error e) {
          opened[0].rollbacks.reversed().forEach(Runnable::run);
          throw e;
        }
      });
    } finally {
      if (opened[0] != null) {
        opened[0].changedRepositories.forEach(this::repositoryChanged);
        if (opened[0].blobsRetired) {
          blobsRetired();
        }
      }
    }
  }

  /**
   * What undoes, in this process's memory, a change made along with the bound transaction, when the
   * transaction's work fails, which rolls it back. Undos run in the reverse order of their
   * registration. A commit that fails after the work succeeded runs none: it may have reached the
   * database, so what is undone must be safe to keep.
   */
  void onRollback(Runnable undo) {
    if (bound == null) {
      throw new IllegalStateException("an undo belongs to a transaction: register it inside atomically()");
    }
    rollbacks.add(undo);
  }

  // ---- change notification

  /**
   * Only for SQLite: its file sits in the data directory, which one server process holds locked, so
   * every write goes through this object. A PostgreSQL database may have several writers.
   */
  boolean subscribe(ChangeListener listener) {
    if (dialect != Dialect.SQLITE) {
      return false;
    }
    listeners.add(listener);
    return true;
  }

  /** Runs the write, then reports the repository changed, whether or not the write succeeded. */
  <R> R changing(RepositoryName repository, Supplier<R> write) {
    try {
      return write.get();
    } finally {
      repositoryChanged(repository);
    }
  }

  /** Reported at once, or, when bound to a transaction, once it has ended. */
  void repositoryChanged(RepositoryName repository) {
    if (bound != null) {
      changedRepositories.add(repository);
      return;
    }
    listeners.forEach(listener -> listener.repositoryChanged(repository));
  }

  void blobsRetired() {
    if (bound != null) {
      blobsRetired = true;
      return;
    }
    listeners.forEach(ChangeListener::blobsRetired);
  }

  @Override
  public void close() {
    pool.close();
  }
}
