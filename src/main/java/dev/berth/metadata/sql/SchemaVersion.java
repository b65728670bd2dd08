package dev.berth.metadata.sql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * Whether the database already has every migration this build ships, read from Flyway's own
 * history table. Then Flyway is not started at all: it costs more start-up time (its plugin and
 * resource scanning) than the rest of opening the store. Anything else (a new database, a pending
 * migration, a failed one, a newer schema than this build knows) goes through Flyway as before.
 */
final class SchemaVersion {
  static final String MIGRATIONS = "db/migration";
  /** The highest {@code V<n>__*.sql} in {@link #MIGRATIONS}; a test keeps the two equal. */
  static final int LATEST = 20;

  private SchemaVersion() {}

  static boolean isCurrent(DataSource database) {
    try (Connection connection = database.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(
            "SELECT version, success FROM flyway_schema_history WHERE version IS NOT NULL")) {
      int highest = 0;
      while (rows.next()) {
        if (!rows.getBoolean(2)) {
          return false;
        }
        highest = Math.max(highest, Integer.parseInt(rows.getString(1)));
      }
      return highest == LATEST;
    } catch (SQLException | NumberFormatException e) {
      // No history table yet (a new database), or one this build cannot read: Flyway decides.
      return false;
    }
  }
}
