package dev.berth.policy;

/**
 * A glob on a repository path inside a namespace ({@code app/api} in {@code team/app/api}) or on a
 * tag: {@code *} matches any characters within one path segment, {@code ?} one character other than
 * {@code /}, and {@code **}, which must be a whole segment, spans segments: {@code **} alone matches
 * every path, {@code **}{@code /x} matches {@code x} at any depth, {@code a/**}{@code /b} matches
 * {@code a/b} and {@code a/x/y/b}, and {@code app/**} every path strictly under {@code app} (not
 * {@code app} itself, so {@code ["app", "app/**"]} reads as "app and everything under it").
 */
public final class PathPattern {
  private final String glob;
  private final GlobAutomaton automaton;

  public PathPattern(String glob) {
    this.glob = glob;
    this.automaton = compile(glob);
  }

  public static PathPattern of(String glob) {
    return new PathPattern(glob);
  }

  public boolean matches(String path) {
    return automaton.matches(path);
  }

  public String glob() {
    return glob;
  }

  private static GlobAutomaton compile(String glob) {
    if (glob == null || glob.isEmpty()) {
      throw new InvalidPolicyException("empty pattern");
    }
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '-' || c == '/' || c == '*' || c == '?';
      if (!allowed) {
        throw new InvalidPolicyException("pattern " + quote(glob) + ": character " + quote(String.valueOf(c))
            + " is not allowed (only names, /, *, ** and ?)");
      }
    }
    String[] segments = glob.split("/", -1);
    GlobAutomaton automaton = new GlobAutomaton();
    // Set when a leading or middle ** already ends in the separator the next segment needs.
    boolean separatorConsumed = false;
    for (int i = 0; i < segments.length; i++) {
      String segment = segments[i];
      boolean first = i == 0;
      boolean last = i == segments.length - 1;
      if (segment.isEmpty()) {
        throw new InvalidPolicyException("pattern " + quote(glob) + " has an empty path segment");
      }
      if (segment.contains("**") && !segment.equals("**")) {
        throw new InvalidPolicyException("pattern " + quote(glob) + ": ** must be a whole path segment");
      }
      if (segment.equals("**")) {
        if (!first && segments[i - 1].equals("**")) {
          throw new InvalidPolicyException("pattern " + quote(glob) + " repeats **");
        }
        if (first && last) {
          automaton.anything();
        } else if (last) {
          automaton.slashThenSegments();
        } else {
          if (!first) {
            automaton.literal('/');
          }
          automaton.segmentsEachThenSlash();
          separatorConsumed = true;
        }
        continue;
      }
      if (!first && !separatorConsumed) {
        automaton.literal('/');
      }
      separatorConsumed = false;
      for (int j = 0; j < segment.length(); j++) {
        char c = segment.charAt(j);
        switch (c) {
          case '*' -> automaton.runNotSlash();
          case '?' -> automaton.oneNotSlash();
          default -> automaton.literal(c);
        }
      }
    }
    return automaton;
  }

  static String quote(String text) {
    return "\"" + text + "\"";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PathPattern other && other.glob.equals(glob);
  }

  @Override
  public int hashCode() {
    return glob.hashCode();
  }

  @Override
  public String toString() {
    return glob;
  }
}
