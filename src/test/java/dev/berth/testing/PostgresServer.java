package dev.berth.testing;

import dev.berth.config.Settings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An embedded PostgreSQL server on a loopback port, for the tests of one class: each test takes a
 * schema of its own, empty, which every store and server it opens on that URL shares, as replicas
 * share one database.
 */
public final class PostgresServer implements AutoCloseable {
  private static final String USER = "postgres";

  private final EmbeddedPostgres postgres;
  private final AtomicInteger schemas = new AtomicInteger();

  private PostgresServer(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  public static PostgresServer start() throws IOException {
    return new PostgresServer(EmbeddedPostgres.start());
  }

  /** The JDBC URL of a new, empty schema. */
  public String newSchema() throws SQLException {
    String schema = "test_" + schemas.incrementAndGet();
    String url = postgres.getJdbcUrl(USER, "postgres") + "&currentSchema=" + schema;
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    return url;
  }

  public String user() {
    return USER;
  }

  /** {@code database.*} for Berth on this schema. */
  public Settings.Postgres settings(String url, int maxConnections) {
    return new Settings.Postgres(url, USER, "", maxConnections);
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
