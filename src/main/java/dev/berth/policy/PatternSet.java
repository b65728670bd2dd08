package dev.berth.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * The repository or tag patterns of a rule, as written: a path matches when some pattern matches it
 * and no pattern with a leading {@code !} does; a set of exclusions only ({@code ["!latest"]})
 * matches everything they do not exclude.
 */
public final class PatternSet {
  private final List<String> written;
  private final boolean onTags;
  private final List<PathPattern> includes = new ArrayList<>();
  private final List<PathPattern> excludes = new ArrayList<>();

  /** Patterns on repository paths inside a namespace; throws {@link InvalidPolicyException} naming every bad one by its index. */
  public static PatternSet repositories(List<String> written) {
    return new PatternSet(written, false);
  }

  public static PatternSet repositories(String... written) {
    return repositories(List.of(written));
  }

  /** Patterns on tags, which have no {@code /}; throws {@link InvalidPolicyException} naming every bad one by its index. */
  public static PatternSet tags(List<String> written) {
    return new PatternSet(written, true);
  }

  public static PatternSet tags(String... written) {
    return tags(List.of(written));
  }

  private PatternSet(List<String> written, boolean onTags) {
    if (written == null || written.isEmpty()) {
      throw new InvalidPolicyException("needs at least one pattern");
    }
    this.written = List.copyOf(written);
    this.onTags = onTags;
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < this.written.size(); i++) {
      String text = this.written.get(i);
      boolean exclusion = text.startsWith("!");
      if (onTags && text.contains("/")) {
        problems.add("[" + i + "]: tag pattern " + PathPattern.quote(text) + " cannot match: a tag has no /");
        continue;
      }
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

  public boolean matches(String path) {
    // Loops rather than streams: a retention run asks this of every tag of a namespace, per rule.
    boolean included = includes.isEmpty();
    for (int i = 0; i < includes.size() && !included; i++) {
      included = includes.get(i).matches(path);
    }
    if (!included) {
      return false;
    }
    for (PathPattern exclude : excludes) {
      if (exclude.matches(path)) {
        return false;
      }
    }
    return true;
  }

  /** Whether these are patterns on tags rather than on repository paths. */
  public boolean onTags() {
    return onTags;
  }

  /** The patterns as written, exclusions with their {@code !}. */
  public List<String> written() {
    return written;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PatternSet other && other.onTags == onTags && other.written.equals(written);
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
