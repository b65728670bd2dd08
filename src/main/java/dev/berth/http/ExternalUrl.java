package dev.berth.http;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.QuotedCSV;
import org.eclipse.jetty.server.Request;

/**
 * The one place that knows the base URL clients reach Berth at ({@code scheme://host[:port]}), for
 * the absolute URLs Berth hands out: upload and manifest {@code Location}s and the token realm of
 * a challenge. As in Docker Registry: the configured {@code http.host} wins; otherwise what a
 * reverse proxy says ({@code X-Forwarded-Proto} and {@code X-Forwarded-Host}, then the standard
 * {@code Forwarded} header's {@code proto} and {@code host}; the first proxy's value of each);
 * otherwise the request itself.
 *
 * <p>Only the URL is taken from these headers, not the client's address ({@code X-Forwarded-For}):
 * anyone who reaches Berth directly could forge that one to dodge the login throttle's per-address
 * limit or to put another address into the audit log, while a forged host only misleads the forger.
 * Values that are not a plain scheme or host are ignored, so nothing a client sends can break the
 * quoting of the challenge.
 */
public final class ExternalUrl {
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._~-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?");

  private final Optional<String> configured;

  public ExternalUrl(Optional<URI> configured) {
    this.configured = configured.map(URI::toString);
  }

  /** The absolute URL of {@code path} (which starts with a slash) for the client of this request. */
  String resolve(Request request, String path) {
    return base(request) + path;
  }

  /** {@code scheme://host[:port]} for the client of this request (the console's pull commands use it too). */
  public String base(Request request) {
    if (configured.isPresent()) {
      return configured.get();
    }
    String authority = request.getHttpURI().getAuthority();
    if (authority == null) {
      authority = Request.getServerName(request) + ":" + Request.getServerPort(request);
    }
    return base(request.getHeaders(), request.isSecure() ? "https" : "http", authority);
  }

  /** The precedence, apart from the configured URL: forwarded headers, then the request's scheme and authority. */
  static String base(HttpFields headers, String requestScheme, String requestAuthority) {
    Optional<String> forwarded = Optional.ofNullable(headers.get(HttpHeader.FORWARDED)).flatMap(ExternalUrl::first);
    String scheme = firstOf(headers, HttpHeader.X_FORWARDED_PROTO)
        .or(() -> forwarded.flatMap(element -> parameter(element, "proto")))
        .map(s -> s.toLowerCase(Locale.ROOT))
        .filter(s -> s.equals("http") || s.equals("https"))
        .orElse(requestScheme);
    String host = firstOf(headers, HttpHeader.X_FORWARDED_HOST)
        .or(() -> forwarded.flatMap(element -> parameter(element, "host")))
        .filter(h -> HOST.matcher(h).matches())
        .orElse(requestAuthority);
    return scheme + "://" + host;
  }

  /** The value the first proxy set: proxies append theirs to the list. */
  private static Optional<String> firstOf(HttpFields headers, HttpHeader name) {
    return Optional.ofNullable(headers.get(name)).flatMap(ExternalUrl::first);
  }

  private static Optional<String> first(String list) {
    List<String> values;
    try {
      values = new QuotedCSV(false, list).getValues();
    } catch (IllegalArgumentException unbalancedQuotes) {
      return Optional.empty();
    }
    return values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst().strip()).filter(v -> !v.isEmpty());
  }

  /** A parameter of one {@code Forwarded} element, {@code for=…;proto=https;host=…} (RFC 7239). */
  private static Optional<String> parameter(String element, String name) {
    for (String pair : element.split(";")) {
      int equals = pair.indexOf('=');
      if (equals > 0 && pair.substring(0, equals).strip().equalsIgnoreCase(name)) {
        return Optional.of(pair.substring(equals + 1).strip()).filter(v -> !v.isEmpty());
      }
    }
    return Optional.empty();
  }
}
