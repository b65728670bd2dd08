package dev.berth.registry;

import dev.berth.metadata.ManifestKey;
import dev.berth.metadata.ManifestMetadata;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When each manifest was last pulled, kept in memory and written in one batched transaction per
 * period: a manifest GET runs tens of thousands of times a second and must not wait for a database
 * write. Memory is bounded by the distinct manifests pulled within one period. A crash loses at
 * most one period of pull times, which only ever makes a manifest look pulled earlier than it was.
 */
public final class PullRecorder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PullRecorder.class);

  /** Pull times closer together than this are not told apart. */
  private static final Duration RESOLUTION = Duration.ofSeconds(1);

  private final ConcurrentHashMap<ManifestKey, Instant> pending = new ConcurrentHashMap<>();
  private final ManifestMetadata metadata;
  private final Clock clock;
  private ScheduledExecutorService flusher;

  PullRecorder(ManifestMetadata metadata, Clock clock) {
    this.metadata = metadata;
    this.clock = clock;
  }

  /** Flushes every {@code period} from now on, and once more at {@link #close()}. */
  public synchronized PullRecorder start(Duration period) {
    if (flusher == null) {
      flusher = Executors.newSingleThreadScheduledExecutor(task -> Thread.ofPlatform().daemon().name("pull-recorder")
          .unstarted(task));
      flusher.scheduleWithFixedDelay(this::flush, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }
    return this;
  }

  void record(RepositoryName repository, Digest digest) {
    ManifestKey key = new ManifestKey(repository, digest);
    Instant now = clock.instant();
    Instant recorded = pending.get(key);
    // A popular manifest is pulled by many requests at once: a lock-free look first keeps them from
    // queueing on the map's bin lock to write the same second again.
    if (recorded == null || recorded.plus(RESOLUTION).isBefore(now)) {
      pending.merge(key, now, PullRecorder::later);
    }
  }

  /** Writes what was recorded since the last flush; on failure it is kept for the next one. */
  public void flush() {
    Map<ManifestKey, Instant> batch = new HashMap<>();
    for (ManifestKey key : pending.keySet()) {
      Instant at = pending.remove(key);
      if (at != null) {
        batch.put(key, at);
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    try {
      metadata.recordPulls(batch);
    } catch (RuntimeException e) {
      LOG.warn("could not record {} manifest pulls; retrying at the next flush", batch.size(), e);
      batch.forEach((key, at) -> pending.merge(key, at, PullRecorder::later));
    }
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  /** Stops the periodic flush and writes what is left; call after requests have drained. */
  @Override
  public synchronized void close() throws InterruptedException {
    if (flusher != null) {
      flusher.shutdown();
      flusher.awaitTermination(30, TimeUnit.SECONDS);
      flusher = null;
    }
    flush();
  }
}
