package dev.berth.cleanup;

import dev.berth.metadata.AuditEntry;
import dev.berth.metadata.ManifestDeletion;
import dev.berth.metadata.MetadataStore;
import dev.berth.metadata.RetentionStore.BlobUse;
import dev.berth.metadata.RetentionStore.NamespaceContent;
import dev.berth.metadata.RetentionStore.NamespaceImage;
import dev.berth.metadata.RetentionStore.Outcome;
import dev.berth.metadata.RetentionStore.RunItem;
import dev.berth.metadata.RetentionStore.Totals;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import dev.berth.policy.Decision;
import dev.berth.policy.Image;
import dev.berth.policy.NamespacePolicy;
import dev.berth.policy.RetentionEvaluator;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * One namespace's retention, applied: its images read in one snapshot, decided by its policy, and,
 * unless dry, each image the policy deletes deleted by digest, audited as made by the namespace's
 * policy. An image that changed after the decision (a tag pushed onto it, an index now listing it,
 * already gone) is skipped rather than deleted on a stale decision; the next run decides again.
 */
final class RetentionRun {
  private final MetadataStore metadata;
  private final Clock clock;

  RetentionRun(MetadataStore metadata, Clock clock) {
    this.metadata = metadata;
    this.clock = clock;
  }

  /** Who the audit log names for a policy's deletions. */
  static String actor(String namespace) {
    return "policy:" + namespace;
  }

  /**
   * Decides (and, unless {@code dryRun}, applies) the namespace's retention, handing each kept,
   * deleted or skipped image to {@code items} in the namespace's order (repository, digest).
   *
   * @param seq the sequence number of the run's previous item; items continue from it
   */
  Totals apply(String namespace, NamespacePolicy policy, boolean dryRun, String runId, long seq,
      Consumer<RunItem> items) {
    NamespaceContent content = metadata.retention().contentOf(namespace);
    List<Image> images = content.images().stream().map(RetentionRun::image).toList();
    List<Decision> decisions = new RetentionEvaluator(policy, clock).evaluate(images);
    Map<ImageKey, Long> freed = bytesFreed(content, decisions);
    long kept = 0;
    long deleted = 0;
    long skipped = 0;
    long bytes = 0;
    // Referrers after their subjects, so that one whose subject stays is never deleted on its own.
    Set<ImageKey> gone = new HashSet<>();
    for (Decision decision : inSubjectOrder(decisions)) {
      Image image = decision.image();
      ImageKey key = ImageKey.of(image);
      List<Tag> tags = List.copyOf(image.tags());
      switch (decision.outcome()) {
        case NOT_COVERED -> { }
        case KEPT -> {
          kept++;
          items.accept(new RunItem(++seq, image.repository(), image.digest(), tags, Outcome.KEPT,
              decision.rule(), decision.reason(), 0));
        }
        case DELETED -> {
          Optional<String> refused = dryRun ? Optional.empty()
              : image.subject().filter(s -> !gone.contains(new ImageKey(image.repository(), s)))
                  .map(s -> "not deleted: its subject " + s + " was not deleted")
                  .or(() -> delete(namespace, decision, runId));
          if (refused.isPresent()) {
            skipped++;
            items.accept(new RunItem(++seq, image.repository(), image.digest(), tags, Outcome.SKIPPED,
                decision.rule(), refused.get(), 0));
          } else {
            gone.add(key);
            long imageBytes = freed.getOrDefault(key, 0L);
            deleted++;
            bytes += imageBytes;
            items.accept(new RunItem(++seq, image.repository(), image.digest(), tags, Outcome.DELETED,
                decision.rule(), decision.reason(), imageBytes));
          }
        }
      }
    }
    return new Totals(images.size(), kept, deleted, skipped, bytes);
  }

  private static Image image(NamespaceImage image) {
    return new Image(image.repository(), image.digest(), new java.util.TreeSet<>(image.tags()), image.pushedAt(),
        image.lastPulledAt(), image.listedByIndex(), image.subject());
  }

  private record ImageKey(RepositoryName repository, Digest digest) {
    static ImageKey of(Image image) {
      return new ImageKey(image.repository(), image.digest());
    }
  }

  /** The decisions ordered by how deep each image sits in a chain of referrers (subjects first), stably. */
  private static List<Decision> inSubjectOrder(List<Decision> decisions) {
    Map<ImageKey, Image> images = new HashMap<>();
    decisions.forEach(d -> images.put(ImageKey.of(d.image()), d.image()));
    Map<ImageKey, Integer> depths = new HashMap<>();
    for (ImageKey key : images.keySet()) {
      int depth = 0;
      Set<ImageKey> seen = new HashSet<>();
      for (Image at = images.get(key); at != null && at.subject().isPresent() && seen.add(ImageKey.of(at)); depth++) {
        at = images.get(new ImageKey(at.repository(), at.subject().get()));
      }
      depths.put(key, depth);
    }
    List<Decision> ordered = new ArrayList<>(decisions);
    ordered.sort(java.util.Comparator.comparingInt(d -> depths.get(ImageKey.of(d.image()))));
    return ordered;
  }

  /**
   * The bytes the next collection frees once the deleted images are gone, by image: a blob is freed
   * when every manifest using it goes (none outside the namespace, none kept in it), and counts for
   * the first deleted image, in the run's order, that uses it.
   */
  private static Map<ImageKey, Long> bytesFreed(NamespaceContent content, List<Decision> decisions) {
    Set<ImageKey> going = new HashSet<>();
    for (Decision decision : decisions) {
      if (decision.outcome() == Decision.Outcome.DELETED) {
        going.add(ImageKey.of(decision.image()));
      }
    }
    Set<Digest> stays = new HashSet<>(content.usedOutside());
    Map<ImageKey, List<BlobUse>> blobsOf = new HashMap<>();
    for (BlobUse use : content.blobUses()) {
      ImageKey user = new ImageKey(use.repository(), use.manifest());
      if (!going.contains(user)) {
        stays.add(use.blob());
      }
      blobsOf.computeIfAbsent(user, k -> new ArrayList<>()).add(use);
    }
    Map<ImageKey, Long> freed = new HashMap<>();
    Set<Digest> counted = new HashSet<>();
    for (Decision decision : decisions) {
      ImageKey key = ImageKey.of(decision.image());
      if (going.contains(key)) {
        for (BlobUse use : blobsOf.getOrDefault(key, List.of())) {
          if (!stays.contains(use.blob()) && counted.add(use.blob())) {
            freed.merge(key, use.size(), Long::sum);
          }
        }
      }
    }
    return freed;
  }

  /** Deletes the image by digest unless it changed after the decision; the refusal's reason otherwise. */
  private Optional<String> delete(String namespace, Decision decision, String runId) {
    Image image = decision.image();
    try {
      metadata.atomically(tx -> {
        switch (tx.manifests().deleteManifest(image.repository(), image.digest())) {
          case ManifestDeletion.NotFound n -> throw new Changed("already deleted");
          case ManifestDeletion.StillReferenced r -> throw new Changed("an index now lists it: " + r.parents());
          case ManifestDeletion.Deleted d -> {
            for (Tag tag : d.removedTags()) {
              // An immutable tag among them would have kept the image; only a tag that came later can
              // be one, and any tag that came later voids the decision.
              if (!image.tags().contains(tag)) {
                throw new Changed("tag " + tag + " was put on it after the decision");
              }
            }
            tx.history().audit(new AuditEntry(UUID.randomUUID().toString(), clock.instant(), actor(namespace),
                "manifest.delete", image.repository() + "@" + image.digest(),
                "retention run " + runId + ", " + decision.rule().orElseThrow() + ": " + decision.reason()
                    + "; tags removed: " + d.removedTags()));
          }
        }
        return null;
      });
      return Optional.empty();
    } catch (Changed e) {
      return Optional.of("not deleted: " + e.getMessage());
    }
  }

  /** Abandons a deletion's transaction: the image is no longer what the policy decided on. */
  private static final class Changed extends RuntimeException {
    Changed(String message) {
      super(message, null, false, false);
    }
  }
}
