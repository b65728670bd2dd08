package dev.berth.metadata.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;
import org.jdbi.v3.core.statement.DefaultStatementBuilder;
import org.jdbi.v3.core.statement.StatementBuilder;
import org.jdbi.v3.core.statement.StatementBuilderFactory;
import org.jdbi.v3.core.statement.StatementContext;
import org.sqlite.SQLiteConnection;

/**
 * SQLite's prepared statements, kept per connection and used again. SQLite compiles a statement's
 * text on every prepare, and the registry's statements are long (the quota check's compiles in
 * three times the time it runs); a PUT runs a dozen of them, each with the same text every time.
 *
 * <p>Statements are prepared on the driver's own connection, under the pool's wrapper, so that the
 * pool does not close them when the connection goes back to it; they go with that connection. A
 * statement in use when its text is asked for again (a query run inside the iteration of another's
 * results) is prepared afresh and closed after use, as is one that returns generated keys.
 */
final class SqlitePreparedStatements implements StatementBuilderFactory {
  /** Distinct statement texts kept per connection, the least recently used closed first. */
  private static final int PER_CONNECTION = 256;

  private final Map<SQLiteConnection, Cache> caches = Collections.synchronizedMap(new WeakHashMap<>());

  @Override
  public StatementBuilder createStatementBuilder(Connection connection) {
    return new Builder();
  }

  private Cache cacheOf(Connection connection) throws SQLException {
    SQLiteConnection sqlite = connection.unwrap(SQLiteConnection.class);
    return caches.computeIfAbsent(sqlite, Cache::new);
  }

  private final class Builder extends DefaultStatementBuilder {
    @Override
    public PreparedStatement create(Connection connection, String sql, StatementContext ctx) throws SQLException {
      if (ctx.isReturningGeneratedKeys() || ctx.isConcurrentUpdatable()) {
        return super.create(connection, sql, ctx);
      }
      return cacheOf(connection).take(sql);
    }

    /** {@code sql} is the statement's text before JDBI rendered it: the statement itself is the key. */
    @Override
    public void close(Connection connection, String sql, Statement statement) throws SQLException {
      if (!(statement instanceof PreparedStatement prepared) || !cacheOf(connection).give(prepared)) {
        statement.close();
      }
    }
  }

  /** One connection's statements. Pooled connections serve one thread at a time; the lock is cheap insurance. */
  private static final class Cache {
    private final SQLiteConnection connection;
    private final Map<PreparedStatement, String> textOf = new IdentityHashMap<>();
    private final Map<String, Kept> kept = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Kept> eldest) {
        if (size() <= PER_CONNECTION) {
          return false;
        }
        // One in use is closed by its user, who no longer finds it here.
        textOf.remove(eldest.getValue().statement);
        if (!eldest.getValue().inUse) {
          closeQuietly(eldest.getValue().statement);
        }
        return true;
      }
    };

    private static final class Kept {
      final PreparedStatement statement;
      boolean inUse;

      Kept(PreparedStatement statement) {
        this.statement = statement;
      }
    }

    Cache(SQLiteConnection connection) {
      this.connection = connection;
    }

    synchronized PreparedStatement take(String sql) throws SQLException {
      Kept existing = kept.get(sql);
      if (existing != null && existing.inUse) {
        return connection.prepareStatement(sql);
      }
      if (existing != null && !existing.statement.isClosed()) {
        existing.inUse = true;
        return existing.statement;
      }
      if (existing != null) {
        textOf.remove(existing.statement);
      }
      Kept fresh = new Kept(connection.prepareStatement(sql));
      fresh.inUse = true;
      kept.put(sql, fresh);
      textOf.put(fresh.statement, sql);
      return fresh.statement;
    }

    /** True when the statement is kept for the next use; false when the caller must close it. */
    synchronized boolean give(PreparedStatement statement) {
      String sql = textOf.get(statement);
      if (sql == null) {
        return false;
      }
      Kept entry = kept.get(sql);
      try {
        statement.clearParameters();
        statement.clearBatch();
        entry.inUse = false;
        return true;
      } catch (SQLException e) {
        kept.remove(sql);
        textOf.remove(statement);
        return false;
      }
    }

    private static void closeQuietly(Statement statement) {
      try {
        statement.close();
      } catch (SQLException e) {
        // Closing is all that was left to do with it; the connection frees it when it closes.
      }
    }
  }
}
