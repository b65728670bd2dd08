package dev.berth.server;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.berth.auth.AccessControl;
import dev.berth.auth.Administration;
import dev.berth.auth.Htpasswd;
import dev.berth.auth.LoginThrottle;
import dev.berth.auth.TokenService;
import dev.berth.auth.Users;
import dev.berth.cleanup.DeletePreview;
import dev.berth.cleanup.GarbageCollector;
import dev.berth.cleanup.GcOptions;
import dev.berth.cleanup.GcSchedule;
import dev.berth.cleanup.GcService;
import dev.berth.cleanup.Inventory;
import dev.berth.cleanup.Policies;
import dev.berth.cleanup.RetentionRuns;
import dev.berth.cleanup.RetentionSchedule;
import dev.berth.cleanup.StorageSampler;
import dev.berth.config.ConfigException;
import dev.berth.config.Settings;
import dev.berth.config.TlsKeyStore;
import dev.berth.http.AdminHandler;
import dev.berth.http.ExternalUrl;
import dev.berth.http.HttpServer;
import dev.berth.http.QuotaGauges;
import dev.berth.metadata.AccessStore;
import dev.berth.metadata.DigestGuard;
import dev.berth.metadata.InProcessDigestGuard;
import dev.berth.metadata.MetadataException;
import dev.berth.metadata.sql.PostgresDigestGuard;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.metadata.sql.SqliteNativeLibrary;
import dev.berth.registry.Registry;
import dev.berth.registry.RegistrySettings;
import dev.berth.storage.BlobStore;
import dev.berth.storage.fs.FilesystemBlobStore;
import dev.berth.storage.s3.S3BlobStore;
import dev.berth.storage.s3.S3Settings;
import dev.berth.ui.ConsoleHandler;
import dev.berth.ui.ConsoleServices;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.server.Handler;

/** The composition root: opens the stores named by the settings and serves them over HTTP. */
public final class BerthServer implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BerthServer.class);
  /** How often the console's storage chart gets a point between collections. */
  static final Duration STORAGE_SAMPLE_PERIOD = Duration.ofHours(1);
  /** How long pull times wait in memory before one batched write. */
  private static final Duration PULL_FLUSH_PERIOD = Duration.ofSeconds(30);
  /** How often the namespaces' usage is counted for /metrics: Prometheus' usual scrape interval. */
  private static final Duration QUOTA_GAUGE_PERIOD = Duration.ofSeconds(30);
  private final List<AutoCloseable> closeInOrder;
  private final HttpServer http;
  private final GcService gc;

  private BerthServer(List<AutoCloseable> closeInOrder, HttpServer http, GcService gc) {
    this.closeInOrder = closeInOrder;
    this.http = http;
    this.gc = gc;
  }

  /**
   * @throws ConfigException when the TLS files cannot be used, before anything is opened
   * @throws StartFailure when the data directory, the database or the address cannot be used
   */
  public static BerthServer start(Settings settings) throws Exception {
    Optional<TlsKeyStore> tls = settings.tls().isPresent()
        ? Optional.of(TlsKeyStore.read(settings.tls().get())) : Optional.empty();
    DataDirectory directory = DataDirectory.create(settings.rootDirectory())
        .orElseThrow(() -> new StartFailure(StartFailure.Reason.DIRECTORY_IN_USE, "the data directory "
            + settings.rootDirectory().toAbsolutePath() + " is in use by another berth process", null));
    List<AutoCloseable> resources = new ArrayList<>();
    resources.add(directory);
    Clock clock = Clock.systemUTC();
    CompletableFuture<Opened> opening = openInBackground(settings, clock);
    try {
      PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      new JvmMemoryMetrics().bindTo(prometheus);
      new JvmThreadMetrics().bindTo(prometheus);
      new ProcessorMetrics().bindTo(prometheus);
      JvmGcMetrics gcMetrics = new JvmGcMetrics();
      gcMetrics.bindTo(prometheus);
      resources.addFirst(gcMetrics);
      JsonMapper json = JsonMapper.builder().build();

      Opened opened = await(opening);
      Stores stores = opened.stores();
      resources.addFirst(stores);
      GcService gc = opened.gc();
      RegistrySettings registrySettings = new RegistrySettings(settings.deleteEnabled(), settings.maxManifestBytes());
      Registry registry = Registry.create(stores.metadata(), stores.blobs(), stores.guard(), registrySettings, clock);
      // Closed after HTTP has drained (resources close newest first), so the last pulls are written.
      resources.addFirst(registry.pulls().start(PULL_FLUSH_PERIOD));
      GcOptions gcDefaults = defaultGcOptions(settings);
      GcSchedule gcSchedule = new GcSchedule(stores.metadata().history(), gc, gcDefaults, settings.gc().schedule(),
          clock);

      LoginThrottle throttle = LoginThrottle.standard(stores.metadata().loginFailures(), clock,
          stores.metadata().history());
      AccessControl access = accessControl(settings, stores.metadata().access(), throttle, clock);
      String token = DataDirectory.newToken();
      DeletePreview previews = new DeletePreview(stores.metadata().manifests(), stores.metadata().collector());
      Inventory inventory = new Inventory(stores.metadata().inventory(), stores.metadata().manifests(),
          stores.metadata().collector(), stores.metadata().history(), clock);
      Administration administration = new Administration(new Users(stores.metadata().access(), clock),
          stores.metadata().access(), access, stores.metadata().history(), clock);
      Policies policies = new Policies(stores.metadata(), clock);
      resources.addFirst(QuotaGauges.start(policies, prometheus, QUOTA_GAUGE_PERIOD));
      // A pull counts at once: the run writes this process's recorded pulls before it reads.
      RetentionRuns retention = new RetentionRuns(stores.metadata(), policies, clock, registry.pulls()::flush);
      AdminHandler admin = new AdminHandler(gc, previews, inventory, administration, policies, retention,
          stores.metadata().history(), gcDefaults, gcSchedule, token, access, json);
      ConsoleHandler console = new ConsoleHandler(new ConsoleServices(access, administration, inventory,
          previews, registry.manifests(), gc, gcDefaults, gcSchedule, stores.metadata().history(),
          stores.metadata().consoleSessions(), registry.blobs(), policies, retention,
          new ExternalUrl(settings.externalUrl())::base), clock);
      HttpServer http = listen(settings, tls, registry, registrySettings, access, new Handler.Sequence(admin, console),
          prometheus);
      resources.addFirst(http);
      if (settings.schedulerEnabled()) {
        resources.addFirst(StorageSampler.start(inventory, STORAGE_SAMPLE_PERIOD, stores.metadata().jobClaims(), clock));
        resources.addFirst(gcSchedule.start(stores.metadata().jobClaims()));
        resources.addFirst(new RetentionSchedule(retention, policies, gc, gcDefaults)
            .start(stores.metadata().jobClaims(), clock));
      }
      // berth gc reaches the admin API here; over TLS it trusts exactly this certificate, whatever
      // names it carries.
      directory.publish((tls.isPresent() ? "https://" : "http://") + loopbackFor(settings.host()) + ":" + http.port(),
          token, tls.map(TlsKeyStore::certificateSha256));
      return new BerthServer(resources, http, gc);
    } catch (Exception | Error e) {
      // Stores that were never handed over are closed once they have opened.
      opening.thenAccept(opened -> {
        if (!resources.contains(opened.stores())) {
          opened.stores().close();
        }
      });
      closeAll(resources);
      throw e;
    }
  }

  private static HttpServer listen(Settings settings, Optional<TlsKeyStore> tls, Registry registry,
      RegistrySettings registrySettings, AccessControl access, Handler admin, PrometheusMeterRegistry prometheus)
      throws Exception {
    try {
      return HttpServer.start(settings, tls, registry, registrySettings, access, admin, prometheus);
    } catch (IOException e) {
      if (e.getCause() instanceof java.net.BindException bind) {
        String address = settings.host() + ":" + settings.port();
        throw new StartFailure(StartFailure.Reason.ADDRESS_IN_USE,
            bind.getMessage() != null && bind.getMessage().contains("in use")
                ? "http.addr " + address + " is already in use"
                : "http.addr " + address + " cannot be listened on: " + bind.getMessage(), e);
      }
      throw e;
    }
  }

  private record Opened(Stores stores, GcService gc) {}

  /**
   * Opening the stores is the slowest step of a start (SQLite's native library, the pool's first
   * connection, the schema check, JDBI's first statement), so it runs on its own thread while the
   * caller builds what does not need them. On two cores the compiler threads take most of the
   * second core during a start, and the overlap measured no clear gain there.
   */
  private static CompletableFuture<Opened> openInBackground(Settings settings, Clock clock) {
    CompletableFuture<Opened> opening = new CompletableFuture<>();
    Thread.ofPlatform().name("berth-open-stores").start(() -> {
      try {
        Stores stores = Stores.open(settings);
        try {
          GcService gc = new GcService(
              new GarbageCollector(stores.metadata().collector(), stores.blobs(), stores.guard(), clock),
              stores.metadata().history(), clock);
          gc.closeInterruptedRuns();
          opening.complete(new Opened(stores, gc));
        } catch (RuntimeException | Error e) {
          stores.close();
          throw e;
        }
      } catch (Throwable e) {
        opening.completeExceptionally(e);
      }
    });
    return opening;
  }

  private static Opened await(CompletableFuture<Opened> opening) throws Exception {
    try {
      return opening.get();
    } catch (ExecutionException e) {
      switch (e.getCause()) {
        case Exception cause -> throw cause;
        case Error cause -> throw cause;
        default -> throw e;
      }
    }
  }

  private static AccessControl accessControl(Settings settings, AccessStore store, LoginThrottle throttle,
      Clock clock) throws IOException, ConfigException {
    if (settings.auth().isEmpty()) {
      if (!isLoopback(settings.host())) {
        LOG.warn("no auth section: the registry API is open to anyone who can reach {}:{}", settings.host(),
            settings.port());
      }
      // The registry API is open, but the console always needs a signed-in administrator: create
      // the first one as with auth on (its password can only come from the auth section, so it is
      // generated and printed once).
      ensureFirstAdmin(store, clock, Optional.empty());
      return AccessControl.open(store, throttle, clock);
    }
    Settings.Auth auth = settings.auth().get();
    Optional<Htpasswd> htpasswd = auth.htpasswd().isPresent()
        ? Optional.of(Htpasswd.read(auth.htpasswd().get())) : Optional.empty();
    TokenService tokens = tokens(settings, auth, clock);
    ensureFirstAdmin(store, clock, auth.initialAdminPassword());
    return AccessControl.enforcing(store, htpasswd, tokens, throttle, clock);
  }

  /** The deployment's shared key when configured, else the one generated in this data directory. */
  private static TokenService tokens(Settings settings, Settings.Auth auth, Clock clock) throws IOException,
      ConfigException {
    if (auth.signingKey().isEmpty()) {
      return TokenService.open(settings.rootDirectory().resolve("berth/token-signing-key.jwk"), auth.service(),
          auth.tokenLifetime(), clock);
    }
    try {
      return TokenService.openShared(auth.signingKey().get(), auth.service(), auth.tokenLifetime(), clock);
    } catch (IOException e) {
      throw new ConfigException("invalid value for 'auth.token.signingkey': " + e.getMessage());
    }
  }

  private static void ensureFirstAdmin(AccessStore store, Clock clock, Optional<String> password) {
    new Users(store, clock).ensureFirstAdmin(password).ifPresent(generated ->
        System.err.println("berth: created user 'admin' with password " + generated
            + " (shown once; change it with 'berth user passwd admin')"));
  }

  private static boolean isLoopback(String host) {
    return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1");
  }

  static GcOptions defaultGcOptions(Settings settings) {
    return new GcOptions(false, settings.gc().deleteUntagged(), settings.gc().grace(), settings.gc().uploadMaxAge());
  }

  private static String loopbackFor(String host) {
    return host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
  }

  public int port() {
    return http.port();
  }

  public GcService gc() {
    return gc;
  }

  /** Drains HTTP first, so no request is cut off from the database it is using. */
  @Override
  public void close() throws Exception {
    closeAll(closeInOrder);
  }

  static void closeAll(List<AutoCloseable> resources) throws Exception {
    Exception failure = null;
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * The two stores a deployment is made of, and the guard its processes share between uploads and
   * the collector: opened together and closed together.
   */
  public record Stores(SqlMetadataStore metadata, BlobStore blobs, DigestGuard guard) implements AutoCloseable {
    /** How long a pre-signed blob URL stays valid: Docker Registry's 20 minutes. */
    private static final Duration REDIRECT_VALIDITY = Duration.ofMinutes(20);

    public static Stores open(Settings settings) throws IOException, StartFailure {
      BlobStore blobs = switch (settings.blobs()) {
        case Settings.LocalBlobs local -> new FilesystemBlobStore(settings.rootDirectory());
        case Settings.S3Blobs s3 -> S3BlobStore.open(new S3Settings(s3.region(), s3.endpoint(), s3.bucket(),
            s3.rootDirectory(), s3.accessKey().map(key -> new S3Settings.Credentials(key, s3.secretKey().orElseThrow())),
            s3.forcePathStyle(), s3.chunkSize(), s3.redirect() ? Optional.of(REDIRECT_VALIDITY) : Optional.empty()));
      };
      try {
        SqlMetadataStore metadata = openMetadata(settings);
        try {
          return new Stores(metadata, blobs, openGuard(settings));
        } catch (StartFailure | RuntimeException e) {
          metadata.close();
          throw e;
        }
      } catch (IOException | StartFailure | RuntimeException e) {
        blobs.close();
        throw e;
      }
    }

    /**
     * On PostgreSQL the guard holds across every process on the database; with SQLite one process
     * serves the data directory and the guard is that process's.
     */
    private static DigestGuard openGuard(Settings settings) throws StartFailure {
      return switch (settings.database()) {
        case Settings.Sqlite sqlite -> new InProcessDigestGuard();
        case Settings.Postgres pg -> openDatabase("the PostgreSQL database at database.url " + pg.url(),
            () -> PostgresDigestGuard.open(pg.url(), pg.user(), pg.password(),
                PostgresDigestGuard.connectionsOf(pg.maxConnections())));
      };
    }

    private static SqlMetadataStore openMetadata(Settings settings) throws IOException, StartFailure {
      return switch (settings.database()) {
        case Settings.Sqlite sqlite -> {
          DataDirectory.createDirectories(sqlite.file().toAbsolutePath().getParent());
          SqliteNativeLibrary.useCopyIn(settings.rootDirectory().resolve("berth/native"));
          yield openDatabase("the SQLite database " + sqlite.file().toAbsolutePath(),
              () -> SqlMetadataStore.sqlite(sqlite.file()));
        }
        case Settings.Postgres pg -> openDatabase("the PostgreSQL database at database.url " + pg.url(),
            () -> SqlMetadataStore.postgres(pg.url(), pg.user(), pg.password(),
                pg.maxConnections() - PostgresDigestGuard.connectionsOf(pg.maxConnections())));
      };
    }

    private static <T> T openDatabase(String what, java.util.function.Supplier<T> open)
        throws StartFailure {
      try {
        return open.get();
      } catch (MetadataException e) {
        Throwable root = e;
        while (root.getCause() != null) {
          root = root.getCause();
        }
        throw new StartFailure(StartFailure.Reason.DATABASE_UNUSABLE, "cannot open " + what + ": "
            + (root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage()), e);
      }
    }

    @Override
    public void close() {
      try (blobs; metadata; guard) {
        // Closed in reverse: the guard, the metadata, then the blobs.
      }
    }
  }
}
