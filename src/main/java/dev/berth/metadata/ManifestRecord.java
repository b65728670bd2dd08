package dev.berth.metadata;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaType;
import dev.berth.oci.RepositoryName;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A manifest as stored: the exact bytes pushed, plus what it references, extracted once at push
 * time so that validation, referrers and GC never parse JSON again.
 *
 * @param blobs config and layer digests whose bytes must be linked into the repository
 * @param children manifests an index lists, which must exist in the repository
 * @param artifactType the type shown in referrers listings (artifactType, else config media type)
 */
public record ManifestRecord(
    RepositoryName repository,
    Digest digest,
    MediaType mediaType,
    byte[] payload,
    List<Digest> blobs,
    List<Digest> children,
    Optional<Digest> subject,
    Optional<String> artifactType,
    Map<String, String> annotations) {

  public ManifestRecord {
    blobs = List.copyOf(blobs);
    children = List.copyOf(children);
    annotations = Map.copyOf(annotations);
  }

  public long size() {
    return payload.length;
  }
}
