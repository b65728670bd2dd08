package dev.berth.storage;

import dev.berth.oci.Digest;
import java.io.IOException;
import java.util.Optional;

/**
 * A Docker Registry 2.x storage root read as Docker Registry wrote it: its repositories' link files
 * and its blobs, for adopting the root in place. Read-only: nothing here writes, so a dry run over it
 * changes nothing. Entries come one at a time, so a root of any size is walked in bounded memory
 * (apart from one directory's names, sorted for a stable order).
 */
public interface RegistryTree {

  /** Whether the root holds Docker Registry's repositories at all: false for a wrong path. */
  boolean exists();

  /** Every directory under the repositories root that is a repository or has nothing in it, in name order. */
  void forEachRepository(RepositoryVisitor visitor) throws IOException;

  /** {@code _layers/<alg>/<hex>/link}: which blobs the repository may serve. */
  void forEachLayerLink(RepositoryDirectory repository, LinkVisitor visitor) throws IOException;

  /** {@code _manifests/revisions/<alg>/<hex>/link}: the repository's manifests. */
  void forEachRevisionLink(RepositoryDirectory repository, LinkVisitor visitor) throws IOException;

  /** {@code _manifests/tags/<tag>/current/link}; a tag's {@code index} history is not read. */
  void forEachTagLink(RepositoryDirectory repository, LinkVisitor visitor) throws IOException;

  /** {@code _uploads/<id>}: uploads started and never finished. */
  void forEachUpload(RepositoryDirectory repository, UploadVisitor visitor) throws IOException;

  /** Size of the blob's data, or empty when it has none. */
  Optional<Long> blobSize(Digest digest) throws IOException;

  /** The blob's bytes, when it has any and they are at most {@code maxBytes} long. */
  Optional<byte[]> readBlob(Digest digest, int maxBytes) throws IOException;

  /** Number of blobs with data. A walk of the whole blob tree. */
  long countBlobs() throws IOException;

  /**
   * @param name the path below the repositories root, '/'-separated: the repository's name when valid
   * @param location where it is, for reports
   * @param empty nothing at all below it
   */
  record RepositoryDirectory(String name, String location, boolean empty) {}

  /**
   * One link file.
   *
   * @param key what its place names: {@code <alg>:<hex>} for layers and revisions, the tag for tags
   * @param location the link file, for reports
   * @param content its text, trimmed; empty when there is no link file (Docker Registry deletes a
   *     manifest or a layer link by removing that file alone); blank when it cannot be read
   */
  record Link(String key, String location, Optional<String> content) {}

  @FunctionalInterface
  interface RepositoryVisitor {
    void visit(RepositoryDirectory repository) throws IOException;
  }

  @FunctionalInterface
  interface LinkVisitor {
    void visit(Link link) throws IOException;
  }

  @FunctionalInterface
  interface UploadVisitor {
    void visit(String id, String location) throws IOException;
  }
}
