package dev.berth.metadata.sql;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * sqlite-jdbc's native library, kept extracted in a directory Berth owns. Left to itself the driver
 * probes the platform (it runs {@code uname} and resolves every mapping of the process), writes a
 * fresh copy into {@code java.io.tmpdir} and compares it with the jar's one byte at a time: about a
 * quarter of a second of a 1.2 s start on a 2-core machine, on every start, and every process that is
 * killed leaves its 1 MiB copy behind. Here the copy is written once, under a name that carries the
 * driver's version, the OS and the architecture, and the driver is pointed at it through its own
 * {@code org.sqlite.lib.*} properties; should that copy not load (a {@code noexec} mount, a damaged
 * file), the driver falls back to its own extraction.
 */
public final class SqliteNativeLibrary {
  private static final String PATH_PROPERTY = "org.sqlite.lib.path";
  private static final String NAME_PROPERTY = "org.sqlite.lib.name";
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SqliteNativeLibrary.class);

  private SqliteNativeLibrary() {}

  /**
   * Points the driver at the copy in {@code directory}, extracting it first when there is none. Does
   * nothing when the operator set {@code org.sqlite.lib.path} or the driver ships no library for this
   * platform; only the first SQLite connection of a process loads the library, so later calls change
   * nothing.
   */
  public static synchronized void useCopyIn(Path directory) {
    if (System.getProperty(PATH_PROPERTY) != null) {
      return;
    }
    try {
      Path copy = directory.resolve(copyName());
      if (Files.exists(copy) || extract(copy)) {
        System.setProperty(PATH_PROPERTY, directory.toString());
        System.setProperty(NAME_PROPERTY, copy.getFileName().toString());
      }
    } catch (IOException e) {
      LOG.debug("cannot keep the SQLite native library in {}; the driver extracts its own copy", directory, e);
    }
  }

  static String copyName() {
    return String.join("-", "sqlite-jdbc", SQLiteJDBCLoader.getVersion(), System.getProperty("os.name"),
        System.getProperty("os.arch"), LibraryLoaderUtil.getNativeLibName()).replace(' ', '_');
  }

  /** Writes the driver's library for this platform to {@code target}; false when the driver ships none. */
  static boolean extract(Path target) throws IOException {
    byte[] bundled;
    try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(
        LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName())) {
      if (in == null) {
        return false;
      }
      bundled = in.readAllBytes();
    }
    Path directory = target.toAbsolutePath().getParent();
    Files.createDirectories(directory);
    Path staged = Files.createTempFile(directory, target.getFileName().toString(), ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(staged, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.wrap(bundled);
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        // Durable before it is visible: a copy is never checked again once it exists.
        channel.force(true);
      }
      if (directory.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString("rwx------"));
      }
      // A process that loaded an earlier file keeps its mapping; the rename only changes what new ones see.
      Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot rename within " + directory, e);
    } finally {
      Files.deleteIfExists(staged);
    }
    return true;
  }
}
