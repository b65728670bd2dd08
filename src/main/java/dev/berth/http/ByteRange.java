package dev.berth.http;

import java.util.Optional;

/** One satisfiable byte range of a blob, from an RFC 9110 {@code Range: bytes=...} header. */
record ByteRange(long first, long last) {

  long length() {
    return last - first + 1;
  }

  /** Thrown when the header is well-formed but no byte of it lies inside the blob. */
  static final class Unsatisfiable extends Exception {
    Unsatisfiable() {
      super(null, null, false, false);
    }
  }

  /**
   * Empty when there is no header or it cannot be honoured as a single range; RFC 9110 lets a
   * server ignore such headers and send the whole representation.
   */
  static Optional<ByteRange> parse(String header, long size) throws Unsatisfiable {
    if (header == null || !header.startsWith("bytes=")) {
      return Optional.empty();
    }
    String spec = header.substring("bytes=".length()).trim();
    if (spec.indexOf(',') >= 0) {
      return Optional.empty();
    }
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return Optional.empty();
    }
    try {
      String start = spec.substring(0, dash).trim();
      String end = spec.substring(dash + 1).trim();
      if (start.isEmpty()) {
        long suffix = Long.parseLong(end);
        if (suffix <= 0 || size == 0) {
          throw new Unsatisfiable();
        }
        return Optional.of(new ByteRange(Math.max(0, size - suffix), size - 1));
      }
      long first = Long.parseLong(start);
      long last = end.isEmpty() ? size - 1 : Math.min(Long.parseLong(end), size - 1);
      if (first < 0 || (!end.isEmpty() && Long.parseLong(end) < first)) {
        return Optional.empty();
      }
      if (first >= size) {
        throw new Unsatisfiable();
      }
      return Optional.of(new ByteRange(first, last));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
