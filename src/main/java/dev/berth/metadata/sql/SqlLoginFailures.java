package dev.berth.metadata.sql;

import dev.berth.metadata.LoginFailureStore;
import java.time.Instant;
import java.util.Collection;

/** Failed logins in the {@code login_failures} table, one row per key and second. */
final class SqlLoginFailures implements LoginFailureStore {
  /**
   * Adding to the row in the statement that inserts it, not reading it first: two replicas counting
   * a failure for one key in one second both add theirs.
   */
  static final String COUNT_ONE = """
      INSERT INTO login_failures (throttle_key, at_second, failures) VALUES (:key, :second, 1)
      ON CONFLICT (throttle_key, at_second) DO UPDATE SET failures = login_failures.failures + 1""";
  static final String COUNT_SINCE = """
      SELECT COALESCE(SUM(failures), 0) FROM login_failures
       WHERE throttle_key = :key AND at_second >= :second""";

  private final SqlTransactions statements;

  SqlLoginFailures(SqlTransactions statements) {
    this.statements = statements;
  }

  @Override
  public void record(Collection<String> keys, Instant at) {
    statements.write(h -> {
      // Rows locked in one order: two transactions counting overlapping keys never wait for each other in a cycle.
      keys.stream().distinct().sorted().forEach(key -> h.createUpdate(COUNT_ONE)
          .bind("key", key)
          .bind("second", at.getEpochSecond())
          .execute());
      return null;
    });
  }

  @Override
  public int countSince(String key, Instant since) {
    return statements.read(h -> h.createQuery(COUNT_SINCE)
        .bind("key", key)
        .bind("second", since.getEpochSecond())
        .mapTo(Integer.class)
        .one());
  }

  @Override
  public void forgetBefore(Instant horizon) {
    statements.write(h -> h.createUpdate("DELETE FROM login_failures WHERE at_second < :second")
        .bind("second", horizon.getEpochSecond())
        .execute());
  }
}
