package dev.berth.oci;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A content descriptor: what a manifest says about one blob or child manifest. */
public record Descriptor(
    MediaType mediaType,
    Digest digest,
    long size,
    Optional<String> artifactType,
    Map<String, String> annotations,
    List<String> urls) {

  public Descriptor {
    if (size < 0) {
      throw new InvalidManifestException("descriptor size is negative: " + digest);
    }
    annotations = Map.copyOf(annotations);
    urls = List.copyOf(urls);
  }

  public Descriptor(MediaType mediaType, Digest digest, long size) {
    this(mediaType, digest, size, Optional.empty(), Map.of(), List.of());
  }

  /**
   * Foreign layers (Windows base layers and other non-distributable content) live at their URLs,
   * not in the registry, so a manifest may name them without the registry holding their bytes.
   */
  public boolean isForeign() {
    return !urls.isEmpty()
        && (mediaType.value().contains("foreign") || mediaType.value().contains("nondistributable"));
  }
}
