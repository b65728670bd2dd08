package dev.berth.cli;

import dev.berth.server.DataDirectory;
import java.io.Console;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.apache.commons.cli.ParseException;

/**
 * Where the admin API is and how to be let in: beside a server, its published loopback URL, its
 * admin token and the certificate it published (trusted alone, whatever names it carries); a
 * remote server, an administrator's Basic credentials over the JDK's usual TLS trust.
 */
record AdminEndpoint(String url, String authorization, Optional<String> pinnedCertificateSha256) {
  static AdminEndpoint local(DataDirectory.ServerInfo server) {
    return new AdminEndpoint(server.url(), "Bearer " + server.token(), server.certificateSha256());
  }

  static AdminEndpoint remote(String url, String user) throws ParseException {
    if (user == null) {
      throw new ParseException("--url needs --user, an administrator of that server");
    }
    URI uri;
    try {
      uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    } catch (IllegalArgumentException e) {
      throw new ParseException("--url " + url + " is not a URL: " + e.getMessage());
    }
    if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
        || uri.getHost() == null) {
      throw new ParseException("--url must be http(s)://host[:port], got " + url);
    }
    String password = Optional.ofNullable(System.getenv("BERTH_PASSWORD")).orElseGet(() -> {
      Console console = System.console();
      char[] typed = console == null ? null : console.readPassword("password for %s: ", user);
      return typed == null ? "" : new String(typed);
    });
    String credentials = Base64.getEncoder()
        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    return new AdminEndpoint(uri.toString(), "Basic " + credentials, Optional.empty());
  }
}
