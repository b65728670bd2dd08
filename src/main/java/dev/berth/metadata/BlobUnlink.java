package dev.berth.metadata;

/** Outcome of removing a repository's link to a blob. */
public enum BlobUnlink {
  UNLINKED,
  /** The repository had no link to the blob. */
  NOT_LINKED,
  /** Refused: a manifest in the repository references the blob, and unlinking would break it. */
  IN_USE
}
