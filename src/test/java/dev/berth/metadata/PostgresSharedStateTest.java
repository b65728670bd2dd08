package dev.berth.metadata;

import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.testing.PostgresServer;
import java.io.IOException;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Replicas on one PostgreSQL database, one schema per test. */
class PostgresSharedStateTest extends SharedStateContract {
  private static PostgresServer postgres;

  private String url;

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = PostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    postgres.close();
  }

  /** The test's schema is made by its first store (the contract opens its stores before any subclass set-up). */
  @Override
  protected SqlMetadataStore openStore() {
    if (url == null) {
      try {
        url = postgres.newSchema();
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }
    return SqlMetadataStore.postgres(url, postgres.user(), "", 8);
  }
}
