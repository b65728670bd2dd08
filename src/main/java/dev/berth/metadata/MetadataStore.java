package dev.berth.metadata;

import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import dev.berth.storage.UploadId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The source of truth for what exists: repositories, blobs and which repository may see them,
 * manifests with their references, tags, and upload sessions.
 *
 * <p>Every method is one transaction. Implementations must make {@link #putManifest} check its
 * references and insert the manifest atomically, so a blob that GC is deleting can never gain a
 * committed reference (DESIGN.md, invariant 1).
 */
public interface MetadataStore extends AutoCloseable {

  // ---- repositories

  /** Repository names in lexical order, strictly after {@code after} when given. */
  List<RepositoryName> listRepositories(Optional<RepositoryName> after, int limit);

  /** True when the repository holds anything: a blob link, a manifest or a tag. */
  boolean repositoryExists(RepositoryName repository);

  // ---- blobs

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

  // ---- manifests and tags

  /**
   * Stores the manifest (replacing nothing: the same digest in the same repository is idempotent),
   * its references, and points {@code tag} at it when given.
   *
   * @throws MissingReferencesException when a blob is not linked and live in the repository or a
   *     child manifest is not in the repository; nothing is written then
   */
  void putManifest(ManifestRecord manifest, Optional<Tag> tag, Instant now) throws MissingReferencesException;

  Optional<StoredManifest> findManifest(RepositoryName repository, Digest digest);

  Optional<Digest> resolveTag(RepositoryName repository, Tag tag);

  /** Deletes the manifest and every tag on it, unless an index in the repository still lists it. */
  ManifestDeletion deleteManifest(RepositoryName repository, Digest digest);

  /** Removes one tag; the manifest and its other tags stay. True when the tag existed. */
  boolean deleteTag(RepositoryName repository, Tag tag);

  /** Tags in lexical order, strictly after {@code after} when given. */
  List<Tag> listTags(RepositoryName repository, Optional<String> after, int limit);

  List<Tag> tagsOf(RepositoryName repository, Digest manifest);

  /**
   * Sets each manifest's last pull time, unless it already records a later one, in one
   * transaction. Manifests deleted meanwhile are skipped.
   */
  void recordPulls(java.util.Map<ManifestKey, Instant> pulls);

  /** Manifests in the repository whose subject is {@code subject}, optionally of one artifact type. */
  List<Referrer> listReferrers(RepositoryName repository, Digest subject, Optional<String> artifactType);

  // ---- upload sessions

  void createUpload(UploadId id, RepositoryName repository, Instant now);

  Optional<UploadRecord> findUpload(UploadId id);

  void touchUpload(UploadId id, Instant now);

  boolean deleteUpload(UploadId id);

  // ---- transactions

  /**
   * Runs {@code work}, and every call it makes on this store's ports from this thread, as one
   * transaction: all of it commits, or none of it.
   */
  <R> R atomically(java.util.function.Supplier<R> work);

  // ---- change notification

  /**
   * Reports to {@code listener} every change made through this store that could invalidate a
   * cached read. False when the store cannot: its database is shared with other processes, whose
   * writes it never sees; then nothing may be cached in front of it.
   */
  boolean subscribe(ChangeListener listener);

  @Override
  void close();
}
