package dev.berth.adopt;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * What an import found in a Docker Registry root and what it recorded (in a dry run: would record).
 * Filled in as the import runs; the import's caller reads it, during the run only through
 * {@link ImportListener#progress}.
 */
public final class ImportReport {
  private final boolean dryRun;
  private final long startNanos = System.nanoTime();
  private long elapsedNanos = -1;
  long repositories;
  long layerLinks;
  long layerLinksRecorded;
  long manifests;
  final Map<String, Long> manifestsByType = new TreeMap<>();
  long manifestsRecorded;
  long tags;
  long tagsRecorded;
  long uploads;
  long deletedLinks;
  OptionalLong blobs = OptionalLong.empty();
  private Optional<Duration> indexing = Optional.empty();
  final Map<Inconsistency.Kind, Long> inconsistencies = new EnumMap<>(Inconsistency.Kind.class);

  ImportReport(boolean dryRun) {
    this.dryRun = dryRun;
  }

  void manifestFound(String mediaType) {
    manifests++;
    manifestsByType.merge(mediaType, 1L, Long::sum);
  }

  /** Adds the counts of {@code other}, a part of the same run counted apart. */
  void add(ImportReport other) {
    repositories += other.repositories;
    layerLinks += other.layerLinks;
    layerLinksRecorded += other.layerLinksRecorded;
    manifests += other.manifests;
    other.manifestsByType.forEach((type, count) -> manifestsByType.merge(type, count, Long::sum));
    manifestsRecorded += other.manifestsRecorded;
    tags += other.tags;
    tagsRecorded += other.tagsRecorded;
    uploads += other.uploads;
    deletedLinks += other.deletedLinks;
    other.inconsistencies.forEach((kind, count) -> inconsistencies.merge(kind, count, Long::sum));
  }

  /** The load went without the lookup indexes, built after it in {@code time}. */
  void indexesBuilt(Duration time) {
    indexing = Optional.of(time);
  }

  /** How long building the indexes deferred to the end took, when the run deferred them. */
  public Optional<Duration> indexing() {
    return indexing;
  }

  void finish() {
    elapsedNanos = System.nanoTime() - startNanos;
  }

  public boolean dryRun() {
    return dryRun;
  }

  public long repositories() {
    return repositories;
  }

  public long manifests() {
    return manifests;
  }

  public long manifestsRecorded() {
    return manifestsRecorded;
  }

  public Map<String, Long> manifestsByType() {
    return Map.copyOf(manifestsByType);
  }

  public long tags() {
    return tags;
  }

  public long tagsRecorded() {
    return tagsRecorded;
  }

  public long layerLinks() {
    return layerLinks;
  }

  public long layerLinksRecorded() {
    return layerLinksRecorded;
  }

  /** Link directories whose link file Docker Registry removed: deleted manifests, layer links or tags. */
  public long deletedLinks() {
    return deletedLinks;
  }

  public long uploads() {
    return uploads;
  }

  /** Blob files in the root, counted by a dry run only (a walk of every blob). */
  public OptionalLong blobs() {
    return blobs;
  }

  public long inconsistencies(Inconsistency.Kind kind) {
    return inconsistencies.getOrDefault(kind, 0L);
  }

  public long inconsistencies() {
    return inconsistencies.values().stream().mapToLong(Long::longValue).sum();
  }

  public Duration elapsed() {
    return Duration.ofNanos(elapsedNanos < 0 ? System.nanoTime() - startNanos : elapsedNanos);
  }

  /** Manifests read per second so far. */
  public double rate() {
    double seconds = Math.max(elapsed().toNanos() / 1e9, 1e-3);
    return manifests / seconds;
  }

  /** The one-line state of a running import, for a terminal's progress line. */
  public String progressLine() {
    return String.format("%d repositories, %d manifests (%.0f/s), %d tags, %d layer links, %d inconsistencies",
        repositories, manifests, rate(), tags, layerLinks, inconsistencies());
  }

  /** Several lines: everything found, what was (or would be) recorded, and the inconsistencies by kind. */
  public String summary() {
    String recorded = dryRun ? "would record" : "recorded";
    StringBuilder text = new StringBuilder();
    text.append(dryRun ? "import dry run" : "import").append(String.format(" finished in %.1f s (%.0f manifests/s)%n",
        elapsed().toNanos() / 1e9, rate()));
    text.append("  repositories:       ").append(repositories).append('\n');
    text.append("  manifests:          ").append(manifests).append(", ").append(recorded).append(' ')
        .append(manifestsRecorded).append('\n');
    manifestsByType.forEach((type, count) -> text.append("    ").append(type).append(": ").append(count).append('\n'));
    text.append("  tags:               ").append(tags).append(", ").append(recorded).append(' ').append(tagsRecorded)
        .append('\n');
    text.append("  layer links:        ").append(layerLinks).append(", ").append(recorded).append(' ')
        .append(layerLinksRecorded).append(" blob links (repairs included)\n");
    text.append("  deleted in Docker Registry (link file removed): ").append(deletedLinks).append('\n');
    blobs.ifPresent(count -> text.append("  blobs:              ").append(count).append('\n'));
    text.append("  uploads in progress: ").append(uploads).append(" (not carried over: clients start them again)\n");
    indexing.ifPresent(time -> text.append(String.format("  indexes built after loading: %.1f s (within the time above)%n",
        time.toNanos() / 1e9)));
    text.append("  inconsistencies:    ").append(inconsistencies()).append('\n');
    inconsistencies.forEach((kind, count) -> text.append("    ").append(kind.description()).append(": ").append(count)
        .append(" (").append(kind.handling()).append(")\n"));
    return text.toString().stripTrailing();
  }
}
