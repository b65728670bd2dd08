package dev.berth.metadata;

import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import java.util.List;
import java.util.Optional;

/**
 * One thing a collection run removed (or, dry, would remove), kept in history in the order the run
 * removed them. Runs record them as they go, so a run's memory does not grow with what it deletes,
 * and readers page through them by {@code seq}.
 *
 * @param seq 1 for the run's first item, then one more for each
 * @param repositories the manifest's, link's or removed repository's own; for a blob, those it was
 *     linked into; none for an orphan
 * @param digest empty for a removed repository
 */
public record GcRunItem(long seq, Kind kind, List<RepositoryName> repositories, Optional<Digest> digest, long size) {

  public enum Kind {
    MANIFEST,
    LINK,
    BLOB,
    /** Bytes in the blob store that no row described. */
    ORPHAN,
    /** An empty repository's row. */
    REPOSITORY
  }

  public GcRunItem {
    if (seq < 1) {
      throw new IllegalArgumentException("seq starts at 1: " + seq);
    }
    repositories = List.copyOf(repositories);
  }
}
