package dev.berth.metadata.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
}
