package dev.berth.oci;

/** A tag: {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}, as the distribution spec defines it. */
public record Tag(String value) implements Comparable<Tag> {

  private static final int MAX_LENGTH = 128;

  public Tag {
    if (!inGrammar(value)) {
      throw new InvalidTagException("invalid tag: " + (value == null ? "null" : Digest.abbreviate(value)));
    }
  }

  /** Checked by hand rather than by a regular expression: a tag is parsed on every pull by tag. */
  static boolean inGrammar(String value) {
    if (value == null || value.isEmpty() || value.length() > MAX_LENGTH || value.charAt(0) == '.' || value.charAt(0) == '-') {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '.' || c == '-';
      if (!allowed) {
        return false;
      }
    }
    return true;
  }

  public static Tag of(String value) {
    return new Tag(value);
  }

  @Override
  public String toString() {
    return value;
  }

  @Override
  public int compareTo(Tag o) {
    return value.compareTo(o.value);
  }
}
