package dev.berth.http;

import static dev.berth.testing.ApiAssertions.assertError;
import static dev.berth.testing.ManifestBuilder.OCI_MANIFEST;
import static dev.berth.testing.RegistryClient.withQuery;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.Digests;
import dev.berth.testing.RawHttp;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.RegistryClient.PushedManifest;
import dev.berth.testing.RegistryResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Repository names: multi-component names on every endpoint, invalid names, and path traversal. */
class NamesApiTest {
  private static final String SOME_DIGEST = Digests.sha256("some content".getBytes());

  /** The registry keeps its data in {@code <tmp>/data}; nothing else may appear in {@code <tmp>}. */
  @TempDir
  static Path tmp;
  static RegistryClient registry;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryClient.start(tmp.resolve("data"), true);
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  // ---- valid names

  static Stream<String> multiComponentNames() {
    return Stream.of(
        "a/b/c",
        "x/blobs/y",
        "x/manifests/y",
        "x/blobs/uploads",
        "x/tags/list",
        "x/referrers/y",
        "x/blobs",
        "deep/er/and/deeper/still",
        "lib__x/my-app.v2_1/a--b",
        "long/" + "a".repeat(250)); // 255 characters, the longest name allowed
  }

  @ParameterizedTest
  @MethodSource("multiComponentNames")
  void everyEndpointWorksForTheName(String name) {
    String elsewhere = RegistryClient.uniqueRepo("names");
    String prefix = "/v2/" + name;

    // monolithic and chunked blob uploads
    byte[] content = RegistryClient.randomBytes(64);
    String digest = Digests.sha256(content);
    RegistryResponse monolithic = registry.call("POST", withQuery(prefix + "/blobs/uploads/", "digest", digest))
        .body(content).send();
    assertThat(monolithic.status()).as("%s", monolithic).isEqualTo(201);
    assertThat(monolithic.header("Location")).isEqualTo(registry.url(prefix + "/blobs/" + digest));

    byte[] chunked = RegistryClient.randomBytes(64);
    String location = registry.startUpload(name);
    assertThat(location).startsWith(registry.url(prefix + "/blobs/uploads/"));
    assertThat(registry.get(location).status()).isEqualTo(204);
    RegistryResponse patched = registry.patchChunk(location, chunked, 0);
    assertThat(patched.status()).as("%s", patched).isEqualTo(202);
    RegistryResponse closed = registry.call("PUT", withQuery(patched.header("Location"), "digest",
        Digests.sha256(chunked))).send();
    assertThat(closed.status()).as("%s", closed).isEqualTo(201);

    String cancelled = registry.startUpload(name);
    assertThat(registry.delete(cancelled).status()).isEqualTo(204);

    // blob reads
    assertThat(registry.head(prefix + "/blobs/" + digest).status()).isEqualTo(200);
    assertThat(registry.get(prefix + "/blobs/" + Digests.sha256(chunked)).body()).isEqualTo(chunked);

    // mounts in both directions
    assertThat(registry.mount(elsewhere, name, digest).status()).isEqualTo(201);
    String foreign = registry.pushBlob(elsewhere, RegistryClient.randomBytes(16));
    RegistryResponse mounted = registry.mount(name, elsewhere, foreign);
    assertThat(mounted.status()).as("%s", mounted).isEqualTo(201);
    assertThat(mounted.header("Location")).isEqualTo(registry.url(prefix + "/blobs/" + foreign));

    // manifests
    PushedManifest image = registry.pushImage(name, "v1");
    assertThat(registry.getManifest(name, "v1", OCI_MANIFEST).body()).isEqualTo(image.bytes());
    assertThat(registry.getManifest(name, image.digest(), OCI_MANIFEST).body()).isEqualTo(image.bytes());
    assertThat(registry.call("HEAD", prefix + "/manifests/v1").header("Accept", OCI_MANIFEST).send().status())
        .isEqualTo(200);
    RegistryResponse put = registry.putManifest(name, "v2", OCI_MANIFEST, image.bytes());
    assertThat(put.header("Location")).isEqualTo(registry.url(prefix + "/manifests/" + image.digest()));

    // referrers
    PushedManifest referrer = registry.pushManifest(name, "sig",
        registry.imageWithFreshBlobs(name, OCI_MANIFEST).subject(image.descriptor()));
    RegistryResponse referrers = registry.get(prefix + "/referrers/" + image.digest());
    assertThat(referrers.status()).as("%s", referrers).isEqualTo(200);
    assertThat(referrers.json().path("manifests").get(0).path("digest").asText()).isEqualTo(referrer.digest());

    // listings
    RegistryResponse tags = registry.get(prefix + "/tags/list");
    assertThat(tags.status()).as("%s", tags).isEqualTo(200);
    assertThat(tags.json().path("name").asText()).isEqualTo(name);
    assertThat(registry.allTags(name, 2)).containsExactly("sig", "v1", "v2");
    assertThat(catalog()).contains(name);

    // deletes
    assertThat(registry.delete(prefix + "/manifests/v2").status()).isEqualTo(202);
    assertThat(registry.delete(prefix + "/manifests/" + referrer.digest()).status()).isEqualTo(202);
    assertThat(registry.delete(prefix + "/blobs/" + digest).status()).isEqualTo(202);
    assertThat(registry.allTags(name, 10)).containsExactly("v1");
    assertThat(registry.head(prefix + "/blobs/" + digest).status()).isEqualTo(404);
  }

  private static List<String> catalog() {
    List<String> names = new ArrayList<>();
    String next = "/v2/_catalog?n=50";
    while (next != null) {
      RegistryResponse page = registry.get(next);
      assertThat(page.status()).as("%s", page).isEqualTo(200);
      page.json().path("repositories").forEach(n -> names.add(n.asText()));
      next = RegistryClient.nextLink(page);
    }
    return names;
  }

  // ---- invalid names

  static Stream<String> invalidNames() {
    return Stream.of("Foo", "foo/Bar", "a//b", "a..b", "foo/", "-foo", "foo-", "a/.b", "a".repeat(256),
        "long/" + "a".repeat(251)); // 256 characters
  }

  @ParameterizedTest
  @MethodSource("invalidNames")
  void invalidNameIs400NameInvalidOnEveryEndpoint(String name) {
    String prefix = "/v2/" + name;
    List<RegistryResponse> responses = List.of(
        registry.get(prefix + "/tags/list"),
        registry.call("POST", prefix + "/blobs/uploads/").send(),
        registry.call("POST", withQuery(prefix + "/blobs/uploads/", "digest", SOME_DIGEST)).body(new byte[1]).send(),
        registry.get(prefix + "/blobs/uploads/" + UUID.randomUUID()),
        registry.get(prefix + "/blobs/" + SOME_DIGEST),
        registry.getManifest(name, "latest", OCI_MANIFEST),
        registry.putManifest(name, "latest", OCI_MANIFEST, "{}".getBytes()),
        registry.delete(prefix + "/manifests/latest"),
        registry.get(prefix + "/referrers/" + SOME_DIGEST));

    for (RegistryResponse r : responses) {
      assertError(r, 400, "NAME_INVALID");
    }
    assertThat(registry.head(prefix + "/blobs/" + SOME_DIGEST).status()).isEqualTo(400);
  }

  @Test
  void mountFromAnInvalidNameIs400NameInvalid() {
    String to = RegistryClient.uniqueRepo("names");

    assertError(registry.mount(to, "Not/Valid", SOME_DIGEST), 400, "NAME_INVALID");
  }

  // ---- path traversal

  static Stream<Arguments> traversals() {
    String digest = SOME_DIGEST;
    return Stream.of(
        // in the path (most are refused by Jetty before Berth sees them)
        Arguments.of("POST", "/v2/..%2F..%2Fescape/blobs/uploads/?digest=" + digest),
        Arguments.of("POST", "/v2/%2e%2e/%2e%2e/escape/blobs/uploads/?digest=" + digest),
        Arguments.of("POST", "/v2/%2E%2E%2F%2E%2E%2Fescape/blobs/uploads/?digest=" + digest),
        Arguments.of("POST", "/v2/x/%2e%2e/%2e%2e/%2e%2e/escape/blobs/uploads/?digest=" + digest),
        Arguments.of("POST", "/v2/../../escape/blobs/uploads/?digest=" + digest),
        Arguments.of("POST", "/v2/x/..%5C..%5Cescape/blobs/uploads/?digest=" + digest),
        Arguments.of("PATCH", "/v2/x/blobs/uploads/..%2F..%2F..%2Fescape"),
        Arguments.of("PUT", "/v2/x/blobs/uploads/%2e%2e%2f%2e%2e%2fescape?digest=" + digest),
        Arguments.of("GET", "/v2/x/blobs/uploads/%2e%2e"),
        Arguments.of("GET", "/v2/x/blobs/sha256:..%2F..%2F..%2Fescape"),
        Arguments.of("GET", "/v2/x/blobs/..%2F..%2F..%2Fescape"),
        Arguments.of("PUT", "/v2/x/manifests/..%2F..%2Fescape"),
        Arguments.of("GET", "/v2/x/manifests/..%2F..%2F..%2F..%2Fetc%2Fpasswd"),
        Arguments.of("GET", "/v2/%2e%2e%2f%2e%2e%2fescape/tags/list"),
        Arguments.of("GET", "/v2/x/referrers/..%2F..%2Fescape"),
        // in query parameters, which reach Berth's own validation
        Arguments.of("POST", "/v2/x/blobs/uploads/?mount=" + digest + "&from=..%2F..%2Fescape"),
        Arguments.of("POST", "/v2/x/blobs/uploads/?mount=sha256:..%2F..%2Fescape&from=x"),
        Arguments.of("POST", "/v2/x/blobs/uploads/?digest=sha256:..%2F..%2Fescape"),
        Arguments.of("GET", "/v2/_catalog?last=..%2F..%2Fescape"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("traversals")
  void pathTraversalIsRejectedWithA4xxAndTouchesNothingOutsideTheDataDirectory(String method, String target)
      throws IOException {
    byte[] body = "escaped content".getBytes(StandardCharsets.UTF_8);
    boolean hasBody = !method.equals("GET");

    RawHttp.Response r = RawHttp.send(registry.port(), method, target,
        hasBody ? Map.of("Content-Type", "application/octet-stream") : Map.of(), hasBody ? body : null);

    assertThat(r.status()).as("%s %s -> %s %s", method, target, r.status(), r.text()).isBetween(400, 499);
    try (Stream<Path> siblings = Files.list(tmp)) {
      assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("data");
    }
    try (Stream<Path> inside = Files.walk(tmp.resolve("data"))) {
      assertThat(inside.map(p -> p.getFileName().toString())).doesNotContain("escape", "passwd");
    }
  }
}
