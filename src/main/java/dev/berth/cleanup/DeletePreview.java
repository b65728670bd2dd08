package dev.berth.cleanup;

import dev.berth.metadata.BlobRecord;
import dev.berth.metadata.CollectorStore;
import dev.berth.metadata.ManifestEdge;
import dev.berth.metadata.ManifestKey;
import dev.berth.metadata.MetadataStore;
import dev.berth.metadata.Referrer;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Says, before anything is deleted, what deleting a manifest takes with it: every tag on it, and
 * the bytes that no other image uses, which the next GC frees. Its referrers (signatures, SBOMs, at
 * any depth) stay readable until that GC deletes them too, so their bytes count as freed. Bytes
 * other images still use stay, and are counted separately.
 */
public final class DeletePreview {
  private final MetadataStore metadata;
  private final CollectorStore graph;

  public DeletePreview(MetadataStore metadata, CollectorStore graph) {
    this.metadata = metadata;
    this.graph = graph;
  }

  /**
   * @param referrers manifests whose subject chain leads to the manifest; the registry keeps them
   *     until a GC finds their subject gone
   * @param untaggedChildren children of the index that no other index lists and no tag names:
   *     they stay, untagged, until a GC with delete-untagged
   * @param freedBlobs blobs only the deleted manifests use
   */
  public record Preview(
      RepositoryName repository,
      Digest digest,
      List<Tag> tags,
      List<Referrer> referrers,
      List<Digest> untaggedChildren,
      List<BlobRecord> freedBlobs,
      long bytesFreed,
      long bytesShared,
      List<String> indexesListingIt) {}

  public Optional<Digest> resolve(RepositoryName repository, Tag tag) {
    return metadata.resolveTag(repository, tag);
  }

  /** The manifests whose subject chain leads to {@code digest}, at any depth. */
  public List<Referrer> referrers(RepositoryName repository, Digest digest) {
    List<Referrer> referrers = new ArrayList<>();
    Set<Digest> seen = new HashSet<>(List.of(digest));
    ArrayDeque<Digest> queue = new ArrayDeque<>(List.of(digest));
    while (!queue.isEmpty()) {
      for (Referrer referrer : metadata.listReferrers(repository, queue.poll(), Optional.empty())) {
        if (seen.add(referrer.digest())) {
          referrers.add(referrer);
          queue.add(referrer.digest());
        }
      }
    }
    return referrers;
  }

  public Optional<Preview> of(RepositoryName repository, Digest digest) {
    if (metadata.findManifest(repository, digest).isEmpty()) {
      return Optional.empty();
    }
    List<Referrer> referrers = referrers(repository, digest);
    Set<Digest> going = new LinkedHashSet<>(List.of(digest));
    referrers.forEach(r -> going.add(r.digest()));
    Set<ManifestKey> goingKeys = new HashSet<>();
    going.forEach(d -> goingKeys.add(new ManifestKey(repository, d)));

    List<BlobRecord> freed = new ArrayList<>();
    long bytesFreed = 0;
    long bytesShared = 0;
    Set<Digest> seen = new HashSet<>();
    for (Digest manifest : going) {
      for (BlobRecord blob : graph.blobsOfManifest(repository, manifest)) {
        if (!seen.add(blob.digest())) {
          continue;
        }
        if (goingKeys.containsAll(graph.manifestsUsingBlob(blob.digest()))) {
          freed.add(blob);
          bytesFreed += blob.size();
        } else {
          bytesShared += blob.size();
        }
      }
    }
    List<ManifestEdge> edges = graph.manifestEdges(repository);
    List<Digest> untaggedChildren = new ArrayList<>();
    List<String> parents = new ArrayList<>();
    for (ManifestEdge edge : edges) {
      if (edge.child().equals(digest)) {
        parents.add(edge.parent().toString());
      }
      if (edge.parent().equals(digest) && metadata.tagsOf(repository, edge.child()).isEmpty()
          && edges.stream().noneMatch(e -> e.child().equals(edge.child()) && !e.parent().equals(digest))) {
        untaggedChildren.add(edge.child());
      }
    }
    return Optional.of(new Preview(repository, digest, metadata.tagsOf(repository, digest), referrers,
        untaggedChildren, freed, bytesFreed, bytesShared, parents));
  }
}
