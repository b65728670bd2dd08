package dev.berth.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * The patterns of a rule, as written: a path matches when some pattern matches it and no pattern
 * with a leading {@code !} does; a set of exclusions only ({@code ["!latest"]}) matches everything
 * they do not exclude.
 */
public final class PatternSet {
  private final List<String> written;
  private final List<PathPattern> includes = new ArrayList<>();
  private final List<PathPattern> excludes = new ArrayList<>();

  /** Throws {@link InvalidPolicyException} naming every bad pattern by its index. */
  public PatternSet(List<String> written) {
    if (written == null || written.isEmpty()) {
      throw new InvalidPolicyException("needs at least one pattern");
    }
    this.written = List.copyOf(written);
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < this.written.size(); i++) {
      String text = this.written.get(i);
      boolean exclusion = text.startsWith("!");
      try {
        (exclusion ? excludes : includes).add(new PathPattern(exclusion ? text.substring(1) : text));
      } catch (InvalidPolicyException e) {
        problems.add("[" + i + "]: " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidPolicyException(problems);
    }
  }

  public static PatternSet of(String... written) {
    return new PatternSet(List.of(written));
  }

  public boolean matches(String path) {
    boolean included = includes.isEmpty() || includes.stream().anyMatch(p -> p.matches(path));
    return included && excludes.stream().noneMatch(p -> p.matches(path));
  }

  /** The patterns as written, exclusions with their {@code !}. */
  public List<String> written() {
    return written;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PatternSet other && other.written.equals(written);
  }

  @Override
  public int hashCode() {
    return written.hashCode();
  }

  @Override
  public String toString() {
    return written.toString();
  }
}
