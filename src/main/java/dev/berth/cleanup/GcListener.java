package dev.berth.cleanup;

import dev.berth.oci.Digest;

/**
 * Follows a run: its phases, and each thing it removes. Progress reporting, the run's history and
 * the deterministic interleaving tests (which pause GC between phases) all hang off this.
 */
public interface GcListener {
  GcListener NONE = new GcListener() {};

  default void phase(GcPhase phase) {}

  /** Something was removed (or, dry, would be). */
  default void removed(GcItem item) {}

  /** A blob was marked {@code deleting}; its bytes go next. Called with the digest's lock held. */
  default void blobMarkedDeleting(Digest digest) {}

  default void warning(String message) {}
}
