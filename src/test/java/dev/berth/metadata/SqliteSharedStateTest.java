package dev.berth.metadata;

import dev.berth.metadata.sql.SqlMetadataStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Two stores on one SQLite file stand for a server and another process on its data directory. */
class SqliteSharedStateTest extends SharedStateContract {
  @TempDir Path dir;

  @Override
  protected SqlMetadataStore openStore() {
    return SqlMetadataStore.sqlite(dir.resolve("metadata.db"));
  }
}
