package dev.berth.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.HttpsURLConnection;

/**
 * One call to a server's admin API. {@link HttpURLConnection} rather than
 * {@code java.net.http.HttpClient}: the latter sets up TLS when it is built, about a third of a
 * second of this short-lived JVM, even for a plain-HTTP loopback call.
 */
record AdminCall(int status, String body, Optional<String> next) {
  /** Long enough for a request that waits a few seconds for a run's news. */
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(32);
  private static final Pattern NEXT = Pattern.compile("^<([^>]+)>;\\s*rel=\"next\"$");

  static AdminCall send(AdminEndpoint server, String method, String path, String body) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) URI.create(server.url() + path).toURL().openConnection();
    if (connection instanceof HttpsURLConnection https && server.pinnedCertificateSha256().isPresent()) {
      try {
        PinnedCertificate.apply(https, server.pinnedCertificateSha256().get());
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot set up TLS to " + server.url(), e);
      }
    }
    connection.setRequestMethod(method);
    connection.setRequestProperty("Authorization", server.authorization());
    connection.setReadTimeout((int) READ_TIMEOUT.toMillis());
    if (body != null) {
      connection.setDoOutput(true);
      connection.setRequestProperty("Content-Type", "application/json");
      try (OutputStream request = connection.getOutputStream()) {
        request.write(body.getBytes(StandardCharsets.UTF_8));
      }
    }
    int status = connection.getResponseCode();
    // Read to the end and closed, the connection goes back to the JDK's keep-alive cache.
    try (InputStream response = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
      String text = response == null ? "" : new String(response.readAllBytes(), StandardCharsets.UTF_8);
      Optional<String> next = Optional.ofNullable(connection.getHeaderField("Link")).map(NEXT::matcher)
          .filter(Matcher::matches).map(m -> m.group(1));
      return new AdminCall(status, text, next);
    }
  }

  /** A GET that must answer 200; any other status is the server's failure, as an IOException. */
  static AdminCall fetch(AdminEndpoint server, String path) throws IOException {
    AdminCall response = send(server, "GET", path, null);
    if (response.status() != 200) {
      throw new IOException("the server answered " + response.status() + " to " + path + ": " + response.body());
    }
    return response;
  }
}
