package dev.berth.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Validated configuration, ready to wire the server with. {@code rootDirectory} is the local data
 * directory (SQLite, the serve lock, the token key, and with {@link LocalBlobs} the blobs too).
 *
 * @param host and {@code port}: where to listen ({@code http.addr})
 * @param schedulerEnabled {@code scheduler.enabled}: whether this process runs scheduled jobs
 * @param externalUrl {@code http.host}: {@code scheme://host[:port]} clients are told to use; empty
 *     derives it from proxy headers or the request
 */
public record Settings(
    String host,
    int port,
    Duration drainTimeout,
    Path rootDirectory,
    Blobs blobs,
    boolean deleteEnabled,
    int maxManifestBytes,
    Database database,
    String logLevel,
    boolean accessLog,
    Gc gc,
    boolean schedulerEnabled,
    java.util.Optional<Auth> auth,
    java.util.Optional<Tls> tls,
    java.util.Optional<java.net.URI> externalUrl) {

  /** PEM files of the server's certificate chain and private key; read by {@link TlsKeyStore}. */
  public record Tls(Path certificate, Path key) {}

  /**
   * Access control, when configured.
   *
   * @param realm token endpoint URL announced in challenges; empty: {@code /token} at the external URL
   * @param initialAdminPassword for the first admin; empty generates one
   */
  public record Auth(java.util.Optional<String> realm, String service, Duration tokenLifetime,
      java.util.Optional<Path> htpasswd, java.util.Optional<String> initialAdminPassword,
      java.util.Optional<Path> signingKey) {}

  /** Garbage collection defaults and schedule; {@code schedule} is a validated UNIX cron expression. */
  public record Gc(java.util.Optional<String> schedule, boolean deleteUntagged, Duration grace, Duration uploadMaxAge) {
    public static Gc defaults() {
      return new Gc(java.util.Optional.empty(), false, Duration.ofHours(24), Duration.ofHours(168));
    }
  }

  /** Where blob bytes live. */
  public sealed interface Blobs permits LocalBlobs, S3Blobs {}

  /** Blobs on the filesystem under the root directory, in Docker Registry's layout. */
  public record LocalBlobs() implements Blobs {}

  /**
   * Blobs in an S3 bucket.
   *
   * @param endpoint empty for AWS itself
   * @param accessKey with {@code secretKey}; both empty for the SDK's default credential chain
   * @param redirect blob GETs answer 307 to a pre-signed URL
   */
  public record S3Blobs(String region, java.util.Optional<java.net.URI> endpoint, String bucket, String rootDirectory,
      java.util.Optional<String> accessKey, java.util.Optional<String> secretKey, boolean forcePathStyle,
      long chunkSize, boolean redirect) implements Blobs {
    @Override
    public String toString() {
      return "S3Blobs[" + bucket + " at " + endpoint.map(Object::toString).orElse("AWS " + region) + "]";
    }
  }

  public sealed interface Database permits Sqlite, Postgres {}

  public record Sqlite(Path file) implements Database {}

  public record Postgres(String url, String user, String password, int maxConnections) implements Database {}
}
