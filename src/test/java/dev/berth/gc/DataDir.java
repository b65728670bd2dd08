package dev.berth.gc;

import dev.berth.config.Settings;
import dev.berth.testing.BerthJar;
import dev.berth.testing.BlobBackend;
import dev.berth.testing.Digests;
import dev.berth.testing.RunningRegistry;
import dev.berth.testing.S3Server;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * One Berth data directory in a test's temporary directory, with the configuration file that every
 * process on it ({@code serve}, {@code gc}, {@code fsck}) is started with.
 */
final class DataDir implements AutoCloseable {
  private final Path work;
  private final Path root;
  private final Path config;
  /** Where the blobs are when not under the root: a running server's S3 bucket. */
  private Settings.S3Blobs s3;
  private S3Server s3Server;
  /** The S3 server this directory started for itself, if any, to stop on {@link #close()}. */
  private BlobBackend.Deployment deployment;

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

  /**
   * A fresh data directory under {@code work}, configured with deletes enabled and its blobs on
   * {@code backend}: on S3, in the bucket of an S3 server started in this JVM for the processes the
   * test starts on the directory, until {@link #close()}.
   */
  static DataDir create(Path work, BlobBackend backend) throws Exception {
    DataDir dir = create(work);
    BlobBackend.Deployment deployment = backend.deploy();
    dir.deployment = deployment;
    if (deployment.blobs() instanceof Settings.S3Blobs blobs) {
      dir.s3 = blobs;
      dir.s3Server = deployment.s3().orElseThrow();
      dir.writeConfig(dir.config, 0);
    }
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
    if (s3 != null) {
      try (var client = s3Server.client()) {
        client.putObject(b -> b.bucket(s3.bucket()).key(s3BlobsPrefix() + digest.substring(7, 9) + "/"
            + digest.substring(7) + "/data"), RequestBody.fromBytes(content));
      }
      return digest;
    }
    Path data = root.resolve("docker/registry/v2/blobs/sha256").resolve(digest.substring(7, 9))
        .resolve(digest.substring(7)).resolve("data");
    Files.createDirectories(data.getParent());
    Files.write(data, content);
    return digest;
  }

  /** The digests whose bytes are in the blob store, read straight from Docker Registry's layout. */
  Set<String> blobsOnDisk() throws IOException {
    if (s3 != null) {
      String prefix = s3BlobsPrefix();
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

  /**
   * The digests of the blob rows in the metadata database that say their bytes are stored (state
   * {@code live}), read with a connection of the test's own beside whatever process has it open.
   */
  Set<String> liveBlobRows() throws SQLException {
    Set<String> digests = new TreeSet<>();
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database().toAbsolutePath());
        Statement statement = connection.createStatement()) {
      statement.execute("PRAGMA busy_timeout = 30000");
      try (ResultSet rows = statement.executeQuery("SELECT digest FROM blobs WHERE state = 'live'")) {
        while (rows.next()) {
          digests.add(rows.getString(1));
        }
      }
    }
    return digests;
  }

  /** Where Docker Registry's layout keeps blob bytes in the bucket: {@code <root>/docker/registry/v2/blobs/sha256/}. */
  private String s3BlobsPrefix() {
    return s3.rootDirectory().replaceAll("^/+", "") + "/docker/registry/v2/blobs/sha256/";
  }

  /** Stops the S3 server this directory started (its objects go with it); nothing on the filesystem. */
  @Override
  public void close() throws Exception {
    if (deployment != null) {
      deployment.close();
    }
  }
}
