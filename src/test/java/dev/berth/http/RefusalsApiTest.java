package dev.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testing.Digests;
import dev.berth.testing.RawHttp;
import dev.berth.testing.RegistryClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests refused before any route runs, by Jetty's parser or by the URI guard: under /v2/ each
 * answer is the spec's error JSON with the code for the part of the path that is wrong; elsewhere
 * a page or JSON of Berth's own. None echoes the request's path.
 */
class RefusalsApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DIGEST = Digests.sha256("refusals".getBytes());

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

  static Stream<Arguments> refusedPaths() {
    return Stream.of(
        // encoded slash, encoded dot segment, empty segment and plain dot segments in the name
        Arguments.of("GET", "/v2/team%2fapp/manifests/latest", 400, "NAME_INVALID"),
        Arguments.of("GET", "/v2/team%2Fapp/tags/list", 400, "NAME_INVALID"),
        Arguments.of("GET", "/v2/%2e%2e/manifests/latest", 400, "NAME_INVALID"),
        Arguments.of("POST", "/v2/x/%2e%2e/%2e%2e/escape/blobs/uploads/", 400, "NAME_INVALID"),
        Arguments.of("GET", "/v2/team//app/tags/list", 400, "NAME_INVALID"),
        Arguments.of("GET", "/v2/team/app/../other/tags/list", 400, "NAME_INVALID"),
        Arguments.of("GET", "/v2/./team/manifests/latest", 400, "NAME_INVALID"),
        Arguments.of("GET", "/v2/team;x/tags/list", 400, "NAME_INVALID"),
        Arguments.of("GET", "/v2/team/app/..;/other/tags/list", 400, "NAME_INVALID"),
        Arguments.of("GET", "/v2/team/manifests/latest;x", 404, "MANIFEST_UNKNOWN"),
        // in the reference: a read finds nothing, a write is a bad tag or digest
        Arguments.of("GET", "/v2/team/manifests/..%2F..%2Fetc%2Fpasswd", 404, "MANIFEST_UNKNOWN"),
        Arguments.of("HEAD", "/v2/team/manifests/%2e%2e", 404, null),
        Arguments.of("PUT", "/v2/team/manifests/..%2F..%2Fescape", 400, "TAG_INVALID"),
        Arguments.of("PUT", "/v2/team/manifests/sha256:..%2Fescape", 400, "DIGEST_INVALID"),
        Arguments.of("DELETE", "/v2/team/manifests/%2e%2e", 400, "TAG_INVALID"),
        // in a digest or an upload id
        Arguments.of("GET", "/v2/team/blobs/sha256:..%2F..%2Fescape", 400, "DIGEST_INVALID"),
        Arguments.of("GET", "/v2/team/referrers/..%2Fescape", 400, "DIGEST_INVALID"),
        Arguments.of("PATCH", "/v2/team/blobs/uploads/..%2F..%2Fescape", 404, "BLOB_UPLOAD_UNKNOWN"),
        Arguments.of("PUT", "/v2/team/blobs/uploads/%2e%2e?digest=" + DIGEST, 404, "BLOB_UPLOAD_UNKNOWN"),
        // paths Jetty cannot parse at all: no path to go by, so the name is what is wrong
        Arguments.of("GET", "/v2/team/manifests/%00", 400, "NAME_INVALID"),
        Arguments.of("GET", "/v2/team/blobs/%zz", 400, "NAME_INVALID"),
        Arguments.of("PUT", "/v2/te%0am/manifests/latest", 400, "NAME_INVALID"));
  }

  @ParameterizedTest(name = "{0} {1} -> {2} {3}")
  @MethodSource("refusedPaths")
  void aPathRefusedBeforeRoutingGetsTheSpecErrorForItsWrongPart(String method, String target, int status,
      String code) throws IOException {
    boolean hasBody = method.equals("PUT") || method.equals("PATCH") || method.equals("POST");
    RawHttp.Response r = RawHttp.send(registry.port(), method, target,
        hasBody ? Map.of("Content-Type", "application/octet-stream") : Map.of(), hasBody ? new byte[3] : null);

    assertThat(r.status()).as("%s %s: %s", method, target, r.text()).isEqualTo(status);
    assertThat(r.header("Content-Type")).contains("application/json");
    if (code == null) {
      assertThat(r.body()).as("HEAD has no body").isEmpty();
      return;
    }
    assertSpecError(r, code);
    assertThat(r.text()).doesNotContain(target).doesNotContain("escape").doesNotContain("<");
  }

  @Test
  void aUriLongerThanJettyReadsIs414WithTheSpecError() throws IOException {
    RawHttp.Response r = RawHttp.send(registry.port(), "GET", "/v2/" + "a".repeat(20_000) + "/tags/list");

    assertThat(r.status()).isEqualTo(414);
    assertThat(r.header("Content-Type")).contains("application/json");
    assertSpecError(r, "NAME_INVALID");
  }

  @Test
  void aHeaderBlockLargerThanJettyReadsIs431WithTheSpecError() throws IOException {
    RawHttp.Response r = RawHttp.send(registry.port(), "GET", "/v2/", Map.of("X-Padding", "p".repeat(20_000)), null);

    assertThat(r.status()).isEqualTo(431);
    assertThat(r.header("Content-Type")).contains("application/json");
    assertSpecError(r, "UNSUPPORTED");
  }

  @Test
  void pathsOutsideTheApiGetBerthsOwnPageOrJsonNeverJettys() throws IOException {
    for (String target : new String[] {"/favicon.ico", "/no/such/page", "/ui/%2e%2e/api/v1/gc/runs"}) {
      RawHttp.Response r = RawHttp.send(registry.port(), "GET", target);

      assertThat(r.status()).as(target).isBetween(400, 499);
      assertThat(r.header("Content-Type")).as(target).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
      assertThat(r.text()).as(target).contains("Berth").doesNotContain("Jetty").doesNotContain("%2e")
          .doesNotContain("no/such");
    }
    RawHttp.Response api = RawHttp.send(registry.port(), "GET", "/api/no-such-endpoint");
    assertThat(api.status()).isEqualTo(404);
    assertThat(api.header("Content-Type")).contains("application/json");
    assertThat(JSON.readTree(api.body()).path("error").asText()).isNotEmpty();
  }

  private static void assertSpecError(RawHttp.Response r, String code) throws IOException {
    JsonNode error = JSON.readTree(r.body()).path("errors").path(0);
    assertThat(error.path("code").asText()).as(r.text()).isEqualTo(code);
    assertThat(error.path("message").asText()).isNotEmpty();
  }
}
