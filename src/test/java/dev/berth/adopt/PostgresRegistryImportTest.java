package dev.berth.adopt;

import dev.berth.metadata.MetadataStore;
import dev.berth.metadata.sql.SqlMetadataStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The import's tests on PostgreSQL, whose batches take row locks SQLite has no use for: each database a schema. */
class PostgresRegistryImportTest extends RegistryImportTest {
  private static final AtomicInteger SCHEMAS = new AtomicInteger();

  private static EmbeddedPostgres postgres;

  private final Map<String, String> schemas = new HashMap<>();

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.start();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    postgres.close();
  }

  @Override
  MetadataStore database(String name) {
    String schema = schemas.computeIfAbsent(name, n -> "import_" + SCHEMAS.incrementAndGet());
    String url = postgres.getJdbcUrl("postgres", "postgres") + "&currentSchema=" + schema;
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return SqlMetadataStore.postgres(url, "postgres", "", 4);
  }
}
