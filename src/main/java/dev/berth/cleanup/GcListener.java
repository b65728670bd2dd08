package dev.berth.cleanup;

/**
 * Follows a run: its phases, and each thing it deletes. Progress reporting and the deterministic
 * interleaving tests (which pause GC between phases) both hang off this.
 */
public interface GcListener {
  GcListener NONE = new GcListener() {};

  default void phase(GcPhase phase) {}

  default void manifestDeleted(GcReport.DeletedManifest manifest) {}

  /** A blob was marked {@code deleting}; its bytes go next. Called with the digest's lock held. */
  default void blobMarkedDeleting(dev.berth.oci.Digest digest) {}

  default void blobDeleted(GcReport.DeletedBlob blob) {}

  default void warning(String message) {}
}
