package dev.berth.cleanup;

/** The steps of a run, in order. */
public enum GcPhase {
  MARK_MANIFESTS,
  SWEEP_MANIFESTS,
  SWEEP_BLOBS,
  SWEEP_LINKS,
  SWEEP_ORPHANS,
  PURGE_UPLOADS,
  REMOVE_EMPTY_REPOSITORIES,
  DONE
}
