package dev.berth.metadata;

import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.storage.UploadId;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The garbage collector's view of the metadata: reading the reference graph, and the few guarded
 * deletions that re-check, inside their own transaction, that what they delete is still garbage.
 */
public interface CollectorStore {

  /** Every repository that has a row, in order. */
  List<RepositoryName> allRepositories();

  List<ManifestNode> manifestNodes(RepositoryName repository);

  List<ManifestEdge> manifestEdges(RepositoryName repository);

  /** Outcome of a guarded deletion. */
  enum Guarded {
    DELETED,
    /** It was already gone. */
    ABSENT,
    /** Re-checked and found in use (or too young); kept. */
    KEPT
  }

  /**
   * Deletes, in one transaction, each manifest of the batch that, re-checked now, is older than
   * {@code cutoff}, untagged, listed by no index, and either has no subject ({@code deleteUntagged}
   * only) or its subject is gone. Returns those deleted.
   */
  List<ManifestKey> deleteManifestsIfGarbage(List<ManifestKey> batch, Instant cutoff, boolean deleteUntagged);

  /**
   * Links older than {@code cutoff} that no manifest of their repository references, counting
   * manifests in {@code garbage} as already gone.
   */
  void forEachUnusedLink(Instant cutoff, Set<ManifestKey> garbage, Consumer<BlobLink> action);

  /**
   * Removes, in one transaction, each link that, re-checked now, is older than {@code cutoff} and
   * used by no manifest of its repository. Returns those removed.
   */
  List<BlobLink> unlinkIfUnused(List<BlobLink> batch, Instant cutoff);

  /**
   * A blob no manifest references: its size, whether an earlier run already began removing it, and
   * whether it was touched since the cutoff (GC leaves it for the grace period, and counts it).
   */
  record BlobCandidate(Digest digest, long size, boolean alreadyDeleting, boolean withinGrace) {}

  /**
   * Blobs that no manifest references (counting those in {@code garbage} as gone), plus every blob
   * an interrupted run left in {@code deleting} state; those touched since {@code cutoff} and not
   * {@code deleting} are {@code withinGrace}.
   */
  void forEachUnreferencedBlob(Instant cutoff, Set<ManifestKey> garbage, Consumer<BlobCandidate> action);

  /** The repositories each of the blobs is linked into, in order; a blob linked nowhere is absent. */
  Map<Digest, List<RepositoryName>> linkedRepositories(Collection<Digest> blobs);

  /** Last step of deleting blobs, once their bytes are gone: removes the rows and their links. */
  void deleteBlobRows(Collection<Digest> digests);

  /**
   * The last step of deleting {@code gone} and the first of deleting {@code next}, in one
   * transaction so a sweep commits once per batch. Removes the rows of {@code gone} as
   * {@link #deleteBlobRows} does; then marks {@code deleting} each blob of {@code next} that,
   * re-checked now, is untouched since {@code cutoff} and unreferenced (or already
   * {@code deleting}), so no manifest can reference it any more. Returns the marked ones with their
   * sizes.
   */
  Map<Digest, Long> deleteBlobRowsAndMarkNext(Collection<Digest> gone, List<Digest> next, Instant cutoff);

  /** Upload sessions not used since {@code idleSince}. */
  List<UploadRecord> idleUploads(Instant idleSince);

  boolean knowsUpload(UploadId id);

  boolean deleteUpload(UploadId id);

  /** Number of blob links per repository. */
  java.util.Map<RepositoryName, Integer> linkCounts();

  /** Repositories with no link, manifest or tag left. */
  List<RepositoryName> emptyRepositories();

  /** Removes the repository row if, re-checked now, it is still empty. */
  Guarded deleteRepositoryIfEmpty(RepositoryName repository);

  /** All live blob rows, for fsck. */
  void forEachBlob(Consumer<BlobRecord> action);

  /** The blobs (config and layers) a manifest references, with their sizes. */
  List<BlobRecord> blobsOfManifest(RepositoryName repository, Digest manifest);

  /** Every manifest, in any repository, that references the blob. */
  List<ManifestKey> manifestsUsingBlob(Digest blob);

  /** Whether a row exists for this digest, in any state. */
  boolean blobRowExists(Digest digest);

  /** The blob's row when it is live. */
  Optional<BlobRecord> findLiveBlob(Digest digest);
}
