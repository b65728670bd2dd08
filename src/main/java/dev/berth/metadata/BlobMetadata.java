package dev.berth.metadata;

import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.storage.UploadId;
import java.time.Instant;
import java.util.Optional;

/**
 * Blobs, which repository may see them, and upload sessions. Every method is one transaction, or a
 * part of one when the store came from a {@link MetadataTransaction}.
 */
public interface BlobMetadata {

  Optional<BlobRecord> findBlob(Digest digest);

  /** The blob, only when it is linked into the repository and live. */
  Optional<BlobRecord> findLinkedBlob(RepositoryName repository, Digest digest);

  /**
   * Called after the bytes are durable in the blob store, with the digest's {@link DigestGuard} held:
   * inserts (or touches) the blob row, creates the repository if needed and links the blob
   * into it. A row that an interrupted collection left {@code deleting} becomes live again, since
   * the bytes it describes were just put back in place under the guard GC also holds.
   */
  BlobRecord recordBlob(RepositoryName repository, Digest digest, long size, Instant now);

  /**
   * Links a blob that {@code from} can see into {@code to}. Empty when {@code from} has no live link
   * to it; then nothing changes.
   */
  Optional<BlobRecord> mountBlob(RepositoryName from, RepositoryName to, Digest digest, Instant now);

  /**
   * Removes the repository's link to the blob, unless a manifest in the repository references it
   * (DESIGN.md, invariant 1). Bytes are GC's business.
   */
  BlobUnlink unlinkBlob(RepositoryName repository, Digest digest);

  // ---- upload sessions

  void createUpload(UploadId id, RepositoryName repository, Instant now);

  Optional<UploadRecord> findUpload(UploadId id);

  void touchUpload(UploadId id, Instant now);

  boolean deleteUpload(UploadId id);
}
