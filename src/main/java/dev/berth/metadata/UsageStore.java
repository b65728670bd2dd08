package dev.berth.metadata;

/**
 * How much storage namespaces use: the total size of the distinct blobs and manifests their
 * repositories' manifests hold (a namespace {@code team} has the repositories {@code team} and
 * {@code team/...}). A blob uploaded but referenced by no manifest counts nowhere: it is garbage
 * for GC unless a manifest claims it.
 */
public interface UsageStore {

  /** The namespace's usage now, in bytes, counted from its manifests. */
  long usage(String namespace);
}
