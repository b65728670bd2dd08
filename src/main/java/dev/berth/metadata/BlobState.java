package dev.berth.metadata;

/** Lifecycle of a blob row; a row in {@code DELETING} must not gain new references. */
public enum BlobState {
  LIVE,
  DELETING
}
