package dev.berth.adopt;

import dev.berth.metadata.MetadataStore;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.testing.SharedPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/** The import's tests on PostgreSQL, whose batches take row locks SQLite has no use for: each database its own. */
class PostgresRegistryImportTest extends RegistryImportTest {
  private final Map<String, String> databases = new HashMap<>();

  @Override
  MetadataStore database(String name) {
    return SqlMetadataStore.postgres(databases.computeIfAbsent(name, n -> SharedPostgres.newDatabase()), "postgres",
        "", 4);
  }

  @Override
  Connection connect(String name) throws SQLException {
    return SharedPostgres.connect(databases.get(name));
  }
}
