package dev.berth.cleanup;

import dev.berth.metadata.JobClaims;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the storage used at a fixed period, in one process of the deployment, so the console's
 * chart has points between collections (each collection adds its own, see
 * {@link Inventory#sampleWhenDone()}).
 */
public final class StorageSampler {
  private static final Logger LOG = LoggerFactory.getLogger(StorageSampler.class);
  static final String JOB = "storage-sample";

  private StorageSampler() {}

  public static ScheduledJob start(Inventory inventory, Duration period, JobClaims claims, Clock clock) {
    return ScheduledJob.start(JOB, ScheduledJob.Occurrences.every(period), claims, clock, () -> {
      try {
        inventory.sample();
      } catch (RuntimeException e) {
        // A missed point is a gap in a chart; the next period tries again.
        LOG.warn("storage sample failed", e);
      }
    });
  }
}
