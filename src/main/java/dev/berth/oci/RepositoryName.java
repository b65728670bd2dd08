package dev.berth.oci;

import java.util.regex.Pattern;

/**
 * A repository name in the distribution spec's grammar: lowercase path components separated by
 * {@code /}, each of {@code [a-z0-9]+} joined by {@code .}, {@code _}, {@code __} or dashes. Because the
 * grammar excludes {@code ..}, empty components and every other character, a valid name is safe as
 * a relative path.
 */
public record RepositoryName(String value) implements Comparable<RepositoryName> {

  /** Docker Registry's limit; the spec recommends at least 255 characters be accepted. */
  public static final int MAX_LENGTH = 255;

  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*");
  private static final Pattern NAME = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");

  public RepositoryName {
    if (value == null || value.isEmpty()) {
      throw new InvalidNameException("repository name is empty");
    }
    if (value.length() > MAX_LENGTH) {
      throw new InvalidNameException("repository name longer than " + MAX_LENGTH + " characters");
    }
    if (!NAME.matcher(value).matches()) {
      throw new InvalidNameException("invalid repository name: " + Digest.abbreviate(value));
    }
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
