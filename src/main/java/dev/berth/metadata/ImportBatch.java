package dev.berth.metadata;

import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Part of one repository as an import found it, for {@link ManifestMetadata#importBatches}: blobs to
 * record and link, manifests (an index after its children), and tags on those manifests.
 */
public record ImportBatch(RepositoryName repository, List<Blob> blobs, List<ManifestRecord> manifests,
    List<TagLink> tags) {

  /** A blob whose bytes are in the blob store, to be linked into the repository. */
  public record Blob(Digest digest, long size) {}

  public record TagLink(Tag tag, Digest manifest) {}

  /** A manifest not stored, with what it named that the repository does not hold; its tags were not written. */
  public record Refusal(RepositoryName repository, Digest manifest, MissingReferencesException missing) {}

  public ImportBatch {
    blobs = List.copyOf(blobs);
    manifests = List.copyOf(manifests);
    tags = List.copyOf(tags);
    Set<Digest> batched = new HashSet<>();
    for (ManifestRecord manifest : manifests) {
      if (!manifest.repository().equals(repository)) {
        throw new IllegalArgumentException(manifest.digest() + " is a manifest of " + manifest.repository()
            + ", not of " + repository);
      }
      batched.add(manifest.digest());
    }
    for (TagLink tag : tags) {
      if (!batched.contains(tag.manifest())) {
        throw new IllegalArgumentException("tag " + tag.tag() + " names " + tag.manifest()
            + ", which is not a manifest of the batch");
      }
    }
  }

  public int size() {
    return blobs.size() + manifests.size() + tags.size();
  }
}
