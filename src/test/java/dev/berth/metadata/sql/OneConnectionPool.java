package dev.berth.metadata.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * A pool of one SQLite connection (synchronous=FULL, as the store runs it): every handle gets the
 * same connection, so what one use leaves on it, the next one meets.
 */
final class OneConnectionPool {
  private OneConnectionPool() {}

  static HikariDataSource sqlite(Path databaseFile) {
    SQLiteConfig settings = new SQLiteConfig();
    settings.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    SQLiteDataSource sqlite = new SQLiteDataSource(settings);
    sqlite.setUrl("jdbc:sqlite:" + databaseFile);
    HikariConfig config = new HikariConfig();
    config.setDataSource(sqlite);
    config.setMaximumPoolSize(1);
    return new HikariDataSource(config);
  }
}
