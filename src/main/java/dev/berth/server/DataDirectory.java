package dev.berth.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Who owns a data directory. A serving process holds an exclusive lock on {@code berth/serve.lock}
 * for its lifetime and publishes where it listens and a per-start admin token; {@code berth gc}
 * takes the same lock to run standalone, or, finding it held, hands its run to the server. So
 * two processes never collect (or serve SQLite) on one directory at once.
 */
public final class DataDirectory implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path berth;
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirectory(Path berth, FileChannel channel, FileLock lock) {
    this.berth = berth;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * The running server's address and admin token, as it published them.
   *
   * @param certificateSha256 over HTTPS, the SHA-256 of its certificate (DER, hex), which a client pins
   */
  public record ServerInfo(String url, String token, Optional<String> certificateSha256) {}

  /**
   * Takes the directory, creating it first when it does not exist (a server's first start), or
   * returns empty when another process holds it.
   */
  public static Optional<DataDirectory> create(Path root) throws IOException, StartFailure {
    try {
      Files.createDirectories(root.resolve("berth"));
    } catch (java.nio.file.FileSystemException e) {
      throw unusable(root, e);
    }
    return tryAcquire(root);
  }

  /** Takes an existing directory, or returns empty when another process holds it. */
  public static Optional<DataDirectory> tryAcquire(Path root) throws IOException, StartFailure {
    Path berth = root.resolve("berth");
    Path lockFile = berth.resolve("serve.lock");
    FileChannel channel;
    try {
      if (!Files.isDirectory(berth)) {
        Files.createDirectory(berth);
      }
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (java.nio.file.FileSystemException e) {
      throw unusable(root, e);
    }
    FileLock lock = channel.tryLock();
    if (lock == null) {
      channel.close();
      return Optional.empty();
    }
    return Optional.of(new DataDirectory(berth, channel, lock));
  }

  /** Creates a directory of the deployment and its parents, or says in one line why it cannot. */
  static void createDirectories(Path directory) throws IOException, StartFailure {
    try {
      Files.createDirectories(directory);
    } catch (java.nio.file.FileSystemException e) {
      throw unusable(directory, e);
    }
  }

  private static StartFailure unusable(Path where, java.nio.file.FileSystemException e) {
    String file = e.getFile() == null ? where.toAbsolutePath().toString() : e.getFile();
    String why = switch (e) {
      case java.nio.file.AccessDeniedException denied -> "permission denied";
      case java.nio.file.FileAlreadyExistsException exists -> "a file, not a directory, is in the way";
      case java.nio.file.NotDirectoryException notDirectory -> "a file, not a directory, is in the way";
      // ENOTDIR, which the JDK reports with the reason only
      default -> e.getReason() == null ? e.getClass().getSimpleName()
          : e.getReason().equals("Not a directory") ? "a file, not a directory, is in the way"
          : e.getReason().toLowerCase(java.util.Locale.ROOT);
    };
    return new StartFailure(StartFailure.Reason.DIRECTORY_UNUSABLE, "the data directory "
        + where.toAbsolutePath().normalize() + " cannot be created or written: " + why + " (" + file + ")", e);
  }

  /** A fresh admin token: 256 random bits. */
  public static String newToken() {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    return HexFormat.of().formatHex(random);
  }

  /** Writes the server's address, admin token and certificate hash, readable by the owner only. */
  public void publish(String url, String token, Optional<String> certificateSha256) throws IOException {
    Path file = berth.resolve("server.json");
    Path staged = berth.resolve("server.json.tmp");
    Files.deleteIfExists(staged);
    Files.createFile(staged, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Map<String, Object> fields = new java.util.LinkedHashMap<>();
    fields.put("url", url);
    fields.put("token", token);
    fields.put("pid", ProcessHandle.current().pid());
    certificateSha256.ifPresent(hash -> fields.put("certificateSha256", hash));
    Files.writeString(staged, JSON.writeValueAsString(fields), StandardCharsets.UTF_8);
    Files.move(staged, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** What the process holding the directory published. */
  public static Optional<ServerInfo> published(Path root) throws IOException {
    Path file = root.resolve("berth/server.json");
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    var node = JSON.readTree(file.toFile());
    return Optional.of(new ServerInfo(node.path("url").asText(), node.path("token").asText(),
        Optional.ofNullable(node.get("certificateSha256")).map(JsonNode::asText)));
  }

  @Override
  public void close() throws IOException {
    Files.deleteIfExists(berth.resolve("server.json"));
    lock.release();
    channel.close();
  }
}
