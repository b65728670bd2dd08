package dev.berth.cleanup;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the storage used at a fixed period, so the console's chart has points between
 * collections (each collection adds its own, see {@link Inventory#sampleWhenDone()}).
 */
public final class StorageSampler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StorageSampler.class);

  private final Thread thread;

  private StorageSampler(Inventory inventory, Duration period) {
    this.thread = Thread.ofVirtual().name("berth-storage-sampler").start(() -> loop(inventory, period));
  }

  public static StorageSampler start(Inventory inventory, Duration period) {
    return new StorageSampler(inventory, period);
  }

  private static void loop(Inventory inventory, Duration period) {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        inventory.sample();
      } catch (RuntimeException e) {
        // A missed point is a gap in a chart; the next period tries again.
        LOG.warn("storage sample failed", e);
      }
      try {
        Thread.sleep(period);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() {
    thread.interrupt();
  }
}
