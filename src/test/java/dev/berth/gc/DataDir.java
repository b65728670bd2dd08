package dev.berth.gc;

import dev.berth.config.Settings;
import dev.berth.testing.BerthJar;
import dev.berth.testing.Digests;
import dev.berth.testing.RunningRegistry;
import dev.berth.testing.S3Server;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * One Berth data directory in a test's temporary directory, with the configuration file that every
 * process on it ({@code serve}, {@code gc}, {@code fsck}) is started with.
 */
final class DataDir {
  private final Path work;
  private final Path root;
  private final Path config;
  /** Where the blobs are when not under the root: a running server's S3 bucket. */
  private Settings.S3Blobs s3;
  private S3Server s3Server;

  private DataDir(Path work) {
    this.work = work;
    this.root = work.resolve("data");
    this.config = work.resolve("config.yml");
  }

  /** A fresh data directory under {@code work}, configured with deletes enabled. */
  static DataDir create(Path work) throws IOException {
    DataDir dir = new DataDir(work);
    Files.createDirectories(dir.root);
    dir.writeConfig(dir.config, 0);
    return dir;
  }

  Path work() {
    return work;
  }

  Path root() {
    return root;
  }

  Path config() {
    return config;
  }

  Path database() {
    return root.resolve("berth/metadata.db");
  }

  /**
   * Points the configuration at the blobs a server on this directory was started with, when they
   * are not under the root (S3: the bucket of the S3 server the test started with it).
   */
  void useBlobsOf(RunningRegistry server) throws IOException {
    if (server.settings().blobs() instanceof Settings.S3Blobs blobs) {
      s3 = blobs;
      s3Server = server.s3().orElseThrow();
      writeConfig(config, 0);
    }
  }

  /** Points the shared configuration at {@code port}; the commands that do not listen ignore it. */
  Path configureServerPort(int port) throws IOException {
    return writeConfig(config, port);
  }

  /** A second configuration file for the same data directory, listening on {@code port}. */
  Path extraConfig(String name, int port) throws IOException {
    return writeConfig(work.resolve(name + ".yml"), port);
  }

  private Path writeConfig(Path file, int port) throws IOException {
    String blobs = s3 == null
        ? "  filesystem:\n    rootdirectory: " + root.toAbsolutePath() + "\n"
        : """
              s3:
                region: %s
                regionendpoint: %s
                bucket: %s
                rootdirectory: %s
                accesskey: %s
                secretkey: %s
                forcepathstyle: %s
                chunksize: %d
              redirect:
                disable: %s
            datadirectory: %s
            """.formatted(s3.region(), s3.endpoint().orElseThrow(), s3.bucket(), s3.rootDirectory(),
                s3.accessKey().orElseThrow(), s3.secretKey().orElseThrow(), s3.forcePathStyle(), s3.chunkSize(),
                !s3.redirect(), root.toAbsolutePath());
    Files.writeString(file, """
        version: 0.1
        log:
          level: info
          accesslog:
            disabled: true
        http:
          addr: 127.0.0.1:%d
          draintimeout: 5s
        storage:
          delete:
            enabled: true
        """.formatted(port) + blobs);
    return file;
  }

  /** {@code berth gc --config <this directory's config> <options>}. */
  BerthJar.Result gc(String... options) throws Exception {
    return command("gc", options);
  }

  /** {@code berth fsck --config <this directory's config> <options>}. */
  BerthJar.Result fsck(String... options) throws Exception {
    return command("fsck", options);
  }

  private BerthJar.Result command(String name, String... options) throws Exception {
    String[] args = Stream.concat(Stream.of(name, "--config", config.toString()), Stream.of(options))
        .toArray(String[]::new);
    return BerthJar.run(work, args);
  }

  /**
   * Puts {@code content} into the blob store with no metadata row, as a crash between an upload's
   * rename and its row's commit leaves it; returns its digest.
   */
  String plantOrphan(byte[] content) throws IOException {
    String digest = Digests.sha256(content);
    Path data = root.resolve("docker/registry/v2/blobs/sha256").resolve(digest.substring(7, 9))
        .resolve(digest.substring(7)).resolve("data");
    Files.createDirectories(data.getParent());
    Files.write(data, content);
    return digest;
  }

  /** The digests whose bytes are in the blob store, read straight from Docker Registry's layout. */
  Set<String> blobsOnDisk() throws IOException {
    if (s3 != null) {
      String prefix = s3.rootDirectory().replaceAll("^/+", "") + "/docker/registry/v2/blobs/sha256/";
      Set<String> digests = new TreeSet<>();
      try (var client = s3Server.client()) {
        client.listObjectsV2Paginator(b -> b.bucket(s3.bucket()).prefix(prefix)).contents().forEach(object -> {
          String[] segments = object.key().substring(prefix.length()).split("/");
          if (segments.length == 3 && segments[2].equals("data")) {
            digests.add("sha256:" + segments[1]);
          }
        });
      }
      return digests;
    }
    Path sha256 = root.resolve("docker/registry/v2/blobs/sha256");
    Set<String> digests = new TreeSet<>();
    if (!Files.isDirectory(sha256)) {
      return digests;
    }
    try (Stream<Path> files = Files.walk(sha256, 3)) {
      files.filter(p -> p.getFileName().toString().equals("data") && Files.isRegularFile(p))
          .forEach(p -> digests.add("sha256:" + p.getParent().getFileName()));
    }
    return digests;
  }
}
