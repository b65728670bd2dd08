package dev.berth.oci;

import java.util.regex.Pattern;

/** A tag: {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}, as the distribution spec defines it. */
public record Tag(String value) implements Comparable<Tag> {

  private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

  public Tag {
    if (value == null || !TAG.matcher(value).matches()) {
      throw new InvalidTagException("invalid tag: " + (value == null ? "null" : Digest.abbreviate(value)));
    }
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
