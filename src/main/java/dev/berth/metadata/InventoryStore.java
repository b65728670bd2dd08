package dev.berth.metadata;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaType;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What fills the disk, for the console and the admin API: per-repository usage, the manifests of a
 * repository with their sizes, deployment totals, and storage samples over time. Read-only apart
 * from recording samples; each method is one query.
 */
public interface InventoryStore {

  /**
   * @param bytes the sum of the distinct blobs linked into the repository (what it pins on disk)
   * @param lastPush the newest manifest push or tag move, empty for a repository of bare blobs
   */
  record RepositoryUsage(RepositoryName name, long bytes, long tags, long manifests, Optional<Instant> lastPush) {}

  /**
   * @param size the manifest's own bytes
   * @param blobBytes the config and layers it references (an index references none itself)
   * @param lastPulledAt the newest GET of its bytes recorded so far (pulls are written in batches)
   */
  record ManifestSummary(Digest digest, MediaType mediaType, Optional<String> artifactType, Optional<Digest> subject,
      long size, long blobBytes, Instant pushedAt, Optional<Instant> lastPulledAt, Map<String, String> annotations) {}

  record StorageTotals(long liveBytes, long blobs, long repositories, long manifests) {}

  record StorageSample(Instant at, long bytes) {}

  /** Every repository, by name. */
  List<RepositoryUsage> repositoryUsage();

  /** Every manifest of the repository, newest first. */
  List<ManifestSummary> manifestsOf(RepositoryName repository);

  /** Every tag of the repository, grouped by the manifest it names. */
  Map<Digest, List<Tag>> tagsByManifest(RepositoryName repository);

  StorageTotals totals();

  void recordStorageSample(StorageSample sample);

  /** Samples taken at or after {@code since}, oldest first. */
  List<StorageSample> storageSamples(Instant since);
}
