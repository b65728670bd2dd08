package dev.berth.metadata.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/**
 * Migrations whose PostgreSQL script was replaced after databases had run the first one. V9 and V11
 * rebuilt whole tables, which clusters them on SQLite and only copies them on PostgreSQL; PostgreSQL
 * now runs scripts of its own ({@code db/postgresql}) that leave the tables in place and end with
 * the same columns, keys, references and indexes. A database that ran the rebuilds has that schema
 * already, but its Flyway history records the old scripts' checksums, and Flyway refuses to
 * migrate a database whose applied scripts changed. So, before Flyway runs, a history row that
 * holds exactly the old checksum of a replaced script gets the new one. Any other checksum is left
 * for Flyway to judge. SQLite's scripts are the old files, unchanged.
 */
final class ReplacedMigrations {

  /** Checksums as Flyway records them; {@code ReplacedMigrationsTest} holds both to the scripts. */
  record Replaced(String version, int oldChecksum, int newChecksum) {}

  static final List<Replaced> POSTGRES = List.of(
      new Replaced("9", 1699348930, -1041999286),
      new Replaced("11", -430775045, 697928709));

  private ReplacedMigrations() {}

  /** Run before Flyway on PostgreSQL; idempotent, so replicas starting at once may all run it. */
  static void acceptOldScripts(DataSource database) throws SQLException {
    try (Connection connection = database.getConnection()) {
      if (!hasHistory(connection)) {
        return;
      }
      try (PreparedStatement update = connection.prepareStatement(
          "UPDATE flyway_schema_history SET checksum = ? WHERE version = ? AND checksum = ?")) {
        for (Replaced replaced : POSTGRES) {
          update.setInt(1, replaced.newChecksum());
          update.setString(2, replaced.version());
          update.setInt(3, replaced.oldChecksum());
          update.executeUpdate();
        }
      }
    }
  }

  private static boolean hasHistory(Connection connection) throws SQLException {
    try (PreparedStatement query =
            connection.prepareStatement("SELECT to_regclass('flyway_schema_history') IS NOT NULL");
        ResultSet row = query.executeQuery()) {
      return row.next() && row.getBoolean(1);
    }
  }
}
