package dev.berth.policy;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A whole number of bytes, written with a binary unit: {@code 512B}, {@code 20GiB}, {@code 1 TiB}. */
public record ByteSize(long bytes) {
  private static final Pattern FORMAT = Pattern.compile("(\\d{1,19}) ?(B|KiB|MiB|GiB|TiB)");
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};
  private static final String[] READABLE_UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

  public ByteSize {
    if (bytes < 0) {
      throw new InvalidPolicyException("a size must not be negative");
    }
  }

  /** Throws {@link InvalidPolicyException} for anything but a whole number and one of B, KiB, MiB, GiB, TiB. */
  public static ByteSize parse(String text) {
    Matcher m = FORMAT.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new InvalidPolicyException("invalid size " + PathPattern.quote(String.valueOf(text))
          + ": expected a whole number and a unit, one of B, KiB, MiB, GiB, TiB (20GiB)");
    }
    int power = java.util.Arrays.asList(UNITS).indexOf(m.group(2));
    try {
      return new ByteSize(Math.multiplyExact(Long.parseLong(m.group(1)), 1L << (10 * power)));
    } catch (ArithmeticException | NumberFormatException e) {
      throw new InvalidPolicyException("size " + PathPattern.quote(text) + " is too large");
    }
  }

  /** In the largest unit that divides it exactly, so {@code parse(toString())} gives it back. */
  @Override
  public String toString() {
    int power = 0;
    long value = bytes;
    while (power < UNITS.length - 1 && value != 0 && value % 1024 == 0) {
      value /= 1024;
      power++;
    }
    return value + UNITS[power];
  }

  /** {@code 1.5 MiB}, rounded to a tenth; under 1 KiB the plain count. */
  public static String readable(long bytes) {
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < READABLE_UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, READABLE_UNITS[unit]);
  }

  /** {@code 1.5 MiB (1572864 bytes)}: readable, with the exact figure that tests and scripts compare. */
  public static String readableExact(long bytes) {
    return bytes < 1024 ? bytes + " bytes" : readable(bytes) + " (" + bytes + " bytes)";
  }
}
