package dev.berth.http;

import static dev.berth.testing.ApiAssertions.assertError;
import static dev.berth.testing.ManifestBuilder.OCI_CONFIG;
import static dev.berth.testing.ManifestBuilder.OCI_INDEX;
import static dev.berth.testing.ManifestBuilder.OCI_MANIFEST;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.testing.BlobBackend;
import dev.berth.testing.Digests;
import dev.berth.testing.ManifestBuilder;
import dev.berth.testing.ManifestBuilder.Descriptor;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.RegistryClient.PushedManifest;
import dev.berth.testing.RegistryResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /v2/<name>/referrers/<digest>} and the {@code OCI-Subject} header on push. */
class ReferrersApiTest {
  private static final String SBOM = "application/vnd.example.sbom.v1";
  private static final String SIGNATURE = "application/vnd.example.signature.v1+json";

  @TempDir
  static Path root;
  static RegistryClient registry;

  /** On the filesystem here; again on S3 in {@code S3ReferrersApiTest}. */
  @BeforeAll
  static void start(TestInfo test) throws Exception {
    registry = RegistryClient.start(root, false, BlobBackend.of(test));
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  private static String repo() {
    return RegistryClient.uniqueRepo("referrers");
  }

  /** An artifact of {@code artifactType} (empty config, one small layer) about {@code subject}. */
  private static ManifestBuilder artifact(String repo, String artifactType, Descriptor subject) {
    registry.pushBlob(repo, ManifestBuilder.EMPTY_JSON);
    byte[] payload = ("{\"about\":\"" + subject.digest() + "\",\"type\":\"" + artifactType + "\"}")
        .getBytes(StandardCharsets.UTF_8);
    registry.pushBlob(repo, payload);
    return ManifestBuilder.image(OCI_MANIFEST)
        .artifactType(artifactType)
        .config(Descriptor.emptyConfig())
        .layers(Descriptor.of("application/octet-stream", payload))
        .subject(subject);
  }

  private static PushedManifest pushByDigest(String repo, ManifestBuilder manifest) {
    byte[] bytes = manifest.build();
    return registry.pushManifest(repo, Digests.sha256(bytes), manifest.mediaType(), bytes);
  }

  private static RegistryResponse referrers(String repo, String subjectDigest) {
    return registry.get("/v2/" + repo + "/referrers/" + subjectDigest);
  }

  private static RegistryResponse referrers(String repo, String subjectDigest, String artifactType) {
    return registry.get(RegistryClient.withQuery("/v2/" + repo + "/referrers/" + subjectDigest,
        "artifactType", artifactType));
  }

  /** Asserts a referrers response is an OCI index and returns its descriptors by digest. */
  private static Map<String, JsonNode> referrerIndex(RegistryResponse r) {
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    assertThat(r.header("Content-Type")).isEqualTo(OCI_INDEX);
    JsonNode index = r.json();
    assertThat(index.path("schemaVersion").asInt()).isEqualTo(2);
    assertThat(index.path("mediaType").asText()).isEqualTo(OCI_INDEX);
    assertThat(index.path("manifests").isArray()).as("manifests array in %s", r).isTrue();
    Map<String, JsonNode> byDigest = new HashMap<>();
    index.path("manifests").forEach(d -> byDigest.put(d.path("digest").asText(), d));
    return byDigest;
  }

  private static void assertDescriptor(JsonNode descriptor, PushedManifest manifest, String artifactType,
      Map<String, String> annotations) {
    assertThat(descriptor).as("descriptor of %s", manifest.digest()).isNotNull();
    assertThat(descriptor.path("mediaType").asText()).isEqualTo(manifest.mediaType());
    assertThat(descriptor.path("size").asLong()).isEqualTo(manifest.bytes().length);
    if (artifactType == null) {
      assertThat(descriptor.has("artifactType")).as("artifactType in %s", descriptor).isFalse();
    } else {
      assertThat(descriptor.path("artifactType").asText()).isEqualTo(artifactType);
    }
    Map<String, String> actual = new HashMap<>();
    descriptor.path("annotations").properties().forEach(e -> actual.put(e.getKey(), e.getValue().asText()));
    assertThat(actual).isEqualTo(annotations);
  }

  @Test
  void pushWithSubjectAnswersOciSubject() {
    String repo = repo();
    PushedManifest subject = registry.pushImage(repo, "app");
    byte[] bytes = artifact(repo, SBOM, subject.descriptor()).build();

    RegistryResponse put = registry.putManifest(repo, Digests.sha256(bytes), OCI_MANIFEST, bytes);

    assertThat(put.status()).as("%s", put).isEqualTo(201);
    assertThat(put.header("OCI-Subject")).isEqualTo(subject.digest());
  }

  @Test
  void pushWithoutSubjectHasNoOciSubject() {
    String repo = repo();

    RegistryResponse put = registry.putManifest(repo, "plain", OCI_MANIFEST,
        registry.imageWithFreshBlobs(repo, OCI_MANIFEST).build());

    assertThat(put.status()).isEqualTo(201);
    assertThat(put.hasHeader("OCI-Subject")).isFalse();
  }

  @Test
  void referrersListsEveryReferrerWithItsDescriptorFields() {
    String repo = repo();
    PushedManifest subject = registry.pushImage(repo, "app");
    PushedManifest sbom = pushByDigest(repo, artifact(repo, SBOM, subject.descriptor())
        .annotation("org.opencontainers.image.created", "2024-01-01T14:42:55Z")
        .annotation("org.example.sbom.format", "json"));
    PushedManifest signature = pushByDigest(repo, artifact(repo, SIGNATURE, subject.descriptor())
        .annotation("org.example.signature.fingerprint", "abcd"));
    // An image manifest without artifactType: the config's media type stands in for it.
    PushedManifest image = pushByDigest(repo, registry.imageWithFreshBlobs(repo, OCI_MANIFEST)
        .subject(subject.descriptor()));
    // An index without artifactType: the descriptor has none.
    PushedManifest index = pushByDigest(repo, ManifestBuilder.index(OCI_INDEX)
        .manifests(image.descriptor())
        .subject(subject.descriptor())
        .annotation("org.example.kind", "bundle"));

    RegistryResponse r = referrers(repo, subject.digest());

    Map<String, JsonNode> listed = referrerIndex(r);
    assertThat(listed).containsOnlyKeys(sbom.digest(), signature.digest(), image.digest(), index.digest());
    assertDescriptor(listed.get(sbom.digest()), sbom, SBOM,
        Map.of("org.opencontainers.image.created", "2024-01-01T14:42:55Z", "org.example.sbom.format", "json"));
    assertDescriptor(listed.get(signature.digest()), signature, SIGNATURE,
        Map.of("org.example.signature.fingerprint", "abcd"));
    assertDescriptor(listed.get(image.digest()), image, OCI_CONFIG, Map.of());
    assertDescriptor(listed.get(index.digest()), index, null, Map.of("org.example.kind", "bundle"));
    assertThat(r.hasHeader("OCI-Filters-Applied")).as("unfiltered: %s", r).isFalse();
  }

  @Test
  void artifactTypeFilterKeepsOnlyThatTypeAndSaysSo() {
    String repo = repo();
    PushedManifest subject = registry.pushImage(repo, "app");
    PushedManifest sbom = pushByDigest(repo, artifact(repo, SBOM, subject.descriptor()));
    PushedManifest signature = pushByDigest(repo, artifact(repo, SIGNATURE, subject.descriptor()));

    RegistryResponse onlySbom = referrers(repo, subject.digest(), SBOM);
    RegistryResponse onlySignature = referrers(repo, subject.digest(), SIGNATURE);
    RegistryResponse none = referrers(repo, subject.digest(), "application/vnd.example.unknown");

    assertThat(referrerIndex(onlySbom)).containsOnlyKeys(sbom.digest());
    assertThat(onlySbom.header("OCI-Filters-Applied")).isEqualTo("artifactType");
    assertThat(referrerIndex(onlySignature)).containsOnlyKeys(signature.digest());
    assertThat(onlySignature.header("OCI-Filters-Applied")).isEqualTo("artifactType");
    assertThat(referrerIndex(none)).isEmpty();
    assertThat(none.header("OCI-Filters-Applied")).isEqualTo("artifactType");
  }

  @Test
  void subjectWithoutReferrersHasAnEmptyList() {
    String repo = repo();
    PushedManifest subject = registry.pushImage(repo, "lonely");

    RegistryResponse r = referrers(repo, subject.digest());

    assertThat(referrerIndex(r)).isEmpty();
    assertThat(r.json().path("manifests").size()).isZero();
  }

  @Test
  void unknownSubjectOrRepositoryIsAnEmptyListNot404() {
    String repo = repo();
    registry.pushImage(repo, "app");
    String unknown = Digests.sha256("no such subject".getBytes());

    assertThat(referrerIndex(referrers(repo, unknown))).isEmpty();
    assertThat(referrerIndex(referrers(repo(), unknown))).isEmpty();
  }

  @Test
  void referrersMayBePushedBeforeTheirSubject() {
    String repo = repo();
    ManifestBuilder subjectManifest = registry.imageWithFreshBlobs(repo, OCI_MANIFEST);
    byte[] subjectBytes = subjectManifest.build();
    Descriptor subject = Descriptor.of(OCI_MANIFEST, subjectBytes);
    byte[] sbomBytes = artifact(repo, SBOM, subject).build();

    RegistryResponse put = registry.putManifest(repo, Digests.sha256(sbomBytes), OCI_MANIFEST, sbomBytes);
    assertThat(put.status()).as("%s", put).isEqualTo(201);
    assertThat(put.header("OCI-Subject")).isEqualTo(subject.digest());
    assertThat(referrerIndex(referrers(repo, subject.digest()))).containsOnlyKeys(Digests.sha256(sbomBytes));

    registry.pushManifest(repo, "late", OCI_MANIFEST, subjectBytes);
    assertThat(referrerIndex(referrers(repo, subject.digest()))).containsOnlyKeys(Digests.sha256(sbomBytes));
  }

  @Test
  void referrersAreScopedToTheirRepository() {
    String repo = repo();
    String other = repo();
    PushedManifest subject = registry.pushImage(repo, "app");
    registry.pushImage(other, "unrelated");
    pushByDigest(repo, artifact(repo, SBOM, subject.descriptor()));

    assertThat(referrerIndex(referrers(repo, subject.digest()))).hasSize(1);
    assertThat(referrerIndex(referrers(other, subject.digest()))).isEmpty();
  }

  @Test
  void malformedSubjectDigestIs400DigestInvalid() {
    String repo = repo();
    registry.pushImage(repo, "app");

    assertError(referrers(repo, "sha256:xyz"), 400, "DIGEST_INVALID");
    assertError(referrers(repo, "notadigest"), 400, "DIGEST_INVALID");
  }
}
