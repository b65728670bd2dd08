package dev.berth.policy;

import java.util.List;

/**
 * A policy, or a part of one, that breaks its rules. Carries every problem found, each prefixed with
 * its path in the document ({@code retention.rules[1].keep: ...}) when it came from one.
 */
public final class InvalidPolicyException extends IllegalArgumentException {
  private final List<String> problems;

  public InvalidPolicyException(String problem) {
    this(List.of(problem));
  }

  public InvalidPolicyException(List<String> problems) {
    super(String.join("; ", problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("an invalid policy needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
