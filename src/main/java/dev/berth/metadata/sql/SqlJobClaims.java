package dev.berth.metadata.sql;

import dev.berth.metadata.JobClaims;
import dev.berth.metadata.MetadataException;
import java.time.Duration;
import java.time.Instant;
import org.jdbi.v3.core.JdbiException;

/** Claims as rows of {@code job_claims}: the insert that wins the primary key wins the occurrence. */
final class SqlJobClaims implements JobClaims {
  /** Claims older than this are history nobody reads; each claim removes its job's. */
  private static final Duration KEPT = Duration.ofDays(30);

  private final SqlTransactions transactions;

  SqlJobClaims(SqlTransactions transactions) {
    this.transactions = transactions;
  }

  @Override
  public boolean claim(String job, Instant dueAt, String owner, Instant now) {
    try {
      return transactions.write(h -> {
        int inserted = h.createUpdate("""
                INSERT INTO job_claims (job, due_at, claimed_by, claimed_at) VALUES (:job, :due, :owner, :now)
                ON CONFLICT (job, due_at) DO NOTHING""")
            .bind("job", job)
            .bind("due", dueAt.toEpochMilli())
            .bind("owner", owner)
            .bind("now", now.toEpochMilli())
            .execute();
        h.createUpdate("DELETE FROM job_claims WHERE job = :job AND due_at < :before")
            .bind("job", job)
            .bind("before", dueAt.minus(KEPT).toEpochMilli())
            .execute();
        return inserted == 1;
      });
    } catch (JdbiException e) {
      throw new MetadataException("cannot claim job " + job, e);
    }
  }
}
