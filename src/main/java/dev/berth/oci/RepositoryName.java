package dev.berth.oci;

/**
 * A repository name in the distribution spec's grammar: lowercase path components separated by
 * {@code /}, each of {@code [a-z0-9]+} joined by {@code .}, {@code _}, {@code __} or dashes. Because the
 * grammar excludes {@code ..}, empty components and every other character, a valid name is safe as
 * a relative path.
 */
public record RepositoryName(String value) implements Comparable<RepositoryName> {

  /** Docker Registry's limit; the spec recommends at least 255 characters be accepted. */
  public static final int MAX_LENGTH = 255;

  public RepositoryName {
    if (value == null || value.isEmpty()) {
      throw new InvalidNameException("repository name is empty");
    }
    if (value.length() > MAX_LENGTH) {
      throw new InvalidNameException("repository name longer than " + MAX_LENGTH + " characters");
    }
    if (!inGrammar(value)) {
      throw new InvalidNameException("invalid repository name: " + Digest.abbreviate(value));
    }
  }

  /**
   * {@code [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*}, checked in one
   * pass: every request names a repository, and the regular expression cost more than the rest of
   * a blob HEAD.
   */
  static boolean inGrammar(String name) {
    int n = name.length();
    int i = alphanumerics(name, 0);
    if (i == 0) {
      return false;
    }
    while (i < n) {
      char c = name.charAt(i);
      int separatorEnd = switch (c) {
        case '.', '/' -> i + 1;
        case '_' -> i + 1 < n && name.charAt(i + 1) == '_' ? i + 2 : i + 1;
        case '-' -> {
          int j = i;
          while (j < n && name.charAt(j) == '-') {
            j++;
          }
          yield j;
        }
        default -> -1;
      };
      if (separatorEnd < 0) {
        return false;
      }
      int next = alphanumerics(name, separatorEnd);
      if (next == separatorEnd) {
        return false;
      }
      i = next;
    }
    return true;
  }

  /** The index after the run of {@code [a-z0-9]} that starts at {@code from}. */
  private static int alphanumerics(String name, int from) {
    int i = from;
    while (i < name.length() && isLowerAlphanumeric(name.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isLowerAlphanumeric(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  public static RepositoryName of(String value) {
    return new RepositoryName(value);
  }

  /** The first path component, which namespaces (Harbor's projects) are built on. */
  public String namespace() {
    int slash = value.indexOf('/');
    return slash < 0 ? value : value.substring(0, slash);
  }

  @Override
  public String toString() {
    return value;
  }

  @Override
  public int compareTo(RepositoryName o) {
    return value.compareTo(o.value);
  }
}
