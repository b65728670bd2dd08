package dev.berth.http;

import dev.berth.oci.MediaType;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Whether a client accepts a manifest media type, read the way Docker Registry reads it: every
 * Accept header, split on commas, parameters (including q-values) ignored, case ignored. Scanned in
 * place: a pull by tag asks this once per request, and a split-and-collect cost more than the rest
 * of serving the manifest from memory.
 */
final class AcceptedTypes {
  private static final String ANY = "*/*";
  private static final String ANY_APPLICATION = "application/*";

  private AcceptedTypes() {}

  static boolean accepts(Iterable<HttpField> headers, MediaType type) {
    for (HttpField field : headers) {
      if (field.getHeader() == HttpHeader.ACCEPT && listAccepts(field.getValue(), type.value())) {
        return true;
      }
    }
    return false;
  }

  private static boolean listAccepts(String list, String type) {
    int start = 0;
    while (start <= list.length()) {
      int comma = list.indexOf(',', start);
      int end = comma < 0 ? list.length() : comma;
      int semicolon = list.indexOf(';', start);
      int typeEnd = semicolon >= 0 && semicolon < end ? semicolon : end;
      int from = start;
      while (from < typeEnd && Character.isWhitespace(list.charAt(from))) {
        from++;
      }
      int to = typeEnd;
      while (to > from && Character.isWhitespace(list.charAt(to - 1))) {
        to--;
      }
      if (is(list, from, to, type) || is(list, from, to, ANY) || is(list, from, to, ANY_APPLICATION)) {
        return true;
      }
      if (comma < 0) {
        return false;
      }
      start = comma + 1;
    }
    return false;
  }

  private static boolean is(String list, int from, int to, String expected) {
    return to - from == expected.length() && list.regionMatches(true, from, expected, 0, expected.length());
  }
}
