package dev.berth.http;

import static dev.berth.testing.ApiAssertions.API_VERSION;
import static dev.berth.testing.ApiAssertions.API_VERSION_HEADER;
import static dev.berth.testing.ApiAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.testing.Digests;
import dev.berth.testing.RawHttp;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.RegistryResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code /v2/}, the error wire format, and methods a route does not support. */
class BaseAndErrorsApiTest {
  private static final String SOME_DIGEST = Digests.sha256("some blob".getBytes());

  @TempDir
  static Path root;
  static RegistryClient registry;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryClient.start(root, true);
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  @Test
  void versionCheckAnswers200WithApiVersionHeader() {
    RegistryResponse r = registry.get("/v2/");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header(API_VERSION_HEADER)).isEqualTo(API_VERSION);
    assertThat(r.json().isObject()).as("body %s", r.text()).isTrue();
  }

  @Test
  void versionCheckAnswersHeadWithoutBody() throws Exception {
    RawHttp.Response r = RawHttp.send(registry.port(), "HEAD", "/v2/");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header(API_VERSION_HEADER)).contains(API_VERSION);
    assertThat(r.body()).isEmpty();
  }

  @Test
  void errorsCarryApiVersionHeaderAndTheJsonErrorFormat() {
    String repo = RegistryClient.uniqueRepo("errors");
    registry.pushBlob(repo, "x".getBytes());

    RegistryResponse r = registry.getManifest(repo, "nosuchtag", "application/vnd.oci.image.manifest.v1+json");

    JsonNode error = assertError(r, 404, "MANIFEST_UNKNOWN");
    assertThat(error.path("message").asText()).isNotBlank();
  }

  @Test
  void errorOnHeadHasHeadersButNoBody() throws Exception {
    String repo = RegistryClient.uniqueRepo("errors");

    RawHttp.Response r = RawHttp.send(registry.port(), "HEAD", "/v2/" + repo + "/blobs/" + SOME_DIGEST);

    assertThat(r.status()).isEqualTo(404);
    assertThat(r.header(API_VERSION_HEADER)).contains(API_VERSION);
    assertThat(r.body()).isEmpty();
  }

  @Test
  void unknownEndpointUnderV2Is404WithApiVersionHeader() {
    RegistryResponse r = registry.get("/v2/some/repo/nothing-here");

    assertThat(r.status()).isEqualTo(404);
    assertThat(r.header(API_VERSION_HEADER)).isEqualTo(API_VERSION);
  }

  /**
   * An error answered before the request body has arrived: the server must either still read (and
   * discard) the body and keep the connection usable, or announce {@code Connection: close}. Closing
   * without saying so makes a keep-alive client send its next request into a dead connection.
   */
  @Test
  void errorAnsweredBeforeTheBodyArrivedKeepsTheConnectionUsableOrAnnouncesClose() throws Exception {
    try (RawHttp.Connection connection = new RawHttp.Connection(registry.port())) {
      connection.write("PUT /v2/Invalid/manifests/latest HTTP/1.1\r\nHost: registry\r\n"
          + "Content-Type: application/vnd.oci.image.manifest.v1+json\r\nContent-Length: 2\r\n\r\n");
      RawHttp.Response error = connection.read().orElseThrow();
      assertThat(error.status()).isEqualTo(400);
      boolean announcedClose = error.header("Connection").filter(v -> v.equalsIgnoreCase("close")).isPresent();
      if (!announcedClose) {
        Optional<RawHttp.Response> next;
        try {
          Thread.sleep(500); // a client still busy sending its body
          connection.write("{}");
          connection.write("GET /v2/ HTTP/1.1\r\nHost: registry\r\n\r\n");
          next = connection.read();
        } catch (IOException e) {
          next = Optional.empty();
        }
        assertThat(next).as("response to the next request on a connection not announced as closing: %s %s",
            error.headers(), error.text()).isPresent();
        assertThat(next.get().status()).isEqualTo(200);
      }
    }
  }

  static Stream<Arguments> unsupportedMethods() {
    String upload = "/v2/x/blobs/uploads/" + UUID.randomUUID();
    return Stream.of(
        Arguments.of("POST", "/v2/x/manifests/latest"),
        Arguments.of("PATCH", "/v2/x/manifests/latest"),
        Arguments.of("POST", "/v2/x/blobs/" + SOME_DIGEST),
        Arguments.of("PUT", "/v2/x/blobs/" + SOME_DIGEST),
        Arguments.of("PATCH", "/v2/x/blobs/" + SOME_DIGEST),
        Arguments.of("PUT", "/v2/x/blobs/uploads/"),
        Arguments.of("DELETE", "/v2/x/blobs/uploads/"),
        Arguments.of("POST", upload),
        Arguments.of("POST", "/v2/x/tags/list"),
        Arguments.of("DELETE", "/v2/x/tags/list"),
        Arguments.of("POST", "/v2/x/referrers/" + SOME_DIGEST),
        Arguments.of("POST", "/v2/_catalog"),
        Arguments.of("POST", "/v2/"),
        Arguments.of("DELETE", "/v2/"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("unsupportedMethods")
  void methodNotAllowedOnAKnownRouteIs405Unsupported(String method, String path) {
    RegistryResponse r = registry.call(method, path).send();

    assertError(r, 405, "UNSUPPORTED");
  }
}
