package dev.berth.cleanup;

import dev.berth.metadata.GcRunRecord;
import dev.berth.metadata.JobClaims;
import dev.berth.metadata.RetentionStore.RunRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each namespace's retention at the times of its policy's schedule, each time in one process
 * of the deployment, followed by a collection that frees what it deleted. Policies change while the
 * server runs, so rather than a job per schedule there is one job per minute (a cron's resolution)
 * that runs the namespaces whose schedule falls within that minute.
 */
public final class RetentionSchedule {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionSchedule.class);
  static final String JOB = "retention";
  private static final Duration TICK = Duration.ofMinutes(1);

  private final RetentionRuns runs;
  private final Policies policies;
  private final GcService gc;
  private final GcOptions gcOptions;

  public RetentionSchedule(RetentionRuns runs, Policies policies, GcService gc, GcOptions gcOptions) {
    this.runs = runs;
    this.policies = policies;
    this.gc = gc;
    this.gcOptions = gcOptions;
  }

  public ScheduledJob start(JobClaims claims, Clock clock) {
    return ScheduledJob.start(JOB, ScheduledJob.Occurrences.every(TICK), claims, clock,
        () -> runDue(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MINUTES)));
  }

  /**
   * Runs the retention of every namespace whose schedule has an occurrence in the minute ending at
   * {@code tick} (after {@code tick - 1 min}, up to {@code tick}), then, if any deleted something, one
   * collection. The runs, in namespace order.
   */
  List<RunRecord> runDue(Instant tick) {
    ZonedDateTime from = tick.minus(TICK).atZone(ZoneOffset.UTC);
    List<RunRecord> ran = new ArrayList<>();
    for (Policies.Current current : policies.all()) {
      Optional<ZonedDateTime> next = current.policy().retention().schedule()
          .flatMap(schedule -> schedule.executionTime().nextExecution(from));
      if (next.isEmpty() || next.get().toInstant().isAfter(tick)) {
        continue;
      }
      String namespace = current.stored().namespace();
      try {
        ran.add(runs.runNow(new RetentionRuns.Request(Optional.of(namespace), false, "schedule", "schedule"),
            item -> { }));
      } catch (RuntimeException e) {
        LOG.error("scheduled retention of {} failed", namespace, e);
      }
    }
    if (ran.stream().anyMatch(run -> run.totals().deleted() > 0)) {
      collect();
    }
    return ran;
  }

  /** A collection after the runs; one already running started before their deletes, so it is waited for. */
  private void collect() {
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        gc.runNow(gcOptions, "schedule", "schedule", GcListener.NONE);
        return;
      } catch (GcAlreadyRunningException e) {
        try {
          for (GcRunRecord run : gc.recentRuns(5)) {
            if (run.status() == GcRunRecord.Status.RUNNING) {
              gc.awaitEnd(run.id(), Duration.ofHours(6));
            }
          }
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    LOG.warn("the collection after scheduled retention did not start: other runs kept going; the next one frees"
        + " what retention deleted");
  }
}
