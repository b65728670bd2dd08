package dev.berth.gc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Holds SQLite's write lock on a data directory's database from the test's own process, as any
 * second writer would. Readers go on (WAL); every writer of the server waits until {@link #close()},
 * so whatever is about to write (a GC run finishing, say) is held exactly where it is.
 */
final class SqliteWriteLock implements AutoCloseable {
  private final Connection connection;

  private SqliteWriteLock(Connection connection) {
    this.connection = connection;
  }

  static SqliteWriteLock take(Path database) throws SQLException {
    Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database.toAbsolutePath());
    try (Statement statement = connection.createStatement()) {
      statement.execute("PRAGMA busy_timeout = 30000");
      statement.execute("BEGIN IMMEDIATE");
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
    return new SqliteWriteLock(connection);
  }

  @Override
  public void close() throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("ROLLBACK");
    } finally {
      connection.close();
    }
  }
}
