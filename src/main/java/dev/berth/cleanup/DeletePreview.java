package dev.berth.cleanup;

import dev.berth.metadata.BlobRecord;
import dev.berth.metadata.CollectorStore;
import dev.berth.metadata.ManifestEdge;
import dev.berth.metadata.ManifestKey;
import dev.berth.metadata.ManifestMetadata;
import dev.berth.metadata.ManifestNode;
import dev.berth.metadata.Referrer;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Says, before anything is deleted, what deleting a manifest takes with it: every tag on it, and
 * the bytes that no other image uses, which the next GC frees. Its referrers (signatures, SBOMs, at
 * any depth) stay readable until that GC deletes them too, so their bytes count as freed. Bytes
 * other images still use stay, and are counted separately.
 */
public final class DeletePreview {
  private final ManifestMetadata metadata;
  private final CollectorStore graph;

  public DeletePreview(ManifestMetadata metadata, CollectorStore graph) {
    this.metadata = metadata;
    this.graph = graph;
  }

  /**
   * @param referrers manifests whose subject chain leads to the manifest; the registry keeps them
   *     until a GC finds their subject gone
   * @param untaggedChildren children of the index (and of the indexes among them) that no other
   *     index lists and no tag names: they stay, untagged, until a GC with delete-untagged
   * @param freedBlobs blobs only the deleted manifests use
   * @param bytesFreedWithUntagged what a GC with delete-untagged frees after the delete: the blobs
   *     only the deleted manifests, the untagged children and their referrers use
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
      long bytesFreedWithUntagged,
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
    return of(repository, List.of(digest)).map(c -> new Preview(repository, digest, c.manifests().get(0).tags(),
        c.referrers(), c.untaggedChildren(), c.freedBlobs(), c.bytesFreed(), c.bytesShared(),
        c.bytesFreedWithUntagged(), c.manifests().get(0).listedBy().stream().map(Digest::toString).toList()));
  }

  /**
   * What deleting several manifests of one repository together takes with it, counted as one
   * delete: a blob only they (and their referrers) use is freed even when several of them share it.
   *
   * @param manifests each manifest deleted, in the order given, with its tags and the indexes
   *     outside the selection that list it (the registry refuses the whole delete while there are any)
   * @param referrers referrers of the deleted manifests that are not among them: they stay until a GC
   * @param untaggedChildren children of deleted indexes that no remaining index lists and no tag
   *     names (the selection excluded)
   */
  public record Combined(RepositoryName repository, List<Item> manifests, List<Referrer> referrers,
      List<Digest> untaggedChildren, List<BlobRecord> freedBlobs, long bytesFreed, long bytesShared,
      long bytesFreedWithUntagged) {

    /** The indexes that keep some of the manifests, which makes the registry refuse the delete. */
    public List<Digest> listedByKeptIndexes() {
      return manifests.stream().flatMap(m -> m.listedBy().stream()).distinct().toList();
    }
  }

  /** One manifest of a {@link Combined} delete. */
  public record Item(Digest digest, List<Tag> tags, List<Digest> listedBy) {}

  /** Empty when one of {@code digests} is not a manifest of the repository. */
  public Optional<Combined> of(RepositoryName repository, List<Digest> digests) {
    Set<Digest> selected = new LinkedHashSet<>(digests);
    if (selected.isEmpty() || selected.stream().anyMatch(d -> metadata.findManifest(repository, d).isEmpty())) {
      return Optional.empty();
    }
    List<ManifestEdge> edges = graph.manifestEdges(repository);
    List<Item> items = selected.stream().map(d -> new Item(d, metadata.tagsOf(repository, d), edges.stream()
        .filter(e -> e.child().equals(d) && !selected.contains(e.parent())).map(ManifestEdge::parent).toList()))
        .toList();
    List<Referrer> referrers = new ArrayList<>();
    Set<Digest> going = new LinkedHashSet<>(selected);
    for (Digest digest : selected) {
      for (Referrer referrer : referrers(repository, digest)) {
        if (going.add(referrer.digest())) {
          referrers.add(referrer);
        }
      }
    }
    Freed freed = freed(repository, going);
    List<Digest> untaggedChildren = leftUntagged(repository, selected, edges);
    // A collection that deletes untagged images takes those children, then their referrers, whose
    // subject is gone by then.
    Set<Digest> withUntagged = new LinkedHashSet<>(going);
    for (Digest child : untaggedChildren) {
      withUntagged.add(child);
      referrers(repository, child).forEach(r -> withUntagged.add(r.digest()));
    }
    return Optional.of(new Combined(repository, items, referrers, untaggedChildren, freed.blobs(), freed.bytes(),
        freed.shared(), freed(repository, withUntagged).bytes()));
  }

  /** Every manifest of the repository: indexes, what they list, referrers. Deleting them all empties it. */
  public List<Digest> everyManifest(RepositoryName repository) {
    return graph.manifestNodes(repository).stream().map(ManifestNode::digest).toList();
  }

  /** The blobs only {@code manifests} use, their bytes, and the bytes of those other manifests use too. */
  private record Freed(List<BlobRecord> blobs, long bytes, long shared) {}

  private Freed freed(RepositoryName repository, Set<Digest> manifests) {
    Set<ManifestKey> keys = new HashSet<>();
    manifests.forEach(d -> keys.add(new ManifestKey(repository, d)));
    List<BlobRecord> freed = new ArrayList<>();
    long bytes = 0;
    long shared = 0;
    Set<Digest> seen = new HashSet<>();
    for (Digest manifest : manifests) {
      for (BlobRecord blob : graph.blobsOfManifest(repository, manifest)) {
        if (!seen.add(blob.digest())) {
          continue;
        }
        if (keys.containsAll(graph.manifestsUsingBlob(blob.digest()))) {
          freed.add(blob);
          bytes += blob.size();
        } else {
          shared += blob.size();
        }
      }
    }
    return new Freed(freed, bytes, shared);
  }

  /**
   * The manifests that deleting {@code deleted} leaves untagged and listed by no other index: the
   * children of the indexes among them, and theirs in turn for an index of indexes.
   */
  private List<Digest> leftUntagged(RepositoryName repository, Set<Digest> deleted, List<ManifestEdge> edges) {
    Map<Digest, List<Digest>> parents = new HashMap<>();
    edges.forEach(e -> parents.computeIfAbsent(e.child(), c -> new ArrayList<>()).add(e.parent()));
    Set<Digest> gone = new LinkedHashSet<>(deleted);
    boolean grew = true;
    while (grew) {
      grew = false;
      for (ManifestEdge edge : edges) {
        Digest child = edge.child();
        if (gone.contains(edge.parent()) && !gone.contains(child) && gone.containsAll(parents.get(child))
            && metadata.tagsOf(repository, child).isEmpty()) {
          gone.add(child);
          grew = true;
        }
      }
    }
    gone.removeAll(deleted);
    return List.copyOf(gone);
  }
}
