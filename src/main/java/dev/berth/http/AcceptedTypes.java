package dev.berth.http;

import dev.berth.oci.MediaType;
import java.util.HashSet;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Manifest media types a client accepts, read the way Docker Registry reads them: every Accept
 * header, split on commas, parameters (including q-values) ignored.
 */
final class AcceptedTypes {
  private final Set<String> types = new HashSet<>();
  private boolean wildcard;

  static AcceptedTypes of(Iterable<HttpField> headers) {
    AcceptedTypes accepted = new AcceptedTypes();
    for (HttpField field : headers) {
      if (field.getHeader() != HttpHeader.ACCEPT) {
        continue;
      }
      for (String part : field.getValue().split(",")) {
        int semicolon = part.indexOf(';');
        String type = (semicolon < 0 ? part : part.substring(0, semicolon)).trim().toLowerCase(java.util.Locale.ROOT);
        if (type.equals("*/*") || type.equals("application/*")) {
          accepted.wildcard = true;
        } else if (!type.isEmpty()) {
          accepted.types.add(type);
        }
      }
    }
    return accepted;
  }

  boolean accepts(MediaType type) {
    return wildcard || types.contains(type.value());
  }
}
