package dev.berth.server;

import dev.berth.config.Settings;
import dev.berth.http.HttpServer;
import dev.berth.metadata.MetadataStore;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.registry.Registry;
import dev.berth.registry.RegistrySettings;
import dev.berth.storage.BlobStore;
import dev.berth.storage.fs.FilesystemBlobStore;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.time.Clock;

/** The composition root: opens the stores named by the settings and serves them over HTTP. */
public final class BerthServer implements AutoCloseable {
  private final MetadataStore metadata;
  private final HttpServer http;
  private final JvmGcMetrics gcMetrics;

  private BerthServer(MetadataStore metadata, HttpServer http, JvmGcMetrics gcMetrics) {
    this.metadata = metadata;
    this.http = http;
    this.gcMetrics = gcMetrics;
  }

  public static BerthServer start(Settings settings) throws Exception {
    Files.createDirectories(settings.rootDirectory());
    BlobStore blobs = new FilesystemBlobStore(settings.rootDirectory());
    MetadataStore metadata = openMetadata(settings.database());
    try {
      PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      new JvmMemoryMetrics().bindTo(prometheus);
      new JvmThreadMetrics().bindTo(prometheus);
      new ProcessorMetrics().bindTo(prometheus);
      JvmGcMetrics gcMetrics = new JvmGcMetrics();
      gcMetrics.bindTo(prometheus);
      RegistrySettings registrySettings = new RegistrySettings(settings.deleteEnabled(), settings.maxManifestBytes());
      Registry registry = Registry.create(metadata, blobs, registrySettings, Clock.systemUTC());
      HttpServer http = HttpServer.start(settings.host(), settings.port(), settings.drainTimeout(), registry,
          registrySettings, prometheus);
      return new BerthServer(metadata, http, gcMetrics);
    } catch (Exception | Error e) {
      metadata.close();
      throw e;
    }
  }

  private static MetadataStore openMetadata(Settings.Database database) throws Exception {
    return switch (database) {
      case Settings.Sqlite sqlite -> {
        Files.createDirectories(sqlite.file().toAbsolutePath().getParent());
        yield SqlMetadataStore.sqlite(sqlite.file());
      }
      case Settings.Postgres pg -> SqlMetadataStore.postgres(pg.url(), pg.user(), pg.password());
    };
  }

  public int port() {
    return http.port();
  }

  /** Drains HTTP first, so no request is cut off from the database it is using. */
  @Override
  public void close() throws Exception {
    try {
      http.close();
    } finally {
      gcMetrics.close();
      metadata.close();
    }
  }
}
