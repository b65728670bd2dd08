package dev.berth.cleanup;

import com.cronutils.model.time.ExecutionTime;
import dev.berth.metadata.JobClaims;
import dev.berth.policy.CronSchedule;
import java.time.Clock;
import java.time.ZoneOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts collections at the times of a UNIX cron expression ({@code 0 3 * * *}: every day at 03:00
 * UTC), each time in one process of the deployment.
 */
public final class GcSchedule {
  private static final Logger LOG = LoggerFactory.getLogger(GcSchedule.class);
  /** The job's name in the claims: one schedule per deployment. */
  static final String JOB = "gc";

  private GcSchedule() {}

  /** Validates the expression; throws IllegalArgumentException with the parser's reason. */
  public static ExecutionTime parse(String cron) {
    return new CronSchedule(cron).executionTime();
  }

  public static ScheduledJob start(String cron, GcService service, GcOptions options, JobClaims claims, Clock clock) {
    ExecutionTime times = parse(cron);
    // In UTC, whatever each process's zone: every replica must compute the same instants.
    ScheduledJob.Occurrences occurrences = instant -> times.nextExecution(instant.atZone(ZoneOffset.UTC))
        .map(java.time.ZonedDateTime::toInstant);
    return ScheduledJob.start(JOB, occurrences, claims, clock, () -> {
      try {
        service.start(options, "schedule", "schedule");
      } catch (GcAlreadyRunningException e) {
        LOG.info("scheduled gc skipped: another run is in progress");
      }
    });
  }
}
