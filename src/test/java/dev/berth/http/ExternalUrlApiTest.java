package dev.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.Credentials;
import dev.berth.testing.RunningRegistry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The URLs Berth hands out (upload and manifest {@code Location}s, the token realm) over real HTTP:
 * {@code http.host} wins over proxy headers, which win over the request.
 */
class ExternalUrlApiTest {
  private static final String ADMIN_PASSWORD = "admin-password-1";
  private static final String PROXY = "https://registry.example.com:8443";

  @TempDir
  static Path root;

  static RunningRegistry configured;
  static RunningRegistry derived;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    configured = RunningRegistry.with(root.resolve("configured")).auth(ADMIN_PASSWORD)
        .externalUrl("https://berth.example.org").start();
    derived = RunningRegistry.with(root.resolve("derived")).auth(ADMIN_PASSWORD).start();
  }

  @AfterAll
  static void stop() throws Exception {
    configured.close();
    derived.close();
  }

  private static HttpResponse<String> send(RunningRegistry registry, String method, String path, boolean proxied,
      boolean signedIn) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(registry.uri(path)).method(method, HttpRequest.BodyPublishers.noBody());
    if (proxied) {
      request.header("X-Forwarded-Proto", "https").header("X-Forwarded-Host", "registry.example.com:8443");
    }
    if (signedIn) {
      request.header("Authorization", Credentials.basic("admin", ADMIN_PASSWORD));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String realm(HttpResponse<String> challenge) {
    assertThat(challenge.statusCode()).isEqualTo(401);
    String header = challenge.headers().firstValue("WWW-Authenticate").orElseThrow();
    return header.substring("Bearer realm=\"".length(), header.indexOf('"', "Bearer realm=\"".length()));
  }

  private static String uploadLocation(RunningRegistry registry, boolean proxied) throws Exception {
    HttpResponse<String> started = send(registry, "POST", "/v2/team/app/blobs/uploads/", proxied, true);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    return started.headers().firstValue("Location").orElseThrow();
  }

  @Test
  void theConfiguredHostWinsOverProxyHeadersAndTheRequest() throws Exception {
    assertThat(realm(send(configured, "GET", "/v2/", true, false))).isEqualTo("https://berth.example.org/token");
    assertThat(realm(send(configured, "GET", "/v2/", false, false))).isEqualTo("https://berth.example.org/token");
    assertThat(uploadLocation(configured, true)).startsWith("https://berth.example.org/v2/team/app/blobs/uploads/");
    assertThat(uploadLocation(configured, false)).startsWith("https://berth.example.org/v2/team/app/blobs/uploads/");
  }

  @Test
  void proxyHeadersWinOverTheRequest() throws Exception {
    assertThat(realm(send(derived, "GET", "/v2/", true, false))).isEqualTo(PROXY + "/token");
    assertThat(uploadLocation(derived, true)).startsWith(PROXY + "/v2/team/app/blobs/uploads/");
  }

  @Test
  void withoutEitherTheRequestDecides() throws Exception {
    String base = "http://" + derived.hostPort();
    assertThat(realm(send(derived, "GET", "/v2/", false, false))).isEqualTo(base + "/token");
    String location = uploadLocation(derived, false);
    assertThat(location).startsWith(base + "/v2/team/app/blobs/uploads/");

    // The Location is usable as it is: the upload it names takes a status request.
    HttpResponse<String> status = http.send(HttpRequest.newBuilder(java.net.URI.create(location))
        .header("Authorization", Credentials.basic("admin", ADMIN_PASSWORD)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(status.statusCode()).isEqualTo(204);
  }
}
