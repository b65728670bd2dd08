package dev.berth.cleanup;

import dev.berth.metadata.AuditEntry;
import dev.berth.metadata.ManifestDeletion;
import dev.berth.metadata.MetadataStore;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * One namespace's retention, applied a repository at a time (counts and windows are per
 * repository, so no more than a few repositories' images are held: the one being decided and
 * those read ahead of it): each repository read in one snapshot, decided by the namespace's
 * policy, and, unless dry, each image the policy deletes deleted by digest, audited as made by
 * the namespace's policy. An image that changed after the decision (a tag pushed onto it, an index
 * now listing it, already gone) is skipped rather than deleted on a stale decision; the next run
 * decides again.
 */
final class RetentionRun {
  private static final int OUTSIDE_BATCH = 10_000;
  /** Repositories read ahead of the one being decided; each is held in memory until decided. */
  private static final int READ_AHEAD = 2;

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
   * Decides (and, unless {@code dryRun}, applies) the namespace's retention, handing each kept or
   * skipped image to {@code items} as its repository is done, and the deleted ones at the end, once
   * the bytes each frees are known.
   *
   * @param seq the sequence number of the run's previous item; items continue from it
   */
  Totals apply(String namespace, NamespacePolicy policy, boolean dryRun, String runId, long seq,
      Consumer<RunItem> items) {
    Pass pass = new Pass(namespace, new RetentionEvaluator(policy, clock), dryRun, runId, seq, items);
    List<RepositoryName> repositories = metadata.retention().repositoriesOf(namespace);
    try (ReadAhead<RepositoryName, List<NamespaceImage>> contents = new ReadAhead<>(repositories,
        metadata.retention()::imagesOf, READ_AHEAD, "berth-retention-read")) {
      for (RepositoryName repository : repositories) {
        pass.decide(repository, contents.next());
      }
    }
    return pass.finish();
  }

  /**
   * One namespace's run, a repository at a time. Each step is a method of its own rather than one
   * loop's body: the JIT compiled a single method holding the whole run, and compiled it again
   * whenever a case it had not seen came up, for 2.9 s of a first 100,000-image run's CPU.
   */
  private final class Pass {
    private final String namespace;
    private final RetentionEvaluator evaluator;
    private final boolean dryRun;
    private final String runId;
    private final Consumer<RunItem> items;
    private final Map<Digest, BlobTally> blobs = new HashMap<>();
    private final List<Gone> gone = new ArrayList<>();
    private long seq;
    private long images;
    private long kept;
    private long skipped;

    Pass(String namespace, RetentionEvaluator evaluator, boolean dryRun, String runId, long seq,
        Consumer<RunItem> items) {
      this.namespace = namespace;
      this.evaluator = evaluator;
      this.dryRun = dryRun;
      this.runId = runId;
      this.seq = seq;
      this.items = items;
    }

    void decide(RepositoryName repository, List<NamespaceImage> content) {
      images += content.size();
      Map<Digest, List<Digest>> blobsOf = new HashMap<>();
      for (NamespaceImage image : content) {
        blobsOf.put(image.digest(), image.blobs());
        for (Digest blob : image.blobs()) {
          blobs.computeIfAbsent(blob, b -> new BlobTally()).users++;
        }
      }
      List<Decision> decisions = evaluator.evaluate(content.stream().map(RetentionRun::image).toList());
      // Referrers after their subjects, so that one whose subject stays is never deleted on its own.
      Set<Digest> deletedHere = new HashSet<>();
      for (Decision decision : inSubjectOrder(decisions)) {
        switch (decision.outcome()) {
          case NOT_COVERED -> { }
          case KEPT -> {
            kept++;
            emit(repository, decision, Outcome.KEPT, decision.reason(), 0);
          }
          case DELETED -> deleted(repository, decision, deletedHere, blobsOf.get(decision.image().digest()));
        }
      }
    }

    private void deleted(RepositoryName repository, Decision decision, Set<Digest> deletedHere, List<Digest> itsBlobs) {
      Image image = decision.image();
      Optional<String> refused = dryRun ? Optional.empty()
          : image.subject().filter(s -> !deletedHere.contains(s))
              .map(s -> "not deleted: its subject " + s + " was not deleted")
              .or(() -> delete(namespace, decision, runId));
      if (refused.isPresent()) {
        skipped++;
        emit(repository, decision, Outcome.SKIPPED, refused.get(), 0);
        return;
      }
      deletedHere.add(image.digest());
      for (Digest blob : itsBlobs) {
        blobs.get(blob).going++;
      }
      gone.add(new Gone(repository, image.digest(), List.copyOf(image.tags()), decision.rule(), decision.reason(),
          itsBlobs));
    }

    private void emit(RepositoryName repository, Decision decision, Outcome outcome, String reason, long bytes) {
      Image image = decision.image();
      items.accept(new RunItem(++seq, repository, image.digest(), List.copyOf(image.tags()), outcome, decision.rule(),
          reason, bytes));
    }

    /**
     * The deleted images' items, each with the bytes it frees: a blob is freed when every manifest
     * using it goes (none kept in the namespace, none outside it); it counts once, for the first
     * deleted image using it.
     */
    Totals finish() {
      Map<Digest, Long> freeable = sizesUnusedOutside(namespace, blobs);
      long bytes = 0;
      Set<Digest> counted = new HashSet<>();
      for (Gone image : gone) {
        long freed = 0;
        for (Digest blob : image.blobs()) {
          BlobTally tally = blobs.get(blob);
          Long size = freeable.get(blob);
          if (size != null && tally.going == tally.users && counted.add(blob)) {
            freed += size;
          }
        }
        bytes += freed;
        items.accept(new RunItem(++seq, image.repository(), image.digest(), image.tags(), Outcome.DELETED,
            image.rule(), image.reason(), freed));
      }
      return new Totals(images, kept, gone.size(), skipped, bytes);
    }
  }

  /**
   * Of the blobs every user of which in the namespace goes, those no manifest elsewhere uses, with
   * their sizes.
   */
  private Map<Digest, Long> sizesUnusedOutside(String namespace, Map<Digest, BlobTally> blobs) {
    List<Digest> candidates = blobs.entrySet().stream().filter(e -> e.getValue().going == e.getValue().users)
        .map(Map.Entry::getKey).toList();
    Map<Digest, Long> sizes = new HashMap<>();
    for (int from = 0; from < candidates.size(); from += OUTSIDE_BATCH) {
      sizes.putAll(metadata.retention().sizesUnusedOutside(namespace,
          candidates.subList(from, Math.min(candidates.size(), from + OUTSIDE_BATCH))));
    }
    return sizes;
  }

  /** How many manifests of the namespace use a blob, and how many of them this run deletes. */
  private static final class BlobTally {
    int users;
    int going;
  }

  /** A deleted (dry: to be deleted) image, until the bytes it frees are known. */
  private record Gone(RepositoryName repository, Digest digest, List<Tag> tags, Optional<String> rule, String reason,
      List<Digest> blobs) {}

  private static Image image(NamespaceImage image) {
    return new Image(image.repository(), image.digest(), new TreeSet<>(image.tags()), image.pushedAt(),
        image.lastPulledAt(), image.listedByIndex(), image.subject());
  }

  /** The decisions ordered by how deep each image sits in a chain of referrers (subjects first), stably. */
  private static List<Decision> inSubjectOrder(List<Decision> decisions) {
    Map<Digest, Image> images = new HashMap<>();
    decisions.forEach(d -> images.put(d.image().digest(), d.image()));
    Map<Digest, Integer> depths = new HashMap<>();
    for (Image image : images.values()) {
      int depth = 0;
      Set<Digest> seen = new HashSet<>();
      for (Image at = image; at != null && at.subject().isPresent() && seen.add(at.digest()); depth++) {
        at = images.get(at.subject().get());
      }
      depths.put(image.digest(), depth);
    }
    List<Decision> ordered = new ArrayList<>(decisions);
    ordered.sort(Comparator.comparingInt(d -> depths.get(d.image().digest())));
    return ordered;
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
