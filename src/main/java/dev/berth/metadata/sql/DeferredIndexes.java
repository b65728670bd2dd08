package dev.berth.metadata.sql;

import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * The secondary indexes of the tables an import fills, dropped while it loads an empty store and
 * built once it is done. Maintained row by row, the indexes by blob took two thirds of an import's
 * writing: their keys are random digests, so each transaction changed pages all over them; built
 * at the end, each is one sort. Their definitions are kept in {@code deferred_indexes}, written in
 * the transaction that drops them, so an import killed before the end leaves them for the next
 * opening of the store to build.
 */
final class DeferredIndexes {
  private static final List<String> IMPORTED_TABLES =
      List.of("blobs", "repository_blobs", "manifests", "manifest_blobs", "manifest_children", "tags");

  private DeferredIndexes() {}

  /**
   * Drops the tables' indexes that enforce nothing (unique ones stay: the import's upserts rely on
   * them) when no manifest and no blob link is stored yet. Answers whether the indexes are deferred
   * now: by this call, or still by an import before that did not finish.
   */
  static boolean defer(Handle h, Dialect dialect) {
    if (h.createQuery("SELECT EXISTS (SELECT 1 FROM deferred_indexes)").mapTo(Boolean.class).one()) {
      return true;
    }
    boolean empty = h.createQuery(
            "SELECT NOT EXISTS (SELECT 1 FROM manifests) AND NOT EXISTS (SELECT 1 FROM repository_blobs)")
        .mapTo(Boolean.class)
        .one();
    if (!empty) {
      return false;
    }
    List<Map.Entry<String, String>> definitions = h.createQuery(dialect == Dialect.SQLITE
            ? """
              SELECT name, sql FROM sqlite_schema
              WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE %' AND tbl_name IN (<tables>)"""
            : """
              SELECT indexname, indexdef FROM pg_indexes
              WHERE schemaname = current_schema() AND indexdef NOT LIKE 'CREATE UNIQUE %' AND tablename IN (<tables>)""")
        .bindList("tables", IMPORTED_TABLES)
        .map((row, context) -> Map.entry(row.getString(1), row.getString(2)))
        .list();
    for (Map.Entry<String, String> index : definitions) {
      h.createUpdate("INSERT INTO deferred_indexes (name, definition) VALUES (:name, :definition)")
          .bind("name", index.getKey())
          .bind("definition", index.getValue())
          .execute();
      h.execute("DROP INDEX " + index.getKey());
    }
    return !definitions.isEmpty();
  }

  /** Builds every deferred index, each in the transaction that forgets it; none deferred, a read of an empty table. */
  static void build(SqlTransactions tx) {
    List<String> names = tx.read(h -> h.createQuery("SELECT name FROM deferred_indexes ORDER BY name")
        .mapTo(String.class)
        .list());
    for (String name : names) {
      tx.write(h -> {
        // Another process may have built it since the list was read: only the row, locked, says.
        h.createQuery("SELECT definition FROM deferred_indexes WHERE name = :name <forUpdate>")
            .bind("name", name)
            .mapTo(String.class)
            .findOne()
            .ifPresent(definition -> {
              if (tx.dialect() == Dialect.SQLITE) {
                // SQLite sorts an index's keys in memory up to the connection's cache size, on top
                // of the cache itself: on the import's connection (SqlManifests.IMPORT_CACHE_KIB),
                // full from the load, building the indexes of 1,000,000 manifests took the import
                // from about 420 MiB of RSS to 535. At the server's size the cache gives back what
                // it held over it, and the sort spills to temporary files a little sooner.
                h.execute("PRAGMA cache_size = -" + SqlMetadataStore.CACHE_KIB);
              }
              h.execute(definition);
              h.createUpdate("DELETE FROM deferred_indexes WHERE name = :name").bind("name", name).execute();
            });
        return null;
      });
    }
  }
}
