package dev.berth.http;

import dev.berth.registry.ErrorCode;
import dev.berth.registry.RegistryException;
import java.util.OptionalLong;

/**
 * The {@code Content-Range} of an upload chunk: {@code <start>-<end>} in the spec, with the
 * {@code bytes } or {@code bytes=} prefixes some clients add tolerated.
 */
record ContentRange(long start, long end) {

  static OptionalLong startOf(String header, long contentLength) {
    if (header == null || header.isBlank()) {
      return OptionalLong.empty();
    }
    ContentRange range = parse(header);
    if (contentLength >= 0 && range.end - range.start + 1 != contentLength) {
      throw new RegistryException(ErrorCode.RANGE_INVALID,
          "Content-Range " + header + " does not match Content-Length " + contentLength);
    }
    return OptionalLong.of(range.start);
  }

  private static ContentRange parse(String header) {
    String value = header.trim();
    if (value.startsWith("bytes")) {
      value = value.substring("bytes".length()).replaceFirst("^[ =]", "");
    }
    int slash = value.indexOf('/');
    if (slash >= 0) {
      value = value.substring(0, slash);
    }
    int dash = value.indexOf('-');
    try {
      long start = Long.parseLong(value.substring(0, dash));
      long end = Long.parseLong(value.substring(dash + 1));
      if (start < 0 || end < start) {
        throw invalid(header);
      }
      return new ContentRange(start, end);
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      throw invalid(header);
    }
  }

  private static RegistryException invalid(String header) {
    return new RegistryException(ErrorCode.RANGE_INVALID, "malformed Content-Range: " + header);
  }
}
