package dev.berth.metadata.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.metadata.ManifestKey;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteDataSource;

/**
 * V9 and V11 on PostgreSQL: a database the released scripts migrated (they rebuilt the tables)
 * still opens and validates, and a fresh one gets the same schema without any table being rebuilt.
 *
 * <p>The released scripts are the shared migrations plus {@code db/sqlite}'s V9 and V11, which are
 * the files every release ran on both databases, byte for byte: the checksums the released
 * migration recorded are asserted to be the ones {@link ReplacedMigrations} replaces.
 */
class ReplacedMigrationsTest {

  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  private static final List<String> REBUILT_TABLES = List.of("blobs", "manifest_blobs", "repository_blobs");

  private static EmbeddedPostgres postgres;

  @TempDir Path dir;

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.start();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    postgres.close();
  }

  /** The migrations as every release up to this change shipped them, for both databases. */
  private static FluentConfiguration released(DataSource database, Dialect dialect) {
    return Flyway.configure(SqlMetadataStore.class.getClassLoader())
        .dataSource(database)
        .locations("classpath:" + SchemaVersion.MIGRATIONS, "classpath:db/sqlite")
        .placeholders(dialect.placeholders());
  }

  @Test
  void aPostgresDatabaseTheReleasedScriptsRebuiltOpensValidatesAndKeepsItsRows() throws SQLException {
    String schema = newSchema();
    DataSource database = postgresSchema(schema);
    // One migration short of the latest, so opening runs Flyway, which validates what was applied.
    released(database, Dialect.POSTGRES).target(String.valueOf(SchemaVersion.LATEST - 1)).load().migrate();
    assertThat(checksums(database)).as("what the released scripts recorded")
        .containsEntry("9", ReplacedMigrations.POSTGRES.get(0).oldChecksum())
        .containsEntry("11", ReplacedMigrations.POSTGRES.get(1).oldChecksum());
    Digest blob = Digest.sha256("layer".getBytes(StandardCharsets.UTF_8));
    Digest manifest = Digest.sha256("manifest".getBytes(StandardCharsets.UTF_8));
    insertImage(database, blob, manifest);

    try (SqlMetadataStore store = SqlMetadataStore.postgres(postgresUrl(schema), "postgres", "", 2)) {
      assertThat(store.collector().manifestsUsingBlob(blob))
          .containsExactly(new ManifestKey(RepositoryName.of("team/app"), manifest));
    }

    assertThat(SqlMetadataStore.migrations(database, Dialect.POSTGRES).load().validateWithResult()
        .validationSuccessful).isTrue();
    assertThat(checksums(database))
        .containsEntry("9", ReplacedMigrations.POSTGRES.get(0).newChecksum())
        .containsEntry("11", ReplacedMigrations.POSTGRES.get(1).newChecksum());
  }

  @Test
  void aSqliteDatabaseTheReleasedScriptsMigratedOpensAndValidates() throws SQLException {
    SQLiteDataSource database = new SQLiteDataSource();
    database.setUrl("jdbc:sqlite:" + dir.resolve("metadata.db"));
    released(database, Dialect.SQLITE).target(String.valueOf(SchemaVersion.LATEST - 1)).load().migrate();
    Digest blob = Digest.sha256("layer".getBytes(StandardCharsets.UTF_8));
    Digest manifest = Digest.sha256("manifest".getBytes(StandardCharsets.UTF_8));
    insertImage(database, blob, manifest);

    try (SqlMetadataStore store = SqlMetadataStore.sqlite(dir.resolve("metadata.db"))) {
      assertThat(store.collector().manifestsUsingBlob(blob))
          .containsExactly(new ManifestKey(RepositoryName.of("team/app"), manifest));
    }

    assertThat(SqlMetadataStore.migrations(database, Dialect.SQLITE).load().validateWithResult()
        .validationSuccessful).isTrue();
    assertThat(checksums(database)).as("SQLite runs the released scripts themselves")
        .containsEntry("9", ReplacedMigrations.POSTGRES.get(0).oldChecksum())
        .containsEntry("11", ReplacedMigrations.POSTGRES.get(1).oldChecksum());
  }

  @Test
  void aFreshPostgresDatabaseRebuildsNoTable() throws SQLException {
    String schema = newSchema();
    DataSource database = postgresSchema(schema);
    SqlMetadataStore.migrations(database, Dialect.POSTGRES).target("8").load().migrate();
    Map<String, String> before = storage(database, schema);
    assertThat(before).hasSize(REBUILT_TABLES.size());

    SqlMetadataStore.postgres(postgresUrl(schema), "postgres", "", 2).close();

    assertThat(storage(database, schema)).as("oid and relfilenode of each table").isEqualTo(before);
    assertThat(checksums(database))
        .containsEntry("9", ReplacedMigrations.POSTGRES.get(0).newChecksum())
        .containsEntry("11", ReplacedMigrations.POSTGRES.get(1).newChecksum());
  }

  @Test
  void aFreshPostgresDatabaseEndsWithTheSchemaTheRebuildLeft() throws SQLException {
    String fresh = newSchema();
    SqlMetadataStore.postgres(postgresUrl(fresh), "postgres", "", 2).close();
    String rebuilt = newSchema();
    released(postgresSchema(rebuilt), Dialect.POSTGRES).load().migrate();

    List<String> expected = describe(rebuilt);
    assertThat(expected).anyMatch(line -> line.startsWith("index manifest_blobs "));
    assertThat(describe(fresh)).containsExactlyInAnyOrderElementsOf(expected);
  }

  // ---- helpers

  private static String newSchema() throws SQLException {
    String schema = "migrations_" + SCHEMAS.incrementAndGet();
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    return schema;
  }

  private static String postgresUrl(String schema) {
    return postgres.getJdbcUrl("postgres", "postgres") + "&currentSchema=" + schema;
  }

  private static DataSource postgresSchema(String schema) {
    PGSimpleDataSource database = new PGSimpleDataSource();
    database.setURL(postgresUrl(schema));
    return database;
  }

  private static Map<String, Integer> checksums(DataSource database) throws SQLException {
    Map<String, Integer> checksums = new TreeMap<>();
    try (Connection c = database.getConnection(); Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT version, checksum FROM flyway_schema_history WHERE version IS NOT NULL")) {
      while (rows.next()) {
        checksums.put(rows.getString(1), rows.getInt(2));
      }
    }
    return checksums;
  }

  /** A table rebuilt by a migration gets a new oid and a new file; one altered in place keeps both. */
  private static Map<String, String> storage(DataSource database, String schema) throws SQLException {
    Map<String, String> storage = new TreeMap<>();
    try (Connection c = database.getConnection(); PreparedStatement query = c.prepareStatement("""
            SELECT c.relname, c.oid, c.relfilenode FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relkind = 'r' AND c.relname = ANY (?)""")) {
      query.setString(1, schema);
      query.setArray(2, c.createArrayOf("text", REBUILT_TABLES.toArray()));
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          storage.put(rows.getString(1), rows.getLong(2) + "/" + rows.getLong(3));
        }
      }
    }
    return storage;
  }

  /**
   * What queries see of a schema: every column with its type, nullability, collation and default,
   * every constraint and every index by definition. Names of constraints and indexes are left out:
   * the rebuild left its tables' keys named after the temporary tables.
   */
  private static List<String> describe(String schema) throws SQLException {
    List<String> lines = new ArrayList<>();
    try (Connection c = postgres.getPostgresDatabase().getConnection()) {
      collect(c, schema, lines, """
          SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
                 || ' ' || COALESCE(collation_name, '-') || ' ' || COALESCE(column_default, '-')
            FROM information_schema.columns WHERE table_schema = ? AND table_name <> 'flyway_schema_history'""");
      collect(c, schema, lines, """
          SELECT 'constraint ' || r.relname || ' ' || con.contype::text || ' ' || pg_get_constraintdef(con.oid)
            FROM pg_constraint con JOIN pg_class r ON r.oid = con.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
           WHERE n.nspname = ? AND r.relname <> 'flyway_schema_history'""");
      collect(c, schema, lines, """
          SELECT 'index ' || tablename || ' ' || regexp_replace(indexdef, 'INDEX \\S+ ON', 'INDEX ON')
            FROM pg_indexes WHERE schemaname = ? AND tablename <> 'flyway_schema_history'""");
    }
    return lines.stream().map(line -> line.replace(schema + ".", "")).toList();
  }

  private static void collect(Connection c, String schema, List<String> lines, String sql) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(sql)) {
      query.setString(1, schema);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          lines.add(rows.getString(1));
        }
      }
    }
  }

  private static void insertImage(DataSource database, Digest blob, Digest manifest) throws SQLException {
    try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO repositories (name, created_at) VALUES ('team/app', 1)");
      s.execute("INSERT INTO blobs (digest, size, state, created_at, touched_at) VALUES ('" + blob + "', 5, 'live', 1, 1)");
      s.execute("INSERT INTO repository_blobs (repository, digest, linked_at) VALUES ('team/app', '" + blob + "', 1)");
      s.execute("INSERT INTO manifests (repository, digest, media_type, annotations, size, payload, created_at)"
          + " VALUES ('team/app', '" + manifest + "', 'application/vnd.oci.image.manifest.v1+json', '{}', 8, '00', 1)");
      s.execute("INSERT INTO manifest_blobs (repository, manifest_digest, blob_digest) VALUES ('team/app', '"
          + manifest + "', '" + blob + "')");
    }
  }
}
