package dev.berth.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.testing.SharedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two processes' schedules of one job on one database (two stores, as two replicas have): each
 * occurrence runs once, in one of them, and all of them in the survivor once the other is gone.
 */
class ScheduledJobTest {
  private static final ScheduledJob.Occurrences EVERY_50_MS = ScheduledJob.Occurrences.every(Duration.ofMillis(50));

  @Test
  void eachOccurrenceRunsInExactlyOneProcessAndTheSurvivorTakesThemAll() throws Exception {
    String url = SharedPostgres.newDatabase();
    AtomicInteger runsA = new AtomicInteger();
    AtomicInteger runsB = new AtomicInteger();
    try (SqlMetadataStore storeA = SqlMetadataStore.postgres(url, "postgres", "", 2);
        SqlMetadataStore storeB = SqlMetadataStore.postgres(url, "postgres", "", 2)) {
      ScheduledJob a = ScheduledJob.start("test", EVERY_50_MS, storeA.jobClaims(), Clock.systemUTC(),
          runsA::incrementAndGet);
      try (ScheduledJob b = ScheduledJob.start("test", EVERY_50_MS, storeB.jobClaims(), Clock.systemUTC(),
          runsB::incrementAndGet)) {
        awaitClaims(url, 20);
        a.close();
        int aAtClose = runsA.get();
        int bAtClose = runsB.get();
        awaitClaims(url, claims(url) + 10);
        b.close();
        // A run already claimed when a closed may still have been counting.
        assertThat(runsA.get()).as("runs of the closed process").isLessThanOrEqualTo(aAtClose + 1);
        assertThat(runsB.get()).as("runs of the survivor").isGreaterThanOrEqualTo(bAtClose + 9);
      }
      Thread.sleep(100);
      assertThat(runsA.get() + runsB.get()).as("one run per claimed occurrence").isEqualTo(claims(url));
    }
  }

  @Test
  void periodicOccurrencesAreTheSameInstantsInEveryProcess() {
    ScheduledJob.Occurrences hourly = ScheduledJob.Occurrences.every(Duration.ofHours(1));
    assertThat(hourly.after(Instant.parse("2026-12-06T10:59:59.999Z")))
        .isEqualTo(Optional.of(Instant.parse("2026-12-06T11:00:00Z")));
    assertThat(hourly.after(Instant.parse("2026-12-06T11:00:00Z")))
        .isEqualTo(Optional.of(Instant.parse("2026-12-06T12:00:00Z")));
  }

  private static void awaitClaims(String url, long count) throws Exception {
    for (int i = 0; i < 1000 && claims(url) < count; i++) {
      Thread.sleep(20);
    }
    assertThat(claims(url)).isGreaterThanOrEqualTo(count);
  }

  private static long claims(String url) throws Exception {
    try (Connection c = SharedPostgres.connect(url); Statement s = c.createStatement();
        ResultSet result = s.executeQuery("SELECT count(*) FROM job_claims WHERE job = 'test'")) {
      result.next();
      return result.getLong(1);
    }
  }
}
