package dev.berth.gc;

import dev.berth.testing.Digests;
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

  /** Points the shared configuration at {@code port}; the commands that do not listen ignore it. */
  Path configureServerPort(int port) throws IOException {
    return writeConfig(config, port);
  }

  /** A second configuration file for the same data directory, listening on {@code port}. */
  Path extraConfig(String name, int port) throws IOException {
    return writeConfig(work.resolve(name + ".yml"), port);
  }

  private Path writeConfig(Path file, int port) throws IOException {
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
          filesystem:
            rootdirectory: %s
          delete:
            enabled: true
        """.formatted(port, root.toAbsolutePath()));
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
