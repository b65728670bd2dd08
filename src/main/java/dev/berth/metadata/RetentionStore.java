package dev.berth.metadata;

import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a retention run reads of a namespace, a repository at a time (counts and windows are per
 * repository, so no run holds a whole namespace), and its history: each run and the decision it
 * made on each image.
 */
public interface RetentionStore {

  /**
   * A manifest of one of the namespace's repositories as retention sees it.
   *
   * @param pushedAt the last time a push touched the image: its manifest, or a tag put on it
   * @param lastPulledAt the newest recorded GET of its bytes
   * @param listedByIndex an index of the same repository lists it
   * @param blobs the blobs its manifest references (config and layers)
   */
  record NamespaceImage(RepositoryName repository, Digest digest, List<Tag> tags, Instant pushedAt,
      Optional<Instant> lastPulledAt, boolean listedByIndex, Optional<Digest> subject, List<Digest> blobs) {
    public NamespaceImage {
      tags = List.copyOf(tags);
      blobs = List.copyOf(blobs);
    }
  }

  /** The repositories {@code namespace} and {@code namespace/...}, by name. */
  List<RepositoryName> repositoriesOf(String namespace);

  /** A repository's images, read in one snapshot. */
  List<NamespaceImage> imagesOf(RepositoryName repository);

  /**
   * Of {@code blobs}, those no manifest outside the namespace uses, with their sizes: the bytes that
   * deleting every image of the namespace using one would free.
   */
  Map<Digest, Long> sizesUnusedOutside(String namespace, Collection<Digest> blobs);

  enum Status { RUNNING, SUCCEEDED, FAILED }

  /**
   * A run: of one namespace's policy, or of every namespace's (namespace empty).
   *
   * @param trigger {@code api}, {@code cli} or {@code schedule}
   */
  record RunRecord(String id, Optional<String> namespace, String requestedBy, String trigger, boolean dryRun,
      Status status, String owner, Instant startedAt, Instant heartbeatAt, Optional<Instant> finishedAt,
      Totals totals, Optional<String> error) {
    public RunRecord {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(totals, "totals");
      Objects.requireNonNull(error, "error");
    }
  }

  /**
   * @param images the images the run's policies looked at
   * @param bytesFreed what the next GC frees (dry: would free) once the deleted images are gone
   */
  record Totals(long images, long kept, long deleted, long skipped, long bytesFreed) {
    public static final Totals NONE = new Totals(0, 0, 0, 0, 0);
  }

  enum Outcome { KEPT, DELETED, SKIPPED }

  /**
   * One image's decision in a run: kept (by {@code rule}), deleted (dry: would be) because of
   * {@code rule}, or skipped, a deletion the registry refused because the image changed after the
   * decision (a tag pushed onto it, an index listing it).
   *
   * @param bytes what deleting it frees, counted once per run where deleted images share a blob
   */
  record RunItem(long seq, RepositoryName repository, Digest digest, List<Tag> tags, Outcome outcome,
      Optional<String> rule, String reason, long bytes) {
    public RunItem {
      tags = List.copyOf(tags);
    }
  }

  void startRun(RunRecord run);

  /** Appends items and beats the run's heartbeat, in one transaction. */
  void recordItems(String runId, List<RunItem> items, Instant heartbeatAt);

  void finishRun(String id, Status status, Instant finishedAt, Totals totals, Optional<String> error);

  Optional<RunRecord> findRun(String id);

  /** Newest first. */
  List<RunRecord> recentRuns(int limit);

  /** The run's items with {@code seq > after}, in order. */
  List<RunItem> runItems(String id, long after, int limit);
}
