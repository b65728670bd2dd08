package dev.berth.storage.fs;

import dev.berth.oci.Digest;
import dev.berth.oci.DigestAlgorithm;
import dev.berth.oci.InvalidDigestException;
import dev.berth.storage.BlobContent;
import dev.berth.storage.BoundedInputStream;
import dev.berth.storage.BlobStore;
import dev.berth.storage.NoSuchUploadException;
import dev.berth.storage.UploadId;
import dev.berth.storage.UploadOffsetException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/** Blobs on a local filesystem, in Docker Registry's layout. */
public final class FilesystemBlobStore implements BlobStore {
  /** Each lost race needs a collection to empty the fan-out directory again in between: rare twice. */
  private static final int CREATE_ATTEMPTS = 8;

  private static final int COPY_BUFFER = 256 * 1024;
  /** fsync blocks its thread in the kernel; a platform thread keeps it off the request carriers. */
  private static final Executor WRITEBACK = task -> Thread.ofPlatform().daemon().name("berth-writeback").start(task);

  private final FilesystemLayout layout;

  public FilesystemBlobStore(Path root) throws IOException {
    this.layout = new FilesystemLayout(root);
    Files.createDirectories(layout.blobsRoot());
    Files.createDirectories(layout.uploadsRoot());
  }

  @Override
  public Optional<Long> stat(Digest digest) throws IOException {
    return size(layout.blobData(digest));
  }

  /** The size of a blob's data file, or empty when there is none. */
  static Optional<Long> size(Path data) throws IOException {
    try {
      return Optional.of(Files.readAttributes(data, BasicFileAttributes.class).size());
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public Optional<BlobContent> open(Digest digest) throws IOException {
    Path data = layout.blobData(digest);
    return stat(digest).map(size -> new FileBlobContent(data, size));
  }

  @Override
  public boolean delete(Digest digest) throws IOException {
    boolean existed = Files.deleteIfExists(layout.blobData(digest));
    // The blob's directory, then the fan-out directory above it once its last blob is gone, so a
    // collected registry does not keep thousands of empty directories. A directory that still
    // holds something (another blob, a foreign tool's file) stays.
    if (removeIfEmpty(layout.blobDirectory(digest))) {
      removeIfEmpty(layout.blobDirectory(digest).getParent());
    }
    return existed;
  }

  private static boolean removeIfEmpty(Path directory) throws IOException {
    try {
      return Files.deleteIfExists(directory);
    } catch (java.nio.file.DirectoryNotEmptyException e) {
      return false;
    }
  }

  @Override
  public void forEachBlob(Consumer<Digest> action) throws IOException {
    for (DigestAlgorithm algorithm : DigestAlgorithm.values()) {
      Path algorithmDir = layout.blobsRoot().resolve(algorithm.prefix());
      if (!Files.isDirectory(algorithmDir)) {
        continue;
      }
      try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(algorithmDir)) {
        for (Path prefix : prefixes) {
          try (DirectoryStream<Path> blobs = Files.newDirectoryStream(prefix)) {
            for (Path blob : blobs) {
              parseDigest(algorithm, blob.getFileName().toString())
                  .filter(d -> Files.exists(blob.resolve("data")))
                  .ifPresent(action);
            }
          }
        }
      }
    }
  }

  private static Optional<Digest> parseDigest(DigestAlgorithm algorithm, String hex) {
    try {
      return Optional.of(new Digest(algorithm, hex));
    } catch (InvalidDigestException e) {
      return Optional.empty();
    }
  }

  @Override
  public void createUpload(UploadId id) throws IOException {
    try {
      Files.createFile(layout.uploadData(id));
    } catch (FileAlreadyExistsException e) {
      throw new IOException("upload id reused: " + id, e);
    }
  }

  @Override
  public long appendUpload(UploadId id, long offset, InputStream data)
      throws IOException, NoSuchUploadException, UploadOffsetException {
    Path file = layout.uploadData(id);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      long size = channel.size();
      if (size != offset) {
        throw new UploadOffsetException(size);
      }
      channel.position(size);
      EarlyWriteback writeback = new EarlyWriteback(channel, WRITEBACK);
      try {
        copy(data, channel, writeback);
      } catch (IOException | RuntimeException e) {
        writeback.settle(e);
        throw e;
      }
      writeback.await();
      return channel.position();
    } catch (NoSuchFileException e) {
      throw new NoSuchUploadException(id);
    }
  }

  private static void copy(InputStream data, FileChannel channel, EarlyWriteback writeback) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(COPY_BUFFER);
    byte[] array = buffer.array();
    int n;
    while ((n = data.read(array)) >= 0) {
      buffer.clear().limit(n);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      writeback.written(n);
    }
  }

  @Override
  public long uploadSize(UploadId id) throws IOException, NoSuchUploadException {
    try {
      return Files.size(layout.uploadData(id));
    } catch (NoSuchFileException e) {
      throw new NoSuchUploadException(id);
    }
  }

  @Override
  public InputStream readUpload(UploadId id) throws IOException, NoSuchUploadException {
    try {
      return Files.newInputStream(layout.uploadData(id));
    } catch (NoSuchFileException e) {
      throw new NoSuchUploadException(id);
    }
  }

  /** Written whole beside the upload and renamed over the previous state: a reader sees one or the other. */
  @Override
  public void saveHashState(UploadId id, DigestAlgorithm algorithm, byte[] state) throws IOException {
    Path written = Files.createTempFile(layout.uploadsRoot(), id.value(), ".tmp");
    try {
      Files.write(written, state);
      Files.move(written, layout.uploadHashState(id, algorithm), StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(written);
    }
  }

  @Override
  public Optional<byte[]> hashState(UploadId id, DigestAlgorithm algorithm) throws IOException {
    try {
      return Optional.of(Files.readAllBytes(layout.uploadHashState(id, algorithm)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  private void deleteHashStates(UploadId id) throws IOException {
    for (DigestAlgorithm algorithm : DigestAlgorithm.values()) {
      Files.deleteIfExists(layout.uploadHashState(id, algorithm));
    }
  }

  @Override
  public void commitUpload(UploadId id, Digest digest) throws IOException, NoSuchUploadException {
    Path staged = layout.uploadData(id);
    try (FileChannel channel = FileChannel.open(staged, StandardOpenOption.WRITE)) {
      channel.force(true);
    } catch (NoSuchFileException e) {
      throw new NoSuchUploadException(id);
    }
    deleteHashStates(id);
    Path target = layout.blobData(digest);
    Path directory = target.getParent();
    createBlobDirectory(directory);
    if (Files.exists(target)) {
      // Identical content is stored once; the digest was verified, so the existing copy is equal.
      Files.deleteIfExists(staged);
      return;
    }
    try {
      Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the upload area and the blob area must be on one filesystem", e);
    }
    fsyncDirectory(directory);
  }

  /**
   * A collection may remove the shared fan-out directory between this commit finding or creating it
   * and creating the blob's own directory inside (it only removes empty ones, and the digest's lock
   * keeps it off this blob's directory): create again. Once the blob's directory exists, the
   * fan-out directory is not empty and stays.
   */
  private static void createBlobDirectory(Path directory) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        Files.createDirectories(directory);
        return;
      } catch (NoSuchFileException | java.nio.file.FileAlreadyExistsException e) {
        // FileAlreadyExists: the JDK found the directory there, then not a directory when it looked
        // again, because the collection had removed it in between.
        if (attempt == CREATE_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private static void fsyncDirectory(Path directory) throws IOException {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    }
  }

  @Override
  public boolean deleteUpload(UploadId id) throws IOException {
    deleteHashStates(id);
    return Files.deleteIfExists(layout.uploadData(id));
  }

  @Override
  public void forEachUpload(UploadVisitor visitor) throws IOException {
    try (DirectoryStream<Path> uploads = Files.newDirectoryStream(layout.uploadsRoot())) {
      for (Path upload : uploads) {
        Optional<UploadId> id = UploadId.parse(upload.getFileName().toString());
        if (id.isEmpty()) {
          continue;
        }
        try {
          visitor.visit(id.get(), Files.getLastModifiedTime(upload).toInstant());
        } catch (NoSuchFileException e) {
          // Finished or cancelled while we listed.
        }
      }
    }
  }

  private record FileBlobContent(Path file, long size) implements BlobContent {
    @Override
    public Optional<Path> localFile() {
      return Optional.of(file);
    }

    @Override
    public InputStream openRange(long offset, long length) throws IOException {
      FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
      try {
        channel.position(offset);
      } catch (IOException | UncheckedIOException e) {
        channel.close();
        throw e;
      }
      return new BoundedInputStream(Channels.newInputStream(channel), length);
    }
  }
}
