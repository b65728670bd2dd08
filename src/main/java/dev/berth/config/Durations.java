package dev.berth.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations written the way Go (and so Docker Registry) writes them: {@code 90m}, {@code 24h}, {@code 1h30m}, {@code 0s}. */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private Durations() {}

  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty duration");
    }
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = PART.matcher(text.trim());
    Duration total = Duration.ZERO;
    int end = 0;
    try {
      while (m.find()) {
        if (m.start() != end) {
          break;
        }
        long amount = Long.parseLong(m.group(1));
        total = total.plus(switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          case "h" -> Duration.ofHours(amount);
          default -> Duration.ofDays(amount);
        });
        end = m.end();
      }
    } catch (NumberFormatException | ArithmeticException e) {
      // A number beyond a long, or a total beyond what Duration holds: found by ConfigLoaderFuzzTest.
      throw new IllegalArgumentException("duration '" + text + "' is too long");
    }
    if (end == 0 || end != text.trim().length()) {
      throw new IllegalArgumentException("invalid duration '" + text + "' (write e.g. 30s, 90m, 24h)");
    }
    return total;
  }
}
