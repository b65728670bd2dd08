package dev.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.cleanup.Policies;
import dev.berth.metadata.PolicyStore.StoredPolicy;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.testing.MutableClock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The /metrics gauges of namespaces' usage and quota: one series per namespace with a quota, none for the others. */
class QuotaGaugesTest {
  @TempDir Path dir;

  @Test
  void onlyNamespacesWithAQuotaHaveSeriesAndOneLosesThemWithItsQuota() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Never scheduled on here: the test counts by hand.
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try (SqlMetadataStore store = SqlMetadataStore.sqlite(dir.resolve("metadata.db"));
        QuotaGauges gauges = new QuotaGauges(
            new Policies(store, new MutableClock(Instant.EPOCH)), prometheus, timer)) {
      store.policies().put(new StoredPolicy("team", "quota: 2GiB\n", Instant.EPOCH, "admin"));
      store.policies().put(new StoredPolicy("rules", "immutable: [{repositories: [\"**\"], tags: [\"v*\"]}]\n",
          Instant.EPOCH, "admin"));

      gauges.refresh();
      String scraped = prometheus.scrape();
      assertThat(scraped).contains("berth_namespace_usage_bytes{namespace=\"team\"} 0.0")
          .contains("berth_namespace_quota_bytes{namespace=\"team\"} 2.147483648E9")
          .doesNotContain("namespace=\"rules\"");

      store.policies().put(new StoredPolicy("team", "{}\n", Instant.EPOCH, "admin"));
      gauges.refresh();
      assertThat(prometheus.scrape()).doesNotContain("namespace=\"team\"");
    }
  }
}
