package dev.berth.policy;

import java.util.Objects;
import java.util.Optional;

/**
 * Retention's answer for one image: kept or deleted, with the rule that decided (its path in the
 * document, {@code retention.rules[1]} or {@code immutable[0]}) and why, or not covered by any rule.
 */
public record Decision(Image image, Outcome outcome, Optional<String> rule, String reason) {

  public enum Outcome {
    KEPT,
    /** Deleted whole: every tag on it, as a delete by digest, with its referrers. */
    DELETED,
    /** Left alone: no rule covers it, or it is not a candidate at all (an index lists it). */
    NOT_COVERED
  }

  public Decision {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(reason, "reason");
    if (rule.isEmpty() != (outcome == Outcome.NOT_COVERED)) {
      throw new IllegalArgumentException("a kept or deleted image names its rule, and only those do");
    }
  }
}
