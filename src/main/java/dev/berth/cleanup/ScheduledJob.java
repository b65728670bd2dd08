package dev.berth.cleanup;

import dev.berth.metadata.JobClaims;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a task at each occurrence of a schedule, in whichever one process of the deployment claims
 * that occurrence first ({@link JobClaims}). Every process computes the same occurrences from the
 * same schedule, so their claims meet on one row however far apart their clocks wake them; a
 * process that dies claims nothing more, and the next occurrence runs in another.
 */
public final class ScheduledJob implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduledJob.class);

  /** The first occurrence strictly after an instant, or empty when the schedule has ended. */
  public interface Occurrences {
    Optional<Instant> after(Instant instant);

    /** Every {@code period}, counted from the epoch, so that every process sees the same instants. */
    static Occurrences every(Duration period) {
      long millis = period.toMillis();
      return instant -> Optional.of(Instant.ofEpochMilli(Math.floorDiv(instant.toEpochMilli(), millis) * millis
          + millis));
    }
  }

  private final Thread thread;

  private ScheduledJob(String name, Occurrences occurrences, JobClaims claims, Clock clock, Runnable task) {
    this.thread = Thread.ofVirtual().name("berth-job-" + name)
        .start(() -> loop(name, occurrences, claims, clock, task));
  }

  /**
   * Starts claiming the occurrences of {@code name}, running {@code task} for each one this process
   * claims; {@code task} handles its own failures or they are logged.
   */
  public static ScheduledJob start(String name, Occurrences occurrences, JobClaims claims, Clock clock, Runnable task) {
    return new ScheduledJob(name, occurrences, claims, clock, task);
  }

  private static void loop(String name, Occurrences occurrences, JobClaims claims, Clock clock, Runnable task) {
    String owner = GcService.OWNER.toString();
    Instant last = clock.instant();
    while (!Thread.currentThread().isInterrupted()) {
      Optional<Instant> next = occurrences.after(last);
      if (next.isEmpty()) {
        return;
      }
      try {
        Duration wait = Duration.between(clock.instant(), next.get());
        if (wait.isPositive()) {
          Thread.sleep(wait.plusMillis(1));
        }
      } catch (InterruptedException e) {
        return;
      }
      last = next.get();
      try {
        if (claims.claim(name, next.get(), owner, clock.instant())) {
          task.run();
        } else {
          LOG.debug("{} at {} runs in another process", name, next.get());
        }
      } catch (RuntimeException e) {
        LOG.error("{} at {} failed", name, next.get(), e);
      }
    }
  }

  @Override
  public void close() {
    thread.interrupt();
  }
}
