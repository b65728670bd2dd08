package dev.berth.cleanup;

import java.time.Duration;

/**
 * What a collection run may do.
 *
 * @param dryRun change nothing; report exactly what a real run would delete
 * @param deleteUntagged collect untagged manifests that nothing live references
 * @param grace nothing younger than this is collected (pushed, linked or touched)
 * @param uploadMaxAge upload sessions idle longer than this are purged
 * @param orphans also walk the whole blob store for bytes without a metadata row (a crash leaves
 *     them); expensive, so a separate mode
 */
public record GcOptions(
    boolean dryRun, boolean deleteUntagged, Duration grace, Duration uploadMaxAge, boolean orphans) {

  public static final Duration DEFAULT_GRACE = Duration.ofHours(24);
  public static final Duration DEFAULT_UPLOAD_MAX_AGE = Duration.ofHours(168);

  public GcOptions {
    if (grace.isNegative() || uploadMaxAge.isNegative()) {
      throw new IllegalArgumentException("durations must not be negative");
    }
  }

  public GcOptions(boolean dryRun, boolean deleteUntagged, Duration grace, Duration uploadMaxAge) {
    this(dryRun, deleteUntagged, grace, uploadMaxAge, false);
  }

  /** A duration as the options are written: 24h, 90m, 30s. */
  public static String text(Duration duration) {
    long seconds = duration.toSeconds();
    if (seconds % 3600 == 0) {
      return seconds / 3600 + "h";
    }
    return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
  }
}
