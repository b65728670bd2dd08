package dev.berth.metadata;

import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.testing.SharedPostgres;

/** Replicas on one PostgreSQL database, one database per test. */
class PostgresSharedStateTest extends SharedStateContract {
  private String url;

  /** The test's database is made by its first store (the contract opens its stores before any subclass set-up). */
  @Override
  protected SqlMetadataStore openStore() {
    if (url == null) {
      url = SharedPostgres.newDatabase();
    }
    return SqlMetadataStore.postgres(url, "postgres", "", 8);
  }
}
