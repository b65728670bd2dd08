package dev.berth.metadata;

import dev.berth.oci.Digest;
import java.util.List;

/**
 * A manifest named blobs or child manifests that the repository does not hold (or that GC is
 * removing), so it was not stored.
 */
public final class MissingReferencesException extends Exception {
  private final List<Digest> blobs;
  private final List<Digest> manifests;

  public MissingReferencesException(List<Digest> blobs, List<Digest> manifests) {
    super("manifest references unknown content: blobs " + blobs + ", manifests " + manifests);
    this.blobs = List.copyOf(blobs);
    this.manifests = List.copyOf(manifests);
  }

  public List<Digest> blobs() {
    return blobs;
  }

  public List<Digest> manifests() {
    return manifests;
  }
}
