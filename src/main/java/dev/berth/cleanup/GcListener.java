package dev.berth.cleanup;

/**
 * Follows a run: its phases, and each thing it deletes. Progress reporting and the deterministic
 * interleaving tests (which pause GC between phases) both hang off this.
 */
public interface GcListener {
  GcListener NONE = new GcListener() {};

  default void phase(GcPhase phase) {}

  default void manifestDeleted(GcReport.DeletedManifest manifest) {}

  default void blobDeleted(GcReport.DeletedBlob blob) {}

  default void warning(String message) {}
}
