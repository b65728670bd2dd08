package dev.berth.http;

import dev.berth.cleanup.Policies;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code berth_namespace_usage_bytes} and {@code berth_namespace_quota_bytes}, labelled by namespace,
 * for the namespaces whose policy sets a quota: as many label values as such policies, however many
 * namespaces hold images. Counted in the background at a fixed period, not on a scrape: counting a
 * namespace's usage reads the database, which a scrape (answered on Jetty's non-blocking path) must
 * not wait for. A namespace whose quota is removed leaves the gauges at the next count.
 */
public final class QuotaGauges implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QuotaGauges.class);

  private final Policies policies;
  private final MultiGauge usage;
  private final MultiGauge quota;
  private final ScheduledExecutorService timer;

  QuotaGauges(Policies policies, MeterRegistry meters, ScheduledExecutorService timer) {
    this.policies = policies;
    this.usage = MultiGauge.builder("berth.namespace.usage").baseUnit("bytes")
        .description("storage a namespace with a quota uses: its distinct blobs and manifests").register(meters);
    this.quota = MultiGauge.builder("berth.namespace.quota").baseUnit("bytes")
        .description("the quota of the namespace's policy").register(meters);
    this.timer = timer;
  }

  /** Counts now, then every {@code period} on a daemon thread of its own until closed. */
  public static QuotaGauges start(Policies policies, MeterRegistry meters, Duration period) {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("berth-quota-gauges").daemon().factory());
    QuotaGauges gauges = new QuotaGauges(policies, meters, timer);
    timer.scheduleWithFixedDelay(gauges::refresh, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    return gauges;
  }

  void refresh() {
    try {
      List<Policies.Usage> counted = policies.withQuota();
      usage.register(counted.stream()
          .map(u -> MultiGauge.Row.of(Tags.of("namespace", u.namespace()), u.bytes())).toList(), true);
      quota.register(counted.stream()
          .map(u -> MultiGauge.Row.of(Tags.of("namespace", u.namespace()), u.quota().orElseThrow().bytes()))
          .toList(), true);
    } catch (RuntimeException e) {
      // The gauges keep their last values; the next period tries again.
      LOG.warn("counting namespaces' usage for the metrics failed", e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
