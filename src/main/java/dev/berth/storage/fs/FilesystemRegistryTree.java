package dev.berth.storage.fs;

import dev.berth.oci.Digest;
import dev.berth.oci.DigestAlgorithm;
import dev.berth.storage.RegistryTree;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A Docker Registry storage root on a local filesystem, read in place; nothing is created or changed. */
public final class FilesystemRegistryTree implements RegistryTree {
  /** A link holds {@code sha256:<64 hex>}; anything much longer is garbage, and is not read whole. */
  private static final int MAX_LINK_BYTES = 1024;

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
    try (InputStream in = Files.newInputStream(layout.blobData(digest))) {
      byte[] bytes = in.readNBytes(maxBytes + 1);
      return bytes.length > maxBytes ? Optional.empty() : Optional.of(bytes);
    } catch (NoSuchFileException e) {
      return Optional.empty();
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
    try (InputStream in = Files.newInputStream(link)) {
      return Optional.of(new String(in.readNBytes(MAX_LINK_BYTES), java.nio.charset.StandardCharsets.UTF_8).trim());
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
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      entries.forEach(children::add);
    }
    children.sort(null);
    return children;
  }
}
