package dev.berth.oci;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed image manifest or index: exactly what the registry must know to validate it, link it
 * and collect garbage around it. The bytes as pushed are kept elsewhere; this is never re-serialised.
 */
public record Manifest(
    MediaType mediaType,
    Optional<Descriptor> config,
    List<Descriptor> layers,
    List<Descriptor> manifests,
    Optional<Descriptor> subject,
    Optional<String> artifactType,
    Map<String, String> annotations) {

  public Manifest {
    layers = List.copyOf(layers);
    manifests = List.copyOf(manifests);
    annotations = Map.copyOf(annotations);
  }

  public boolean isIndex() {
    return mediaType.isIndex();
  }

  /** Config and layers whose bytes the registry must hold for this manifest to be complete. */
  public List<Descriptor> referencedBlobs() {
    List<Descriptor> blobs = new ArrayList<>(layers.size() + 1);
    config.ifPresent(blobs::add);
    for (Descriptor layer : layers) {
      if (!layer.isForeign()) {
        blobs.add(layer);
      }
    }
    return blobs;
  }

  /**
   * The artifact type shown in a referrers listing: {@code artifactType} when set, else the config's
   * media type for an image manifest (OCI image spec, "Guidelines for Artifact Usage").
   */
  public Optional<String> effectiveArtifactType() {
    if (artifactType.isPresent()) {
      return artifactType;
    }
    return config.map(c -> c.mediaType().value());
  }
}
