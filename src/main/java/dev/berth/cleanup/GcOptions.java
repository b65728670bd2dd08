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
}
