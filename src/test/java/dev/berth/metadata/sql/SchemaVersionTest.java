package dev.berth.metadata.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.berth.metadata.ManifestKey;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

class SchemaVersionTest {
  @TempDir Path dir;

  @Test
  void latestIsTheHighestMigrationShipped() throws IOException, URISyntaxException {
    Path migrations = Path.of(getClass().getClassLoader().getResource(SchemaVersion.MIGRATIONS).toURI());
    Pattern versioned = Pattern.compile("V(\\d+)__.*\\.sql");
    int highest;
    try (Stream<Path> files = Files.list(migrations)) {
      highest = files.map(file -> versioned.matcher(file.getFileName().toString()))
          .filter(Matcher::matches)
          .mapToInt(m -> Integer.parseInt(m.group(1)))
          .max()
          .orElseThrow();
    }
    assertThat(SchemaVersion.LATEST).isEqualTo(highest);
  }

  @Test
  void onlyAFullyMigratedDatabaseIsCurrent() throws SQLException {
    SQLiteDataSource database = new SQLiteDataSource();
    database.setUrl("jdbc:sqlite:" + dir.resolve("metadata.db"));
    assertThat(SchemaVersion.isCurrent(database)).as("new database").isFalse();

    SqlMetadataStore.sqlite(dir.resolve("metadata.db")).close();
    assertThat(SchemaVersion.isCurrent(database)).as("migrated").isTrue();

    try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
      s.execute("UPDATE flyway_schema_history SET success = 0 WHERE version = '" + SchemaVersion.LATEST + "'");
    }
    assertThat(SchemaVersion.isCurrent(database)).as("a failed migration").isFalse();
  }

  /** V10: blobs keep the index of their key only; every statement on them finds rows by digest. */
  @Test
  void blobsAreIndexedByTheirDigestOnly() throws SQLException {
    SqlMetadataStore.sqlite(dir.resolve("metadata.db")).close();
    SQLiteDataSource database = new SQLiteDataSource();
    database.setUrl("jdbc:sqlite:" + dir.resolve("metadata.db"));
    List<String> indexes = new java.util.ArrayList<>();
    try (Connection c = database.getConnection(); Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT name FROM pragma_index_list('blobs')")) {
      while (rows.next()) {
        indexes.add(rows.getString(1));
      }
    }
    assertThat(indexes).containsExactly("sqlite_autoindex_blobs_1");
  }

  /** A database migrated by a newer build is not taken for current: Flyway judges it. */
  @Test
  void aNewerSchemaIsNotCurrent() throws SQLException {
    SqlMetadataStore.sqlite(dir.resolve("metadata.db")).close();
    SQLiteDataSource database = new SQLiteDataSource();
    database.setUrl("jdbc:sqlite:" + dir.resolve("metadata.db"));
    try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
          + " installed_by, execution_time, success) VALUES (99, '" + (SchemaVersion.LATEST + 1)
          + "', 'future', 'SQL', 'V99__future.sql', 0, 'test', 0, 1)");
    }

    assertThat(SchemaVersion.isCurrent(database)).isFalse();
  }

  /** V9 rebuilt the reference tables: what a V8 database held is all there afterwards, and answered. */
  @Test
  void referencesSurviveTheRebuildOfTheirTables() throws SQLException {
    SQLiteDataSource database = migratedTo("8");
    Digest blob = Digest.sha256("layer".getBytes(StandardCharsets.UTF_8));
    Digest manifest = Digest.sha256("manifest".getBytes(StandardCharsets.UTF_8));
    try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO repositories (name, created_at) VALUES ('team/app', 1), ('team/mirror', 1)");
      s.execute("INSERT INTO blobs (digest, size, state, created_at, touched_at) VALUES ('" + blob + "', 5, 'live', 1, 1)");
      s.execute("INSERT INTO repository_blobs (repository, digest, linked_at) VALUES ('team/app', '" + blob + "', 1),"
          + " ('team/mirror', '" + blob + "', 2)");
      insertManifestOfTeamApp(s, manifest, blob);
    }

    try (SqlMetadataStore store = SqlMetadataStore.sqlite(dir.resolve("metadata.db"))) {
      assertThat(store.collector().manifestsUsingBlob(blob)).containsExactly(new ManifestKey(RepositoryName.of("team/app"), manifest));
      assertThat(store.collector().linkedRepositories(List.of(blob)))
          .containsExactly(Map.entry(blob, List.of(RepositoryName.of("team/app"), RepositoryName.of("team/mirror"))));
    }
    try (Connection c = database.getConnection(); Statement s = c.createStatement();
         ResultSet tables = s.executeQuery("SELECT sql FROM sqlite_master WHERE name IN ('manifest_blobs', 'repository_blobs')")) {
      int count = 0;
      while (tables.next()) {
        assertThat(tables.getString(1)).endsWith("WITHOUT ROWID");
        count++;
      }
      assertThat(count).isEqualTo(2);
    }
  }

  /**
   * V11 rebuilt blobs clustered by digest, and the tables that reference it: every row is there
   * afterwards, and the references still hold both ways.
   */
  @Test
  void blobsAndTheirReferencesSurviveTheRebuildOfTheirTable() throws SQLException {
    SQLiteDataSource database = migratedTo("10");
    Digest used = Digest.sha256("layer".getBytes(StandardCharsets.UTF_8));
    Digest unused = Digest.sha256("orphaned layer".getBytes(StandardCharsets.UTF_8));
    Digest manifest = Digest.sha256("manifest".getBytes(StandardCharsets.UTF_8));
    try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO repositories (name, created_at) VALUES ('team/app', 1)");
      s.execute("INSERT INTO blobs (digest, size, state, created_at, touched_at) VALUES ('" + used + "', 5, 'live', 1, 2),"
          + " ('" + unused + "', 7, 'deleting', 3, 4)");
      s.execute("INSERT INTO repository_blobs (repository, digest, linked_at) VALUES ('team/app', '" + used + "', 1),"
          + " ('team/app', '" + unused + "', 2)");
      insertManifestOfTeamApp(s, manifest, used);
    }

    try (SqlMetadataStore store = SqlMetadataStore.sqlite(dir.resolve("metadata.db"))) {
      assertThat(store.collector().manifestsUsingBlob(used)).containsExactly(new ManifestKey(RepositoryName.of("team/app"), manifest));
      assertThat(store.collector().linkedRepositories(List.of(used, unused))).containsOnly(
          Map.entry(used, List.of(RepositoryName.of("team/app"))), Map.entry(unused, List.of(RepositoryName.of("team/app"))));
    }
    SQLiteConfig enforcing = new SQLiteConfig();
    enforcing.enforceForeignKeys(true);
    try (Connection c = enforcing.createConnection("jdbc:sqlite:" + dir.resolve("metadata.db"));
        Statement s = c.createStatement()) {
      assertThat(rows(s, "SELECT digest || ' ' || size || ' ' || state || ' ' || created_at || ' ' || touched_at"
          + " FROM blobs ORDER BY created_at")).containsExactly(used + " 5 live 1 2", unused + " 7 deleting 3 4");
      assertThat(rows(s, "SELECT sql FROM sqlite_master WHERE name = 'blobs'")).singleElement().asString()
          .endsWith("WITHOUT ROWID");
      assertThatThrownBy(() -> s.execute("DELETE FROM blobs WHERE digest = '" + used + "'"))
          .as("a blob a manifest references").hasMessageContaining("FOREIGN KEY");
      s.execute("DELETE FROM blobs WHERE digest = '" + unused + "'");
      assertThat(rows(s, "SELECT digest FROM repository_blobs")).as("the deleted blob's link went with it")
          .containsExactly(used.toString());
      assertThat(rows(s, "SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'blobs%' OR name LIKE '%rebuilt')"))
          .containsExactly("blobs");
    }
  }

  private static void insertManifestOfTeamApp(Statement s, Digest manifest, Digest blob) throws SQLException {
    s.execute("INSERT INTO manifests (repository, digest, media_type, annotations, size, payload, created_at)"
        + " VALUES ('team/app', '" + manifest + "', 'application/vnd.oci.image.manifest.v1+json', '{}', 8, x'00', 1)");
    s.execute("INSERT INTO manifest_blobs (repository, manifest_digest, blob_digest) VALUES ('team/app', '"
        + manifest + "', '" + blob + "')");
  }

  private SQLiteDataSource migratedTo(String version) {
    SQLiteDataSource database = new SQLiteDataSource();
    database.setUrl("jdbc:sqlite:" + dir.resolve("metadata.db"));
    SqlMetadataStore.migrations(database, Dialect.SQLITE).target(version).load().migrate();
    return database;
  }

  private static List<String> rows(Statement statement, String query) throws SQLException {
    List<String> rows = new java.util.ArrayList<>();
    try (ResultSet result = statement.executeQuery(query)) {
      while (result.next()) {
        rows.add(result.getString(1));
      }
    }
    return rows;
  }
}
