package dev.berth.cleanup;

import java.time.Duration;

/**
 * What a collection run may do.
 *
 * @param dryRun change nothing; report exactly what a real run would delete
 * @param deleteUntagged collect untagged manifests that nothing live references
 * @param grace nothing younger than this is collected (pushed, linked or touched)
 * @param uploadMaxAge upload sessions idle longer than this are purged
 */
public record GcOptions(boolean dryRun, boolean deleteUntagged, Duration grace, Duration uploadMaxAge) {

  public static final Duration DEFAULT_GRACE = Duration.ofHours(24);
  public static final Duration DEFAULT_UPLOAD_MAX_AGE = Duration.ofHours(168);

  public GcOptions {
    if (grace.isNegative() || uploadMaxAge.isNegative()) {
      throw new IllegalArgumentException("durations must not be negative");
    }
  }
}
