package dev.berth.policy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A namespace's retention: its rules and, when it runs on its own, a schedule. */
public record Retention(Optional<CronSchedule> schedule, List<RetentionRule> rules) {
  public static final Retention NONE = new Retention(Optional.empty(), List.of());

  public Retention {
    Objects.requireNonNull(schedule, "schedule");
    rules = List.copyOf(rules);
    if (schedule.isPresent() && rules.isEmpty()) {
      throw new InvalidPolicyException("a schedule needs at least one rule to run");
    }
  }
}
