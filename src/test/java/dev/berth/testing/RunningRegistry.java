package dev.berth.testing;

import dev.berth.config.Settings;
import dev.berth.registry.RegistrySettings;
import dev.berth.server.BerthServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real Berth on an ephemeral loopback port, with SQLite metadata under a temporary directory and
 * blobs there too (the embedded default) or on an S3 server it starts: exactly as {@code berth
 * serve} wires it.
 */
public final class RunningRegistry implements AutoCloseable {
  private final BerthServer server;
  private final Path root;
  private final BlobBackend.Deployment blobs;
  private final Settings settings;

  private RunningRegistry(BerthServer server, Settings settings, BlobBackend.Deployment blobs) {
    this.server = server;
    this.root = settings.rootDirectory();
    this.settings = settings;
    this.blobs = blobs;
  }

  /** What the server was started with, for a test that opens its stores beside it as fsck does. */
  public Settings settings() {
    return settings;
  }

  public static RunningRegistry start(Path root, boolean deleteEnabled) throws Exception {
    return start(root, deleteEnabled, BlobBackend.FILESYSTEM);
  }

  public static RunningRegistry start(Path root, boolean deleteEnabled, BlobBackend backend) throws Exception {
    return start(root, deleteEnabled, java.util.Optional.empty(), backend);
  }

  /** With access control on: the first user is {@code admin} with {@code adminPassword}. */
  public static RunningRegistry startWithAuth(Path root, String adminPassword) throws Exception {
    return start(root, true, java.util.Optional.of(new Settings.Auth(java.util.Optional.empty(), "berth",
        Duration.ofMinutes(5), java.util.Optional.empty(), java.util.Optional.of(adminPassword))),
        BlobBackend.FILESYSTEM);
  }

  private static RunningRegistry start(Path root, boolean deleteEnabled, java.util.Optional<Settings.Auth> auth,
      BlobBackend backend) throws Exception {
    BlobBackend.Deployment blobs = backend.deploy();
    try {
      Settings settings = new Settings("127.0.0.1", 0, Duration.ofSeconds(5), root, blobs.blobs(), deleteEnabled,
          RegistrySettings.DEFAULT_MAX_MANIFEST_BYTES, new Settings.Sqlite(root.resolve("berth/metadata.db")),
          "info", false, Settings.Gc.defaults(), auth);
      return new RunningRegistry(BerthServer.start(settings), settings, blobs);
    } catch (Exception | Error e) {
      blobs.close();
      throw e;
    }
  }

  /** The S3 server the blobs are on, when they are. */
  public java.util.Optional<S3Server> s3() {
    return blobs.s3();
  }

  public int port() {
    return server.port();
  }

  /** {@code 127.0.0.1:<port>}, as image references name a registry. */
  public String hostPort() {
    return "127.0.0.1:" + port();
  }

  public URI uri(String path) {
    return URI.create("http://" + hostPort() + path);
  }

  public Path root() {
    return root;
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
