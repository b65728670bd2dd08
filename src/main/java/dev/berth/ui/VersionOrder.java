package dev.berth.ui;

import dev.berth.oci.Tag;
import java.math.BigInteger;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How people expect tags ordered: versions by their numbers ({@code 2.9} before {@code 2.10},
 * {@code v1.2.9} before {@code v1.2.10}, a leading {@code v} ignored), a pre-release before its
 * release ({@code 1.0-rc1} before {@code 1.0}, as in semantic versioning); tags that are not versions
 * ({@code latest}, {@code main}) after all versions, alphabetically.
 */
final class VersionOrder {
  /** Dot-separated numbers, then an optional suffix after {@code -} or {@code _} (tags cannot hold {@code +}). */
  private static final Pattern VERSION = Pattern.compile("[vV]?(\\d+(?:\\.\\d+)*)(?:[-_]([0-9A-Za-z._-]*))?");

  static final Comparator<String> TAGS = VersionOrder::compare;

  private VersionOrder() {}

  static List<Tag> sorted(List<Tag> tags) {
    return tags.stream().sorted(Comparator.comparing(Tag::value, TAGS)).toList();
  }

  private record Version(List<BigInteger> numbers, Optional<String> preRelease) {}

  private static int compare(String a, String b) {
    Optional<Version> va = version(a);
    Optional<Version> vb = version(b);
    if (va.isPresent() != vb.isPresent()) {
      return va.isPresent() ? -1 : 1;
    }
    int byVersion = va.isPresent() ? compare(va.get(), vb.get()) : 0;
    return byVersion != 0 ? byVersion : a.compareTo(b);
  }

  private static int compare(Version a, Version b) {
    for (int i = 0; i < Math.min(a.numbers().size(), b.numbers().size()); i++) {
      int c = a.numbers().get(i).compareTo(b.numbers().get(i));
      if (c != 0) {
        return c;
      }
    }
    if (a.numbers().size() != b.numbers().size()) {
      return Integer.compare(a.numbers().size(), b.numbers().size());
    }
    if (a.preRelease().isPresent() != b.preRelease().isPresent()) {
      return a.preRelease().isPresent() ? -1 : 1;
    }
    return a.preRelease().isPresent() ? a.preRelease().get().compareTo(b.preRelease().get()) : 0;
  }

  private static Optional<Version> version(String tag) {
    Matcher m = VERSION.matcher(tag);
    if (!m.matches()) {
      return Optional.empty();
    }
    List<BigInteger> numbers = Pattern.compile("\\.").splitAsStream(m.group(1)).map(BigInteger::new).toList();
    return Optional.of(new Version(numbers, Optional.ofNullable(m.group(2))));
  }
}
