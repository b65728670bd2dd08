package dev.berth.testing;

import dev.berth.metadata.sql.SqlMetadataStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One embedded PostgreSQL server for the tests of a JVM that need a database of their own each:
 * started on first use, stopped when the JVM ends.
 */
public final class SharedPostgres {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static final String TEMPLATE = "berth_migrated";
  private static EmbeddedPostgres server;
  private static boolean templateMigrated;

  /** Counts the advisory locks of the connected database (pg_locks shows every database's). */
  public static final String COUNT_ADVISORY_LOCKS = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
      + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";

  private SharedPostgres() {}

  private static synchronized EmbeddedPostgres server() {
    if (server == null) {
      try {
        server = EmbeddedPostgres.start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      EmbeddedPostgres started = server;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          started.close();
        } catch (IOException ignored) {
          // The JVM is ending; the server's directory is temporary.
        }
      }));
    }
    return server;
  }

  /**
   * The JDBC URL of a new database with Berth's schema: a copy of one migrated on first use, since
   * migrating takes a few seconds and a copy a few milliseconds.
   */
  public static String newDatabase() {
    String name = "berth_" + DATABASES.incrementAndGet();
    execute("CREATE DATABASE " + name + " TEMPLATE " + migratedTemplate());
    return server().getJdbcUrl("postgres", name);
  }

  private static synchronized String migratedTemplate() {
    if (!templateMigrated) {
      execute("CREATE DATABASE " + TEMPLATE);
      SqlMetadataStore.postgres(server().getJdbcUrl("postgres", TEMPLATE), "postgres", "", 2).close();
      templateMigrated = true;
    }
    return TEMPLATE;
  }

  private static void execute(String sql) {
    try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A connection to the database at {@code jdbcUrl}, for a test's own look at it. */
  public static Connection connect(String jdbcUrl) throws SQLException {
    return java.sql.DriverManager.getConnection(jdbcUrl, "postgres", "");
  }
}
