package dev.berth.testing;

import dev.berth.config.Settings;
import dev.berth.storage.BlobStore;
import dev.berth.storage.fs.FilesystemBlobStore;
import dev.berth.storage.s3.S3BlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInfo;

/** Where a test's registry keeps its blobs: the filesystem, or an S3 server the test starts. */
public enum BlobBackend {
  FILESYSTEM,
  S3,
  /** S3, with blob GETs answered by a redirect to a pre-signed URL, as deployed by default. */
  S3_WITH_REDIRECTS;

  /** {@link #S3} for a test class marked {@link OnS3}, else {@link #FILESYSTEM}. */
  public static BlobBackend of(TestInfo test) {
    return test.getTestClass().filter(c -> c.isAnnotationPresent(OnS3.class)).isPresent() ? S3 : FILESYSTEM;
  }

  /** The root directory in the bucket, as a deployment would set {@code storage.s3.rootdirectory}. */
  private static final String S3_ROOT = "/berth";

  /**
   * What a test runs its registry on: the blob settings (S3: an s3proxy over a temporary directory;
   * without redirects unless asked, so that clients get the bytes from Berth) and what to stop afterwards.
   */
  public Deployment deploy() throws Exception {
    if (this == FILESYSTEM) {
      return new Deployment(new Settings.LocalBlobs(), null, null);
    }
    Path objects = Files.createTempDirectory("berth-s3");
    S3Server server = S3Server.start(objects);
    return new Deployment(server.blobs(S3_ROOT, this == S3_WITH_REDIRECTS), server, objects);
  }

  /** A blob store on {@code root} (filesystem) or on a fresh S3 server (whose objects live under {@code root}). */
  public Opened openStore(Path root) throws Exception {
    if (this == FILESYSTEM) {
      return new Opened(new FilesystemBlobStore(root), null);
    }
    S3Server server = S3Server.start(Files.createDirectories(root));
    return new Opened(S3BlobStore.open(server.settings(S3_ROOT, this == S3_WITH_REDIRECTS)), server);
  }

  /** Blob settings for a server, and the S3 server (if any) to stop with it. */
  public record Deployment(Settings.Blobs blobs, S3Server server, Path objects) implements AutoCloseable {
    public java.util.Optional<S3Server> s3() {
      return java.util.Optional.ofNullable(server);
    }

    @Override
    public void close() throws Exception {
      if (server != null) {
        server.close();
        deleteTree(objects);
      }
    }
  }

  /** A store and the S3 server (if any) under it; closing closes both. */
  public record Opened(BlobStore store, S3Server server) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      store.close();
      if (server != null) {
        server.close();
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
