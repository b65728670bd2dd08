package dev.berth.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.metadata.sql.SqlMetadataStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The contract on a real PostgreSQL server, one schema per test. */
class PostgresMetadataStoreTest extends MetadataStoreContract {

  private static final String DATABASE = "berth";
  private static final AtomicInteger SCHEMAS = new AtomicInteger();

  private static EmbeddedPostgres postgres;

  private final String schema = "test_" + SCHEMAS.incrementAndGet();

  @BeforeAll
  static void startPostgres() throws IOException, SQLException {
    postgres = EmbeddedPostgres.start();
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      // A linguistic default collation, as production databases often have: byte order then only
      // comes out if the schema asks for it.
      s.execute("CREATE DATABASE " + DATABASE + " TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'");
    }
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    postgres.close();
  }

  private String jdbcUrl() {
    return postgres.getJdbcUrl("postgres", DATABASE) + "&currentSchema=" + schema;
  }

  @Override
  protected MetadataStore openStore() {
    try (Connection c = openConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return SqlMetadataStore.postgres(jdbcUrl(), "postgres", "", 16);
  }

  /** The pool keeps its connections open; it opens as many as database.maxconnections, and no more. */
  @Test
  void thePoolOpensAsManyConnectionsAsConfigured() throws Exception {
    String application = "berth-pool-" + schema;
    try (Connection c = openConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
    }
    try (SqlMetadataStore store = SqlMetadataStore.postgres(jdbcUrl() + "&ApplicationName=" + application,
        "postgres", "", 3)) {
      int open = 0;
      for (int attempt = 0; attempt < 200 && open < 3; attempt++) {
        Thread.sleep(50);
        open = connectionsOf(application);
      }
      assertThat(open).isEqualTo(3);
      Thread.sleep(500);
      assertThat(connectionsOf(application)).as("the pool stops at its maximum").isEqualTo(3);
      assertThat(store.access().userCount()).isZero();
    }
  }

  /** Replicas starting together on an empty database: one migrates, the others wait for it, all open. */
  @Test
  void storesOpeningAnEmptySchemaAtOnceMigrateItOnce() throws Exception {
    String fresh = schema + "_together";
    try (Connection c = openConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + fresh);
    }
    String url = postgres.getJdbcUrl("postgres", DATABASE) + "&currentSchema=" + fresh;
    int replicas = 4;
    java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
    List<java.util.concurrent.Future<SqlMetadataStore>> opened = new ArrayList<>();
    try (var threads = java.util.concurrent.Executors.newFixedThreadPool(replicas)) {
      for (int i = 0; i < replicas; i++) {
        opened.add(threads.submit(() -> {
          start.await();
          return SqlMetadataStore.postgres(url, "postgres", "", 2);
        }));
      }
      start.countDown();
      List<SqlMetadataStore> stores = new ArrayList<>();
      try {
        for (var store : opened) {
          stores.add(store.get());
        }
        for (SqlMetadataStore store : stores) {
          assertThat(store.access().userCount()).isZero();
        }
      } finally {
        stores.forEach(SqlMetadataStore::close);
      }
    }
    try (Connection c = openConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*), count(DISTINCT version) FROM " + fresh
            + ".flyway_schema_history WHERE success")) {
      r.next();
      assertThat(r.getInt(1)).as("each migration applied once").isEqualTo(r.getInt(2)).isPositive();
    }
  }

  private int connectionsOf(String application) throws SQLException {
    try (Connection c = openConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
            + application + "'")) {
      r.next();
      return r.getInt(1);
    }
  }

  @Override
  protected Connection openConnection() throws SQLException {
    return DriverManager.getConnection(jdbcUrl());
  }

  /** Other Berth processes write to the same database unseen, so nothing may cache in front of it. */
  @Test
  void refusesToPromiseChangeReports() {
    assertThat(store.subscribe(new ChangeListener() {
      @Override
      public void repositoryChanged(dev.berth.oci.RepositoryName repository) {
      }

      @Override
      public void blobsRetired() {
      }
    })).isFalse();
  }

  @Test
  void theTestDatabaseDoesNotSortInByteOrderByItself() throws SQLException {
    List<String> sorted = new ArrayList<>();
    try (Connection c = openConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT x FROM (VALUES ('a'), ('B'), ('_x'), ('A')) AS v (x) ORDER BY x")) {
      while (rs.next()) {
        sorted.add(rs.getString(1));
      }
    }
    assertThat(sorted).isNotEqualTo(List.of("A", "B", "_x", "a"));
  }
}
