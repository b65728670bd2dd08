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
 * @param keptByGrace what would have gone but for the grace period
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
    long warningCount,
    KeptByGrace keptByGrace) {

  public static final int WARNINGS_KEPT = 100;

  /**
   * Garbage that a run left only because it is younger than the grace period: manifests (which
   * keep what they use) and unreferenced blobs. A report that frees nothing says why.
   */
  public record KeptByGrace(Duration grace, long manifests, long blobs) {
    public boolean any() {
      return manifests > 0 || blobs > 0;
    }

    /** "3 blobs and 1 manifest kept by the 24h grace period". */
    public String describe() {
      String what = blobs == 0 ? count(manifests, "manifest")
          : manifests == 0 ? count(blobs, "blob") : count(blobs, "blob") + " and " + count(manifests, "manifest");
      return what + " kept by the " + GcOptions.text(grace) + " grace period";
    }

    private static String count(long n, String noun) {
      return n + " " + noun + (n == 1 ? "" : "s");
    }
  }

  public long manifestsKeptByGrace() {
    return keptByGrace.manifests();
  }

  public long blobsKeptByGrace() {
    return keptByGrace.blobs();
  }

  public GcReport {
    warnings = List.copyOf(warnings);
  }

  /** The report's closing summary, one line; what the grace period kept comes last. */
  public String summary() {
    return String.format("%s: %d manifests, %d blobs, %d orphaned blobs, %d links, %d upload sessions, "
            + "%d empty repositories; %d bytes %s; %.3f s",
        dryRun ? "dry run" : "collected", manifests, blobs, orphans, links, uploads,
        repositories, bytesFreed, dryRun ? "would be freed" : "freed", duration.toNanos() / 1e9)
        + (keptByGrace.any() ? "; " + keptByGrace.describe() : "");
  }
}
