package dev.berth.metadata;

import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Repositories, manifests with their references, and tags. Every method is one transaction, or a
 * part of one when the store came from a {@link MetadataTransaction}.
 *
 * <p>Implementations must make {@link #putManifest} check its references and insert the manifest
 * atomically, so a blob that GC is deleting can never gain a committed reference (DESIGN.md,
 * invariant 1).
 */
public interface ManifestMetadata {

  // ---- repositories

  /** Repository names in lexical order, strictly after {@code after} when given. */
  List<RepositoryName> listRepositories(Optional<RepositoryName> after, int limit);

  /** True when the repository holds anything: a blob link, a manifest or a tag. */
  boolean repositoryExists(RepositoryName repository);

  // ---- manifests and tags

  /**
   * Stores the manifest (replacing nothing: the same digest in the same repository is idempotent),
   * its references, and points {@code tag} at it when given.
   *
   * @throws MissingReferencesException when a blob is not linked and live in the repository or a
   *     child manifest is not in the repository; nothing is written then
   */
  void putManifest(ManifestRecord manifest, Optional<Tag> tag, Instant now) throws MissingReferencesException;

  /**
   * As {@link #putManifest} with a tag, except that a tag on another manifest stays there: then the
   * answer is that manifest and the tag is not written (the manifest is, unless the caller's
   * transaction is abandoned, as a refused push abandons it). Checked and written in one statement,
   * so of two pushes racing for a new tag only one takes it.
   */
  Optional<Digest> putManifestKeepingTag(ManifestRecord manifest, Tag tag, Instant now)
      throws MissingReferencesException;

  /**
   * Writes what an import of a Docker Registry root found, batches of one repository each, in one
   * transaction, as {@link BlobMetadata#recordBlob} for each blob and then {@link #putManifest} for
   * each manifest and each of its tags would, with the same checks and the same result, the same
   * again for what is already there: each statement runs once per batch instead of once per call. A
   * manifest whose references its repository does not hold (blobs of its batch count, and manifests
   * of its batch before it) is not written, nor are its tags: it is answered instead. The commit
   * need not reach the disk before this returns (an import is run again to finish it); closing the
   * store, or the next synced write, makes it durable.
   */
  List<ImportBatch.Refusal> importBatches(List<ImportBatch> batches, Instant now);

  /**
   * Before an import into a store that holds no manifest and no blob link yet: drops the indexes
   * that the import's tables keep only for lookups, to be built by {@link #buildDeferredIndexes}
   * once the tables are loaded (a bulk load writes several times faster without them). Answers
   * whether they are deferred now: by this call, or still by an import that did not get to build
   * them (the next opening of the store builds those, or this import's end).
   */
  boolean deferIndexesForImport();

  /** Builds the indexes {@link #deferIndexesForImport} dropped; with none dropped, does nothing. */
  void buildDeferredIndexes();

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
  void recordPulls(Map<ManifestKey, Instant> pulls);

  /** Manifests in the repository whose subject is {@code subject}, optionally of one artifact type. */
  List<Referrer> listReferrers(RepositoryName repository, Digest subject, Optional<String> artifactType);
}
