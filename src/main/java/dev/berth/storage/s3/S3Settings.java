package dev.berth.storage.s3;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the S3 store keeps its objects and how it reaches them.
 *
 * @param endpoint any S3-compatible endpoint; empty for AWS's own, found from the region
 * @param credentials empty for the SDK's default provider chain (environment, profile, instance role)
 * @param chunkSize the size of every upload part but the last
 * @param redirect how long a pre-signed GET URL stays valid; empty when blob GETs are served directly
 */
public record S3Settings(String region, Optional<URI> endpoint, String bucket, String rootDirectory,
    Optional<Credentials> credentials, boolean forcePathStyle, long chunkSize, Optional<Duration> redirect) {

  /** S3's smallest part but the last. */
  public static final long MIN_CHUNK_SIZE = 5L << 20;
  /** S3's largest part, and the largest object one copy request may make. */
  public static final long MAX_CHUNK_SIZE = 5L << 30;
  public static final long DEFAULT_CHUNK_SIZE = 10L << 20;

  public S3Settings {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(rootDirectory, "rootDirectory");
    if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
      throw new IllegalArgumentException("chunk size must be between 5 MiB and 5 GiB: " + chunkSize);
    }
  }

  public record Credentials(String accessKey, String secretKey) {
    @Override
    public String toString() {
      return "Credentials[" + accessKey + ", secret hidden]";
    }
  }
}
