package dev.berth.ui.view;

import dev.berth.policy.ByteSize;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How the console writes sizes and times: readable, with the exact byte count beside. */
public final class Format {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private Format() {}

  /** {@code 1.5 MiB}; under 1 KiB the plain count. */
  public static String bytes(long bytes) {
    return ByteSize.readable(bytes);
  }

  /** {@code 1.5 MiB (1572864 bytes)}: tests and scripts compare the exact figure. */
  public static String bytesExact(long bytes) {
    return ByteSize.readableExact(bytes);
  }

  public static String time(Instant at) {
    return TIME.format(at);
  }

  /** Annotations or labels as {@code key = value} lines, by key. */
  public static java.util.List<String> lines(java.util.Map<String, String> entries) {
    return entries.entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
        .map(e -> e.getKey() + " = " + e.getValue()).toList();
  }

  /** The first 12 hex digits, as docker prints image ids. */
  public static String shortDigest(String digest) {
    int colon = digest.indexOf(':');
    return digest.substring(colon + 1, Math.min(digest.length(), colon + 13));
  }
}
