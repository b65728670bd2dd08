package dev.berth.ui;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a form's POST leaves in its session for the page it redirects to, shown once: why it was
 * refused, with what was typed into it (never a password) so the form shows it again, or what it
 * did. Kept in the session's one text column as three lines: the kind, the message, the typed
 * fields urlencoded. A message stored before kinds were (one line, no kind) reads as a refusal.
 *
 * @param kept the typed fields, by a name the page's template asks for
 */
record Flash(boolean refused, String message, Map<String, String> kept) {
  private static final String REFUSED = "refused";
  private static final String DONE = "done";
  static final Flash NONE = new Flash(false, "", Map.of());

  static Flash refusal(String why, Map<String, String> kept) {
    return new Flash(true, why, kept);
  }

  static Flash done(String what) {
    return new Flash(false, what, Map.of());
  }

  String encode() {
    return (refused ? REFUSED : DONE) + "\n" + message.replace('\n', ' ') + "\n" + kept.entrySet().stream()
        .map(e -> Links.encode(e.getKey()) + "=" + Links.encode(e.getValue())).collect(Collectors.joining("&"));
  }

  static Flash decode(String stored) {
    if (stored.isEmpty()) {
      return NONE;
    }
    String[] lines = stored.split("\n", 3);
    if (lines.length != 3 || !(lines[0].equals(REFUSED) || lines[0].equals(DONE))) {
      return new Flash(true, stored, Map.of());
    }
    Map<String, String> kept = new LinkedHashMap<>();
    for (String pair : lines[2].split("&")) {
      int equals = pair.indexOf('=');
      if (equals > 0) {
        kept.put(urlDecode(pair.substring(0, equals)), urlDecode(pair.substring(equals + 1)));
      }
    }
    return new Flash(lines[0].equals(REFUSED), lines[1], kept);
  }

  private static String urlDecode(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }
}
