package dev.berth.cleanup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.metadata.CollectorStore;
import dev.berth.metadata.GcRunRecord;
import dev.berth.metadata.HistoryStore;
import dev.berth.metadata.InventoryStore;
import dev.berth.metadata.InventoryStore.ManifestSummary;
import dev.berth.metadata.InventoryStore.RepositoryUsage;
import dev.berth.metadata.ManifestEdge;
import dev.berth.metadata.ManifestMetadata;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaType;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * What fills the disk, as an administrator looks at it before deleting: repositories by size, the
 * images of one repository (with the platforms of an index and the referrers attached to each), and
 * the deployment's totals with the last collections. The console and the admin API both read
 * through this class, so a script sees exactly what the browser shows.
 */
public final class Inventory {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int RUNS_SEARCHED = 100;
  private static final Duration SAMPLE_WINDOW = Duration.ofDays(30);

  private final InventoryStore store;
  private final ManifestMetadata metadata;
  private final CollectorStore graph;
  private final HistoryStore history;
  private final Clock clock;

  public Inventory(InventoryStore store, ManifestMetadata metadata, CollectorStore graph, HistoryStore history,
      Clock clock) {
    this.store = store;
    this.metadata = metadata;
    this.graph = graph;
    this.history = history;
    this.clock = clock;
  }

  /** A referrer (signature, SBOM, attestation) shown beside the image it refers to. */
  public record Attachment(Digest digest, String artifactType, long size, Map<String, String> annotations) {}

  /**
   * An image as listed: a manifest that no index in the repository lists, with what it weighs.
   *
   * @param size the manifest, its config and layers; for an index, also every manifest it lists
   * @param platforms {@code os/architecture[/variant]} of each entry of an index; empty otherwise
   * @param lastPulledAt the newest recorded GET of the image's manifest (written every half minute)
   * @param missingSubject for a referrer whose subject is not in the repository (deleted, or never
   *     pushed): that subject; the next collection deletes the referrer
   */
  public record Image(Digest digest, MediaType mediaType, Optional<String> artifactType, long size, Instant pushedAt,
      Optional<Instant> lastPulledAt, List<Tag> tags, List<String> platforms, List<Attachment> referrers,
      Map<String, String> annotations, Optional<Digest> missingSubject) {}

  /**
   * @param lastRun the newest finished run, dry or real
   * @param lastDryRun the newest successful run when it is a dry run: its figure is what a real run
   *     would free, as of when it ran; empty once a real run came after it
   */
  public record Overview(InventoryStore.StorageTotals totals, Optional<GcRunRecord> lastRun,
      Optional<GcRunRecord> lastDryRun, List<InventoryStore.StorageSample> samples) {}

  /** Repositories whose name contains {@code filter} (any case), by name. */
  public List<RepositoryUsage> repositories(String filter) {
    String needle = filter.strip().toLowerCase(Locale.ROOT);
    return store.repositoryUsage().stream().filter(r -> r.name().value().contains(needle)).toList();
  }

  /**
   * One manifest of a repository, whether listed on its own, by an index, or as a referrer.
   *
   * @param subject the manifest it refers to, for a referrer (present or not in the repository)
   * @param listedBy the indexes of the repository that list it
   */
  public record Artifact(Image image, Optional<Digest> subject, List<Digest> listedBy) {}

  /** The repository's images, newest first; empty when the repository does not exist. */
  public Optional<List<Image>> images(RepositoryName repository) {
    if (!metadata.repositoryExists(repository)) {
      return Optional.empty();
    }
    Contents contents = contents(repository);
    List<Image> images = new ArrayList<>();
    for (ManifestSummary m : contents.manifests()) {
      if (!contents.attached(m) && !contents.parents().containsKey(m.digest())) {
        images.add(image(repository, contents, m));
      }
    }
    return Optional.of(images);
  }

  /** Any manifest of the repository, described as {@link #images} describes an image; empty when there is none. */
  public Optional<Artifact> artifact(RepositoryName repository, Digest digest) {
    if (!metadata.repositoryExists(repository)) {
      return Optional.empty();
    }
    Contents contents = contents(repository);
    return Optional.ofNullable(contents.byDigest().get(digest)).map(m -> new Artifact(image(repository, contents, m),
        m.subject(), contents.parents().getOrDefault(digest, List.of())));
  }

  /** What one repository holds, read once for the images or the artifact shown. */
  private record Contents(List<ManifestSummary> manifests, Map<Digest, ManifestSummary> byDigest,
      Map<Digest, List<Digest>> children, Map<Digest, List<Digest>> parents, Map<Digest, List<Attachment>> referrers,
      Map<Digest, List<Tag>> tags) {
    /** A referrer is shown under its subject; one whose subject is gone is shown on its own. */
    boolean attached(ManifestSummary m) {
      return m.subject().isPresent() && byDigest.containsKey(m.subject().get());
    }
  }

  private Contents contents(RepositoryName repository) {
    List<ManifestSummary> manifests = store.manifestsOf(repository);
    Map<Digest, ManifestSummary> byDigest = new HashMap<>();
    manifests.forEach(m -> byDigest.put(m.digest(), m));
    Map<Digest, List<Digest>> children = new HashMap<>();
    Map<Digest, List<Digest>> parents = new HashMap<>();
    for (ManifestEdge edge : graph.manifestEdges(repository)) {
      children.computeIfAbsent(edge.parent(), d -> new ArrayList<>()).add(edge.child());
      parents.computeIfAbsent(edge.child(), d -> new ArrayList<>()).add(edge.parent());
    }
    Map<Digest, List<Attachment>> referrers = new HashMap<>();
    for (ManifestSummary m : manifests) {
      if (m.subject().isPresent() && byDigest.containsKey(m.subject().get())) {
        referrers.computeIfAbsent(m.subject().get(), d -> new ArrayList<>())
            .add(new Attachment(m.digest(), m.artifactType().orElse(m.mediaType().value()), m.size() + m.blobBytes(),
                m.annotations()));
      }
    }
    return new Contents(manifests, byDigest, children, parents, referrers, store.tagsByManifest(repository));
  }

  private Image image(RepositoryName repository, Contents contents, ManifestSummary m) {
    List<Digest> entries = contents.children().getOrDefault(m.digest(), List.of());
    long size = m.size() + m.blobBytes() + entries.stream()
        .map(contents.byDigest()::get).filter(java.util.Objects::nonNull).mapToLong(c -> c.size() + c.blobBytes()).sum();
    List<String> platforms = entries.isEmpty() ? List.of() : platforms(repository, m.digest());
    return new Image(m.digest(), m.mediaType(), m.artifactType(), size, m.pushedAt(), m.lastPulledAt(),
        contents.tags().getOrDefault(m.digest(), List.of()), platforms,
        contents.referrers().getOrDefault(m.digest(), List.of()), m.annotations(),
        m.subject().filter(s -> !contents.byDigest().containsKey(s)));
  }

  /** The platforms an index names, read from its stored payload. */
  private List<String> platforms(RepositoryName repository, Digest index) {
    return metadata.findManifest(repository, index).map(stored -> {
      try {
        List<String> platforms = new ArrayList<>();
        for (JsonNode entry : JSON.readTree(stored.payload()).path("manifests")) {
          JsonNode platform = entry.path("platform");
          if (platform.isObject()) {
            StringJoiner text = new StringJoiner("/");
            text.add(platform.path("os").asText("?")).add(platform.path("architecture").asText("?"));
            if (platform.hasNonNull("variant")) {
              text.add(platform.get("variant").asText());
            }
            platforms.add(text.toString());
          }
        }
        return platforms;
      } catch (IOException e) {
        // The payload was validated at push time; an unreadable one shows no platforms, not an error page.
        return List.<String>of();
      }
    }).orElse(List.of());
  }

  public Overview overview() {
    List<GcRunRecord> runs = history.recentRuns(RUNS_SEARCHED);
    Optional<GcRunRecord> lastRun = runs.stream().filter(r -> r.finishedAt().isPresent()).findFirst();
    // Once a real collection has run, an older dry run's figure no longer says anything.
    Optional<GcRunRecord> lastDryRun = runs.stream()
        .filter(r -> r.status() == GcRunRecord.Status.SUCCEEDED).findFirst().filter(GcRunRecord::dryRun);
    return new Overview(store.totals(), lastRun, lastDryRun,
        store.storageSamples(clock.instant().minus(SAMPLE_WINDOW)));
  }

  /** Records the storage used now, one point of the chart over time. */
  public void sample() {
    store.recordStorageSample(new InventoryStore.StorageSample(clock.instant(), store.totals().liveBytes()));
  }

  /** A listener that samples the storage when a run finishes, so the chart shows what each run freed. */
  public GcListener sampleWhenDone() {
    return new GcListener() {
      @Override
      public void phase(GcPhase phase) {
        if (phase == GcPhase.DONE) {
          sample();
        }
      }
    };
  }
}
