package dev.berth.policy;

import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Decides, for a namespace's images, what its policy's retention rules keep and delete (the
 * semantics are in docs/retention.md). Pure: the images and the clock are handed in, nothing is
 * read or changed.
 */
public final class RetentionEvaluator {
  private static final Comparator<Image> MOST_RECENTLY_PUSHED =
      Comparator.comparing(Image::pushedAt).reversed().thenComparing(Image::digest);
  /** Never pulled sorts last; ties go to the more recently pushed, so the order never depends on the input's. */
  private static final Comparator<Image> MOST_RECENTLY_PULLED =
      Comparator.comparing((Image i) -> i.lastPulledAt().orElse(Instant.MIN)).reversed()
          .thenComparing(MOST_RECENTLY_PUSHED);

  private final NamespacePolicy policy;
  private final Clock clock;

  public RetentionEvaluator(NamespacePolicy policy, Clock clock) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * One decision per image, in the order given. The images are those of one namespace, each
   * (repository, digest) once; a referrer's subject and an index's children are among them when
   * they exist.
   */
  public List<Decision> evaluate(Collection<Image> images) {
    Instant now = clock.instant();
    Map<RepositoryName, List<Image>> byRepository = new LinkedHashMap<>();
    Set<String> namespaces = new HashSet<>();
    for (Image image : images) {
      namespaces.add(image.repository().namespace());
      byRepository.computeIfAbsent(image.repository(), r -> new ArrayList<>()).add(image);
    }
    if (namespaces.size() > 1) {
      throw new IllegalArgumentException("images of several namespaces: " + namespaces);
    }
    Map<Image, Decision> decisions = new IdentityHashMap<>();
    for (List<Image> repository : byRepository.values()) {
      new RepositoryEvaluation(repository, now).decide(decisions);
    }
    return images.stream().map(decisions::get).toList();
  }

  /**
   * Images are held in collections by identity: each image of a run is one object, and an image's
   * own hash walks its every tag and time, again on every lookup.
   */
  private static Set<Image> identitySet(Collection<Image> images) {
    Set<Image> set = Collections.newSetFromMap(new IdentityHashMap<>());
    set.addAll(images);
    return set;
  }

  /** The rules applied to one repository, where counts and windows are taken. */
  private final class RepositoryEvaluation {
    private final List<Image> images;
    private final Instant now;
    private final Map<Digest, Image> byDigest = new HashMap<>();
    private final Map<Digest, List<Image>> referrers = new HashMap<>();

    RepositoryEvaluation(List<Image> images, Instant now) {
      this.images = images;
      this.now = now;
      for (Image image : images) {
        if (byDigest.put(image.digest(), image) != null) {
          throw new IllegalArgumentException("image given twice: " + image.repository() + "@" + image.digest());
        }
        image.subject().ifPresent(s -> referrers.computeIfAbsent(s, d -> new ArrayList<>()).add(image));
      }
    }

    void decide(Map<Image, Decision> decisions) {
      List<Image> candidates = images.stream()
          .filter(i -> !i.listedByIndex() && i.subject().isEmpty())
          .toList();
      Map<Image, Decision> kept = new IdentityHashMap<>();
      Map<Image, Decision> deleted = new IdentityHashMap<>();
      List<RetentionRule> rules = policy.retention().rules();
      for (int r = 0; r < rules.size(); r++) {
        RetentionRule rule = rules.get(r);
        // The images of one repository share its path: matched once per rule, not once per image.
        List<Image> covered = candidates.isEmpty() || !rule.repositories().matches(candidates.getFirst().path())
            ? List.of() : candidates.stream().filter(i -> rule.coversTags(i.tags())).toList();
        Set<Image> keeps = keeps(rule.keep(), covered);
        String path = "retention.rules[" + r + "]";
        for (Image image : covered) {
          if (keeps.contains(image)) {
            kept.putIfAbsent(image, new Decision(image, Decision.Outcome.KEPT, Optional.of(path),
                keptBecause(rule.keep(), image)));
          } else {
            deleted.putIfAbsent(image, new Decision(image, Decision.Outcome.DELETED, Optional.of(path),
                deletedBecause(rule.keep(), image)));
          }
        }
      }
      for (Image candidate : candidates) {
        Decision decision = kept.get(candidate);
        if (decision == null && deleted.containsKey(candidate)) {
          decision = immutable(candidate, deleted.get(candidate)).orElse(deleted.get(candidate));
        }
        if (decision == null) {
          decision = new Decision(candidate, Decision.Outcome.NOT_COVERED, Optional.empty(), "no rule covers it");
        }
        decisions.put(candidate, decision);
      }
      for (Image image : images) {
        if (image.listedByIndex()) {
          decisions.put(image, new Decision(image, Decision.Outcome.NOT_COVERED, Optional.empty(),
              "listed by an index: goes with its index"));
        }
      }
      for (Image image : images) {
        if (!image.listedByIndex() && image.subject().isPresent()) {
          decisions.put(image, withSubject(image, decisions));
        }
      }
    }

    /** A referrer goes with the image at the root of its chain of subjects. */
    private Decision withSubject(Image referrer, Map<Image, Decision> decisions) {
      Image root = referrer;
      Set<Digest> seen = new HashSet<>();
      while (root.subject().isPresent() && !root.listedByIndex()) {
        Digest subject = root.subject().get();
        root = byDigest.get(subject);
        if (root == null || !seen.add(subject)) {
          return new Decision(referrer, Decision.Outcome.NOT_COVERED, Optional.empty(),
              "referrer of " + subject + ", which is not in the repository");
        }
      }
      Decision subject = decisions.get(root);
      return new Decision(referrer, subject.outcome(), subject.rule(),
          "referrer of " + root.digest() + ", goes with it: " + subject.reason());
    }

    /** An image a rule would delete stays when it, or a referrer that would go with it, carries an immutable tag. */
    private Optional<Decision> immutable(Image candidate, Decision wouldDelete) {
      Deque<Image> pending = new ArrayDeque<>(List.of(candidate));
      Set<Image> seen = identitySet(List.of());
      while (!pending.isEmpty()) {
        Image image = pending.pop();
        if (!seen.add(image)) {
          continue;
        }
        for (Tag tag : image.tags()) {
          Optional<Integer> rule = policy.immutableRule(image.path(), tag);
          if (rule.isPresent()) {
            String carrier = image == candidate ? "carries" : "its referrer " + image.digest() + " carries";
            return Optional.of(new Decision(candidate, Decision.Outcome.KEPT, Optional.of("immutable[" + rule.get() + "]"),
                carrier + " the immutable tag " + tag + " (" + wouldDelete.rule().orElseThrow() + " would delete it: "
                    + wouldDelete.reason() + ")"));
          }
        }
        pending.addAll(referrers.getOrDefault(image.digest(), List.of()));
      }
      return Optional.empty();
    }

    private Set<Image> keeps(Keep keep, List<Image> covered) {
      return switch (keep) {
        case Keep.MostRecentlyPushed k -> mostRecent(covered, MOST_RECENTLY_PUSHED, k.count());
        case Keep.MostRecentlyPulled k -> mostRecent(covered, MOST_RECENTLY_PULLED, k.count());
        case Keep.PushedWithinDays k -> within(covered, k.days(), i -> Optional.of(i.pushedAt()));
        case Keep.PulledWithinDays k -> within(covered, k.days(), Image::lastPulledAt);
        case Keep.Always k -> identitySet(covered);
      };
    }

    private static Set<Image> mostRecent(List<Image> covered, Comparator<Image> order, int count) {
      return identitySet(covered.stream().sorted(order).limit(count).toList());
    }

    private Set<Image> within(List<Image> covered, int days, Function<Image, Optional<Instant>> time) {
      Instant since = since(days);
      Set<Image> kept = identitySet(List.of());
      for (Image image : covered) {
        if (time.apply(image).filter(t -> !t.isBefore(since)).isPresent()) {
          kept.add(image);
        }
      }
      return kept;
    }

    private Instant since(int days) {
      return now.minus(Duration.ofDays(days));
    }

    private String keptBecause(Keep keep, Image image) {
      return switch (keep) {
        case Keep.MostRecentlyPushed k -> "among the " + k.count() + " most recently pushed images it covers in "
            + image.repository();
        case Keep.MostRecentlyPulled k -> "among the " + k.count() + " most recently pulled images it covers in "
            + image.repository();
        case Keep.PushedWithinDays k -> "pushed " + image.pushedAt() + ", within " + k.days() + " days";
        case Keep.PulledWithinDays k -> "pulled " + image.lastPulledAt().orElseThrow() + ", within " + k.days() + " days";
        case Keep.Always k -> "kept always";
      };
    }

    private String deletedBecause(Keep keep, Image image) {
      return switch (keep) {
        case Keep.MostRecentlyPushed k -> "not among the " + k.count() + " most recently pushed images it covers in "
            + image.repository();
        case Keep.MostRecentlyPulled k -> "not among the " + k.count() + " most recently pulled images it covers in "
            + image.repository() + image.lastPulledAt().map(t -> " (last pulled " + t + ")").orElse(" (never pulled)");
        case Keep.PushedWithinDays k -> "pushed " + image.pushedAt() + ", before the last " + k.days() + " days";
        case Keep.PulledWithinDays k -> image.lastPulledAt()
            .map(t -> "last pulled " + t + ", before the last " + k.days() + " days")
            .orElse("never pulled, so not within the last " + k.days() + " days");
        case Keep.Always k -> throw new IllegalStateException("always keeps every image it covers");
      };
    }
  }
}
