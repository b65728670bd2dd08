package dev.berth.metadata.sql;

import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * On SQLite, the quota checks' counts of namespace usage, kept in the memory of the process that
 * writes the database: one serving process holds the data directory, so every push goes through
 * it. Adding to a count in memory spares every push with a quota a write of the namespace's row, one
 * more page in the commit each push waits for.
 *
 * <p>A count exists only while the row says the namespace is counted ({@code usage_bytes} not
 * null, which setting a policy clears) and this process has counted it since it started; otherwise
 * the push counts the usage again from the manifests. A count may overstate the usage, never
 * understate it. A transaction whose work fails takes back what it added and drops what it counted,
 * from within its failing work: the database's writes run one after another, so no other change
 * comes between a change and its undo.
 */
final class ProcessQuotaCounts {
  private final ConcurrentHashMap<String, Long> counts = new ConcurrentHashMap<>();

  /**
   * Adds to the namespace's count inside {@code tx}'s transaction; empty, changing nothing, when
   * this process holds no count of it.
   */
  OptionalLong add(SqlTransactions tx, String namespace, long bytes) {
    Long added = counts.computeIfPresent(namespace, (key, count) -> count + bytes);
    if (added == null) {
      return OptionalLong.empty();
    }
    tx.onRollback(() -> counts.computeIfPresent(namespace, (key, count) -> count - bytes));
    return OptionalLong.of(added);
  }

  /** Starts the namespace's count afresh inside {@code tx}'s transaction, from the usage it counted. */
  void set(SqlTransactions tx, String namespace, long bytes) {
    counts.put(namespace, bytes);
    tx.onRollback(() -> counts.remove(namespace));
  }
}
