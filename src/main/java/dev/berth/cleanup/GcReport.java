package dev.berth.cleanup;

import java.time.Duration;
import java.util.List;

/**
 * What a run removed (or, dry, would remove), counted, with the bytes it freed. The items
 * themselves went to the run's listener one by one (and, for a recorded run, to its history), so a
 * report's size does not grow with the run.
 *
 * @param links links removed on their own, their blob staying in use elsewhere
 * @param warnings the first {@link #WARNINGS_KEPT}; {@code warningCount} counts them all
 */
public record GcReport(
    boolean dryRun,
    long manifests,
    long blobs,
    long orphans,
    long links,
    int uploads,
    long repositories,
    long bytesFreed,
    Duration duration,
    List<String> warnings,
    long warningCount) {

  public static final int WARNINGS_KEPT = 100;

  public GcReport {
    warnings = List.copyOf(warnings);
  }

  /** The report's closing summary, one line. */
  public String summary() {
    return String.format("%s: %d manifests, %d blobs, %d orphaned blobs, %d links, %d upload sessions, "
            + "%d empty repositories; %d bytes %s; %.3f s",
        dryRun ? "dry run" : "collected", manifests, blobs, orphans, links, uploads,
        repositories, bytesFreed, dryRun ? "would be freed" : "freed", duration.toNanos() / 1e9);
  }
}
