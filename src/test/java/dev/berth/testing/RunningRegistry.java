package dev.berth.testing;

import dev.berth.config.Settings;
import dev.berth.registry.RegistrySettings;
import dev.berth.server.BerthServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A real Berth on an ephemeral loopback port, with SQLite metadata under a temporary directory (or
 * a PostgreSQL database the test gives it) and blobs there too (the embedded default) or on an S3
 * server it starts: exactly as {@code berth serve} wires it.
 */
public final class RunningRegistry implements AutoCloseable {
  private final BerthServer server;
  private final Settings settings;
  private final BlobBackend.Deployment blobs;
  private final String scheme;

  private RunningRegistry(BerthServer server, Settings settings, BlobBackend.Deployment blobs) {
    this.server = server;
    this.settings = settings;
    this.blobs = blobs;
    this.scheme = settings.tls().isPresent() ? "https" : "http";
  }

  public static RunningRegistry start(Path root, boolean deleteEnabled) throws Exception {
    return with(root).deleteEnabled(deleteEnabled).start();
  }

  public static RunningRegistry start(Path root, boolean deleteEnabled, BlobBackend backend) throws Exception {
    return with(root).deleteEnabled(deleteEnabled).blobs(backend).start();
  }

  /** With access control on: the first user is {@code admin} with {@code adminPassword}. */
  public static RunningRegistry startWithAuth(Path root, String adminPassword) throws Exception {
    return with(root).auth(adminPassword).start();
  }

  /** For settings beyond the ones above; deletes are enabled unless turned off. */
  public static Options with(Path root) {
    return new Options(root);
  }

  /** What a test may change from the defaults before starting. */
  public static final class Options {
    private final Path root;
    private boolean deleteEnabled = true;
    private BlobBackend backend = BlobBackend.FILESYSTEM;
    private Optional<Settings.Auth> auth = Optional.empty();
    private Optional<Settings.Tls> tls = Optional.empty();
    private Optional<URI> externalUrl = Optional.empty();
    private Optional<Settings.Database> database = Optional.empty();

    private Options(Path root) {
      this.root = root;
    }

    public Options deleteEnabled(boolean enabled) {
      deleteEnabled = enabled;
      return this;
    }

    /** Where the blobs go: the data directory (the default) or an S3 server started for the test. */
    public Options blobs(BlobBackend where) {
      backend = where;
      return this;
    }

    /** Access control on: the first user is {@code admin} with {@code adminPassword}. */
    public Options auth(String adminPassword) {
      auth = Optional.of(new Settings.Auth(Optional.empty(), "berth", Duration.ofMinutes(5), Optional.empty(),
          Optional.of(adminPassword), Optional.empty()));
      return this;
    }

    /** Tokens signed with the key in this JWK file ({@code auth.token.signingkey}); needs {@link #auth}. */
    public Options signingKey(Path jwk) {
      Settings.Auth configured = auth.orElseThrow();
      auth = Optional.of(new Settings.Auth(configured.realm(), configured.service(), configured.tokenLifetime(),
          configured.htpasswd(), configured.initialAdminPassword(), Optional.of(jwk)));
      return this;
    }

    /** HTTPS with these PEM files ({@code http.tls}). */
    public Options tls(Path certificate, Path key) {
      tls = Optional.of(new Settings.Tls(certificate, key));
      return this;
    }

    /** {@code http.host}. */
    public Options externalUrl(String url) {
      externalUrl = Optional.of(URI.create(url));
      return this;
    }

    /** The metadata database, when not SQLite in the data directory: replicas share one. */
    public Options database(Settings.Database shared) {
      database = Optional.of(shared);
      return this;
    }

    public RunningRegistry start() throws Exception {
      BlobBackend.Deployment blobs = backend.deploy();
      try {
        Settings settings = new Settings("127.0.0.1", 0, Duration.ofSeconds(5), root, blobs.blobs(), deleteEnabled,
            RegistrySettings.DEFAULT_MAX_MANIFEST_BYTES,
            database.orElseGet(() -> new Settings.Sqlite(root.resolve("berth/metadata.db"))),
            "info", false, Settings.Gc.defaults(), true, auth, tls, externalUrl);
        return new RunningRegistry(BerthServer.start(settings), settings, blobs);
      } catch (Exception | Error e) {
        blobs.close();
        throw e;
      }
    }
  }

  /** What the server was started with, for a test that opens its stores beside it as fsck does. */
  public Settings settings() {
    return settings;
  }

  /** The S3 server the blobs are on, when they are. */
  public Optional<S3Server> s3() {
    return blobs.s3();
  }

  public int port() {
    return server.port();
  }

  /** {@code 127.0.0.1:<port>}, as image references name a registry. */
  public String hostPort() {
    return "127.0.0.1:" + port();
  }

  /** The URL of a path, or of a URL the registry handed out (a {@code Location}), which stays as it is. */
  public URI uri(String pathOrUrl) {
    return URI.create(pathOrUrl.startsWith("/") ? scheme + "://" + hostPort() + pathOrUrl : pathOrUrl);
  }

  public Path root() {
    return settings.rootDirectory();
  }

  @Override
  public void close() throws Exception {
    try {
      server.close();
    } finally {
      blobs.close();
    }
  }
}
