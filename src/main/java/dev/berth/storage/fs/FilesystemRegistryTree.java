package dev.berth.storage.fs;

import dev.berth.oci.Digest;
import dev.berth.oci.DigestAlgorithm;
import dev.berth.storage.RegistryTree;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** A Docker Registry storage root on a local filesystem, read in place; nothing is created or changed. */
public final class FilesystemRegistryTree implements RegistryTree {
  /** A link holds {@code sha256:<64 hex>}; anything much longer is garbage, and is not read whole. */
  private static final int MAX_LINK_BYTES = 1024;
  /** Holds a link or a manifest of Docker Registry's making whole; larger ones are read in doubling chunks. */
  private static final int READ_CHUNK = 8192;

  private final FilesystemLayout layout;

  public FilesystemRegistryTree(Path root) {
    this.layout = new FilesystemLayout(root);
  }

  @Override
  public boolean exists() {
    return Files.isDirectory(layout.repositoriesRoot());
  }

  /** Where the repositories are, for messages. */
  public Path repositoriesRoot() {
    return layout.repositoriesRoot();
  }

  @Override
  public void forEachRepository(RepositoryVisitor visitor) throws IOException {
    Path root = layout.repositoriesRoot();
    if (Files.isDirectory(root)) {
      walk(root, "", visitor);
    }
  }

  private void walk(Path directory, String name, RepositoryVisitor visitor) throws IOException {
    List<Path> children = sortedChildren(directory);
    if (!name.isEmpty()) {
      if (children.isEmpty()) {
        visitor.visit(new RepositoryDirectory(name, directory.toString(), true));
        return;
      }
      if (children.stream().anyMatch(FilesystemRegistryTree::isInternal)) {
        visitor.visit(new RepositoryDirectory(name, directory.toString(), false));
      }
    }
    for (Path child : children) {
      if (!isInternal(child) && Files.isDirectory(child)) {
        String childName = child.getFileName().toString();
        walk(child, name.isEmpty() ? childName : name + "/" + childName, visitor);
      }
    }
  }

  /** {@code _layers}, {@code _manifests}, {@code _uploads}: a repository's own entries, never a nested name. */
  private static boolean isInternal(Path child) {
    return child.getFileName().toString().startsWith("_");
  }

  @Override
  public void forEachLayerLink(RepositoryDirectory repository, LinkVisitor visitor) throws IOException {
    forEachDigestLink(layout.layerLinks(Path.of(repository.location())), visitor);
  }

  @Override
  public void forEachRevisionLink(RepositoryDirectory repository, LinkVisitor visitor) throws IOException {
    forEachDigestLink(layout.revisionLinks(Path.of(repository.location())), visitor);
  }

  /** {@code <alg>/<hex>/link} below {@code directory}, keyed {@code <alg>:<hex>}. */
  private static void forEachDigestLink(Path directory, LinkVisitor visitor) throws IOException {
    for (Path algorithm : sortedChildren(directory)) {
      for (Path entry : sortedChildren(algorithm)) {
        Path link = entry.resolve("link");
        visitor.visit(new Link(algorithm.getFileName() + ":" + entry.getFileName(), link.toString(), read(link)));
      }
    }
  }

  @Override
  public void forEachTagLink(RepositoryDirectory repository, LinkVisitor visitor) throws IOException {
    for (Path tag : sortedChildren(layout.tagLinks(Path.of(repository.location())))) {
      Path link = layout.currentTagLink(tag);
      visitor.visit(new Link(tag.getFileName().toString(), link.toString(), read(link)));
    }
  }

  @Override
  public void forEachUpload(RepositoryDirectory repository, UploadVisitor visitor) throws IOException {
    for (Path upload : sortedChildren(layout.repositoryUploads(Path.of(repository.location())))) {
      visitor.visit(upload.getFileName().toString(), upload.toString());
    }
  }

  @Override
  public Optional<Long> blobSize(Digest digest) throws IOException {
    return FilesystemBlobStore.size(layout.blobData(digest));
  }

  @Override
  public Optional<byte[]> readBlob(Digest digest, int maxBytes) throws IOException {
    try {
      ByteBuffer bytes = readUpTo(layout.blobData(digest), maxBytes + 1);
      return bytes.position() > maxBytes ? Optional.empty()
          : Optional.of(Arrays.copyOf(bytes.array(), bytes.position()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /**
   * The file's first {@code limit} bytes, or all of it when shorter, read from a channel: open, read
   * until the end, close. A stream (and {@code Files.readAllBytes}) also asks for the file's size
   * and position, three more system calls for each of the root's millions of small files.
   */
  private static ByteBuffer readUpTo(Path file, int limit) throws IOException {
    try (SeekableByteChannel in = Files.newByteChannel(file)) {
      ByteBuffer bytes = ByteBuffer.allocate(Math.min(limit, READ_CHUNK));
      while (in.read(bytes) >= 0) {
        if (!bytes.hasRemaining()) {
          if (bytes.capacity() == limit) {
            break;
          }
          bytes = ByteBuffer.allocate((int) Math.min(limit, 2L * bytes.capacity())).put(bytes.flip());
        }
      }
      return bytes;
    }
  }

  @Override
  public long countBlobs() throws IOException {
    long count = 0;
    for (DigestAlgorithm algorithm : DigestAlgorithm.values()) {
      for (Path prefix : sortedChildren(layout.blobsRoot().resolve(algorithm.prefix()))) {
        try (DirectoryStream<Path> blobs = Files.newDirectoryStream(prefix)) {
          for (Path blob : blobs) {
            if (Files.exists(blob.resolve("data"))) {
              count++;
            }
          }
        }
      }
    }
    return count;
  }

  private static Optional<String> read(Path link) {
    try {
      ByteBuffer bytes = readUpTo(link, MAX_LINK_BYTES);
      return Optional.of(new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8).trim());
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      // A directory, or a file this process may not read, where the link should be: garbage (the
      // import reports it with its path and goes on), not a delete.
      return Optional.of("");
    }
  }

  /** The directory's entries in name order; none when it does not exist or is a file. */
  private static List<Path> sortedChildren(Path directory) throws IOException {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      entries.forEach(children::add);
    } catch (NoSuchFileException | NotDirectoryException e) {
      return List.of();
    }
    children.sort(null);
    return children;
  }
}
