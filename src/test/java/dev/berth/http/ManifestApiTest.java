package dev.berth.http;

import static dev.berth.testing.ApiAssertions.assertError;
import static dev.berth.testing.ApiAssertions.assertHeadError;
import static dev.berth.testing.ManifestBuilder.DOCKER_MANIFEST;
import static dev.berth.testing.ManifestBuilder.DOCKER_MANIFEST_LIST;
import static dev.berth.testing.ManifestBuilder.OCI_CONFIG;
import static dev.berth.testing.ManifestBuilder.OCI_INDEX;
import static dev.berth.testing.ManifestBuilder.OCI_LAYER;
import static dev.berth.testing.ManifestBuilder.OCI_MANIFEST;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.testing.BlobBackend;
import dev.berth.testing.Digests;
import dev.berth.testing.ManifestBuilder;
import dev.berth.testing.ManifestBuilder.Descriptor;
import dev.berth.testing.RawHttp;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.RegistryClient.PushedManifest;
import dev.berth.testing.RegistryResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code /v2/<name>/manifests/<reference>}: push, pull, content negotiation and validation. */
class ManifestApiTest {
  private static final int FOUR_MIB = 4 * 1024 * 1024;

  @TempDir
  static Path root;
  static RegistryClient registry;

  /** On the filesystem here; again on S3 in {@code S3ManifestApiTest}. */
  @BeforeAll
  static void start(TestInfo test) throws Exception {
    registry = RegistryClient.start(root, false, BlobBackend.of(test));
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  private static String repo() {
    return RegistryClient.uniqueRepo("manifests");
  }

  /** Every kind of manifest the registry stores, each prepared with what it references. */
  enum Kind {
    OCI_IMAGE,
    OCI_IMAGE_INDEX,
    DOCKER_SCHEMA2,
    DOCKER_LIST,
    OCI_ARTIFACT;

    /** Pushes whatever the manifest references into {@code repo} and returns the manifest, unpushed. */
    ManifestBuilder prepare(String repo) {
      return switch (this) {
        case OCI_IMAGE -> registry.imageWithFreshBlobs(repo, OCI_MANIFEST);
        case DOCKER_SCHEMA2 -> registry.imageWithFreshBlobs(repo, DOCKER_MANIFEST);
        case OCI_IMAGE_INDEX -> multiPlatform(repo, OCI_INDEX, OCI_MANIFEST);
        case DOCKER_LIST -> multiPlatform(repo, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST);
        case OCI_ARTIFACT -> {
          registry.pushBlob(repo, ManifestBuilder.EMPTY_JSON);
          byte[] sbom = "{\"sbom\":true}".getBytes(StandardCharsets.UTF_8);
          registry.pushBlob(repo, sbom);
          yield ManifestBuilder.image(OCI_MANIFEST)
              .artifactType("application/vnd.example.sbom.v1")
              .config(Descriptor.emptyConfig())
              .layers(Descriptor.of("application/vnd.example.sbom.v1+json", sbom))
              .annotation("org.opencontainers.image.created", "2024-01-01T00:00:00Z");
        }
      };
    }
  }

  /** An index of {@code indexType} over a linux/amd64 and a linux/arm64 image, both pushed by digest. */
  private static ManifestBuilder multiPlatform(String repo, String indexType, String imageType) {
    PushedManifest amd64 = pushByDigest(repo, registry.imageWithFreshBlobs(repo, imageType));
    PushedManifest arm64 = pushByDigest(repo, registry.imageWithFreshBlobs(repo, imageType));
    return ManifestBuilder.index(indexType).manifests(
        arm64.descriptor().platform("linux", "arm64"),
        amd64.descriptor().platform("linux", "amd64"));
  }

  private static PushedManifest pushByDigest(String repo, ManifestBuilder manifest) {
    byte[] bytes = manifest.build();
    return registry.pushManifest(repo, Digests.sha256(bytes), manifest.mediaType(), bytes);
  }

  private static void assertServedExactly(RegistryResponse r, String mediaType, byte[] bytes) {
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    assertThat(r.body()).as("bytes as pushed").isEqualTo(bytes);
    assertThat(r.header("Content-Type")).isEqualTo(mediaType);
    assertThat(r.header("Docker-Content-Digest")).isEqualTo(Digests.sha256(bytes));
    assertThat(r.contentLength()).isEqualTo(bytes.length);
  }

  private static void assertHeadHeaders(String repo, String reference, String mediaType, byte[] bytes)
      throws Exception {
    String path = "/v2/" + repo + "/manifests/" + reference;
    RegistryResponse head = registry.call("HEAD", path).header("Accept", mediaType).send();
    assertThat(head.status()).as("%s", head).isEqualTo(200);
    assertThat(head.header("Content-Type")).isEqualTo(mediaType);
    assertThat(head.header("Docker-Content-Digest")).isEqualTo(Digests.sha256(bytes));
    assertThat(head.contentLength()).isEqualTo(bytes.length);
    RawHttp.Response raw = RawHttp.send(registry.port(), "HEAD", path, Map.of("Accept", mediaType), null);
    assertThat(raw.status()).isEqualTo(200);
    assertThat(raw.body()).as("HEAD body").isEmpty();
  }

  // ---- push and pull

  @ParameterizedTest
  @EnumSource(Kind.class)
  void pushByTagThenPullByTagAndDigestGivesTheExactBytes(Kind kind) throws Exception {
    String repo = repo();
    ManifestBuilder manifest = kind.prepare(repo);
    byte[] bytes = manifest.build();
    String digest = Digests.sha256(bytes);

    RegistryResponse put = registry.putManifest(repo, "v1", manifest.mediaType(), bytes);

    assertThat(put.status()).as("%s", put).isEqualTo(201);
    assertThat(put.header("Location")).isEqualTo(registry.url("/v2/" + repo + "/manifests/" + digest));
    assertThat(put.header("Docker-Content-Digest")).isEqualTo(digest);
    assertServedExactly(registry.getManifest(repo, "v1", manifest.mediaType()), manifest.mediaType(), bytes);
    assertServedExactly(registry.getManifest(repo, digest, manifest.mediaType()), manifest.mediaType(), bytes);
    assertHeadHeaders(repo, "v1", manifest.mediaType(), bytes);
    assertHeadHeaders(repo, digest, manifest.mediaType(), bytes);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void pushByDigestThenPullByDigest(Kind kind) throws Exception {
    String repo = repo();
    ManifestBuilder manifest = kind.prepare(repo);
    byte[] bytes = manifest.build();
    String digest = Digests.sha256(bytes);

    RegistryResponse put = registry.putManifest(repo, digest, manifest.mediaType(), bytes);

    assertThat(put.status()).as("%s", put).isEqualTo(201);
    assertThat(put.header("Location")).isEqualTo(registry.url("/v2/" + repo + "/manifests/" + digest));
    assertThat(put.header("Docker-Content-Digest")).isEqualTo(digest);
    assertServedExactly(registry.getManifest(repo, digest, manifest.mediaType()), manifest.mediaType(), bytes);
    assertHeadHeaders(repo, digest, manifest.mediaType(), bytes);
  }

  @Test
  void pushBySha512DigestIsStoredUnderThatDigest() {
    String repo = repo();
    byte[] bytes = registry.imageWithFreshBlobs(repo, OCI_MANIFEST).build();
    String digest = Digests.sha512(bytes);

    RegistryResponse put = registry.putManifest(repo, digest, OCI_MANIFEST, bytes);

    assertThat(put.status()).as("%s", put).isEqualTo(201);
    assertThat(put.header("Docker-Content-Digest")).isEqualTo(digest);
    assertThat(put.header("Location")).isEqualTo(registry.url("/v2/" + repo + "/manifests/" + digest));
    RegistryResponse get = registry.getManifest(repo, digest, OCI_MANIFEST);
    assertThat(get.status()).isEqualTo(200);
    assertThat(get.body()).isEqualTo(bytes);
  }

  @Test
  void pushingTheSameManifestTwiceIsIdempotent() {
    String repo = repo();
    ManifestBuilder manifest = registry.imageWithFreshBlobs(repo, OCI_MANIFEST);

    PushedManifest first = registry.pushManifest(repo, "same", manifest);
    PushedManifest second = registry.pushManifest(repo, "same", manifest);

    assertThat(second.digest()).isEqualTo(first.digest());
    assertServedExactly(registry.getManifest(repo, "same", OCI_MANIFEST), OCI_MANIFEST, first.bytes());
  }

  @Test
  void pushingATagAgainMovesIt() {
    String repo = repo();
    registry.pushImage(repo, "moving");
    PushedManifest second = registry.pushImage(repo, "moving");

    assertServedExactly(registry.getManifest(repo, "moving", OCI_MANIFEST), OCI_MANIFEST, second.bytes());
  }

  @Test
  void manifestWithoutMediaTypeFieldTakesTheContentType() {
    String repo = repo();
    byte[] bytes = registry.imageWithFreshBlobs(repo, OCI_MANIFEST).withoutMediaType().build();

    registry.pushManifest(repo, "bare", OCI_MANIFEST, bytes);

    assertServedExactly(registry.getManifest(repo, "bare", OCI_MANIFEST), OCI_MANIFEST, bytes);
  }

  @Test
  void contentTypeParametersAreIgnored() {
    String repo = repo();
    byte[] bytes = registry.imageWithFreshBlobs(repo, OCI_MANIFEST).build();

    RegistryResponse put = registry.putManifest(repo, "params", OCI_MANIFEST + "; charset=utf-8", bytes);

    assertThat(put.status()).as("%s", put).isEqualTo(201);
    assertServedExactly(registry.getManifest(repo, "params", OCI_MANIFEST), OCI_MANIFEST, bytes);
  }

  @Test
  void foreignLayersNeedNotBeUploaded() {
    String repo = repo();
    ManifestBuilder manifest = registry.imageWithFreshBlobs(repo, DOCKER_MANIFEST).layers(
        Descriptor.of(ManifestBuilder.DOCKER_FOREIGN_LAYER, Digests.sha256("windows base".getBytes()), 12)
            .with("urls", List.of("https://example.com/layer.tar.gz")));

    RegistryResponse put = registry.putManifest(repo, "foreign", DOCKER_MANIFEST, manifest.build());

    assertThat(put.status()).as("%s", put).isEqualTo(201);
  }

  // ---- content negotiation

  @Test
  void ociManifestByTagIsUnknownToAClientAcceptingOnlyDockerSchema2() {
    String repo = repo();
    PushedManifest image = registry.pushImage(repo, "oci");

    assertError(registry.getManifest(repo, "oci", DOCKER_MANIFEST), 404, "MANIFEST_UNKNOWN");
    assertServedExactly(registry.getManifest(repo, "oci", OCI_MANIFEST), OCI_MANIFEST, image.bytes());
    assertServedExactly(registry.getManifest(repo, "oci", DOCKER_MANIFEST + ", " + OCI_MANIFEST + ";q=0.5"),
        OCI_MANIFEST, image.bytes());
    assertServedExactly(registry.getManifest(repo, "oci", DOCKER_MANIFEST, OCI_MANIFEST), OCI_MANIFEST, image.bytes());
    assertServedExactly(registry.getManifest(repo, "oci", "*/*"), OCI_MANIFEST, image.bytes());
  }

  @Test
  void byDigestTheStoredManifestIsServedWhateverTheAcceptHeader() {
    String repo = repo();
    PushedManifest image = registry.pushImage(repo, "oci");

    assertServedExactly(registry.getManifest(repo, image.digest(), DOCKER_MANIFEST), OCI_MANIFEST, image.bytes());
  }

  @Test
  void dockerManifestListByTagResolvesToTheLinuxAmd64ChildForASchema2OnlyClient() {
    String repo = repo();
    PushedManifest amd64 = pushByDigest(repo, registry.imageWithFreshBlobs(repo, DOCKER_MANIFEST));
    PushedManifest arm64 = pushByDigest(repo, registry.imageWithFreshBlobs(repo, DOCKER_MANIFEST));
    PushedManifest list = registry.pushManifest(repo, "multi", ManifestBuilder.index(DOCKER_MANIFEST_LIST).manifests(
        arm64.descriptor().platform("linux", "arm64"),
        amd64.descriptor().platform("linux", "amd64")));

    assertServedExactly(registry.getManifest(repo, "multi", DOCKER_MANIFEST), DOCKER_MANIFEST, amd64.bytes());
    assertServedExactly(registry.getManifest(repo, "multi", DOCKER_MANIFEST_LIST, DOCKER_MANIFEST),
        DOCKER_MANIFEST_LIST, list.bytes());
    assertServedExactly(registry.getManifest(repo, list.digest(), DOCKER_MANIFEST), DOCKER_MANIFEST_LIST, list.bytes());
  }

  // ---- validation

  @Test
  void invalidJsonIs400ManifestInvalid() {
    String repo = repo();

    RegistryResponse r = registry.putManifest(repo, "bad", OCI_MANIFEST, "{\"schemaVersion\": 2, ".getBytes());

    assertError(r, 400, "MANIFEST_INVALID");
  }

  @Test
  void mediaTypeDisagreeingWithContentTypeIs400ManifestInvalid() {
    String repo = repo();
    byte[] oci = registry.imageWithFreshBlobs(repo, OCI_MANIFEST).build();

    assertError(registry.putManifest(repo, "mismatch", DOCKER_MANIFEST, oci), 400, "MANIFEST_INVALID");
    assertError(registry.getManifest(repo, "mismatch", OCI_MANIFEST, DOCKER_MANIFEST), 404, "MANIFEST_UNKNOWN");
  }

  @Test
  void schemaVersionOneIs400ManifestInvalid() {
    String repo = repo();
    byte[] v1 = registry.imageWithFreshBlobs(repo, OCI_MANIFEST).schemaVersion(1).build();

    assertError(registry.putManifest(repo, "v1", OCI_MANIFEST, v1), 400, "MANIFEST_INVALID");
  }

  @Test
  void dockerSchema1IsRejected() {
    String repo = repo();
    byte[] schema1 = """
        {"schemaVersion": 1, "name": "x", "tag": "latest", "architecture": "amd64",
         "fsLayers": [], "history": [], "signatures": []}""".getBytes(StandardCharsets.UTF_8);

    RegistryResponse r = registry.putManifest(repo, "s1", "application/vnd.docker.distribution.manifest.v1+prettyjws",
        schema1);

    assertError(r, 400, "MANIFEST_INVALID");
  }

  @Test
  void layerNotUploadedIs400ManifestBlobUnknown() {
    String repo = repo();
    byte[] config = "{\"os\":\"linux\"}".getBytes();
    registry.pushBlob(repo, config);
    Descriptor missingLayer = Descriptor.of(OCI_LAYER, RegistryClient.randomBytes(64));
    ManifestBuilder manifest = ManifestBuilder.image(OCI_MANIFEST)
        .config(Descriptor.of(OCI_CONFIG, config))
        .layers(missingLayer);

    JsonNode error = assertError(registry.putManifest(repo, "incomplete", OCI_MANIFEST, manifest.build()), 400,
        "MANIFEST_BLOB_UNKNOWN");

    assertThat(error.toString()).contains(missingLayer.digest());
    assertError(registry.getManifest(repo, "incomplete", OCI_MANIFEST), 404, "MANIFEST_UNKNOWN");
  }

  @Test
  void configNotUploadedIs400ManifestBlobUnknown() {
    String repo = repo();
    byte[] layer = RegistryClient.randomBytes(64);
    registry.pushBlob(repo, layer);
    ManifestBuilder manifest = ManifestBuilder.image(OCI_MANIFEST)
        .config(Descriptor.of(OCI_CONFIG, "{\"missing\":true}".getBytes()))
        .layers(Descriptor.of(OCI_LAYER, layer));

    assertError(registry.putManifest(repo, "noconfig", OCI_MANIFEST, manifest.build()), 400, "MANIFEST_BLOB_UNKNOWN");
  }

  @Test
  void blobsUploadedOnlyToAnotherRepositoryCountAsMissing() {
    String repo = repo();
    String other = repo();
    ManifestBuilder manifest = registry.imageWithFreshBlobs(other, OCI_MANIFEST);
    registry.pushBlob(repo, "repository exists".getBytes());

    assertError(registry.putManifest(repo, "borrowed", OCI_MANIFEST, manifest.build()), 400, "MANIFEST_BLOB_UNKNOWN");
    assertThat(registry.putManifest(other, "own", OCI_MANIFEST, manifest.build()).status()).isEqualTo(201);
  }

  @Test
  void indexWhoseChildIsAbsentIs400ManifestBlobUnknown() {
    String repo = repo();
    String other = repo();
    PushedManifest present = registry.pushImage(repo, "present");
    PushedManifest elsewhere = registry.pushImage(other, "elsewhere");
    Descriptor absent = Descriptor.of(OCI_MANIFEST, registry.imageWithFreshBlobs(repo, OCI_MANIFEST).build());

    for (Descriptor missing : List.of(absent, elsewhere.descriptor())) {
      byte[] index = ManifestBuilder.index(OCI_INDEX).manifests(present.descriptor(), missing).build();
      JsonNode error = assertError(registry.putManifest(repo, "partial", OCI_INDEX, index), 400,
          "MANIFEST_BLOB_UNKNOWN");
      assertThat(error.toString()).contains(missing.digest());
    }
  }

  @Test
  void manifestOfExactlyFourMebibytesIsAccepted() {
    String repo = repo();
    byte[] bytes = paddedTo(repo, FOUR_MIB);

    RegistryResponse put = registry.putManifest(repo, "big", OCI_MANIFEST, bytes);

    assertThat(put.status()).as("%s", put).isEqualTo(201);
    assertThat(registry.getManifest(repo, "big", OCI_MANIFEST).body()).isEqualTo(bytes);
  }

  /** The spec: a registry enforcing a size limit SHOULD answer 413 Payload Too Large. */
  @Test
  void manifestLargerThanFourMebibytesIs413SizeInvalid() {
    String repo = repo();
    byte[] bytes = paddedTo(repo, FOUR_MIB + 1);

    assertError(registry.putManifest(repo, "huge", OCI_MANIFEST, bytes), 413, "SIZE_INVALID");
    assertError(registry.getManifest(repo, "huge", OCI_MANIFEST), 404, "MANIFEST_UNKNOWN");
  }

  /** A valid image manifest, padded with an annotation to exactly {@code size} bytes. */
  private static byte[] paddedTo(String repo, int size) {
    ManifestBuilder base = registry.imageWithFreshBlobs(repo, OCI_MANIFEST);
    int unpadded = base.annotation("padding", "").build().length;
    return base.annotation("padding", "x".repeat(size - unpadded)).build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"-bad", ".bad", "bad!tag", "tag,comma"})
  void invalidTagIs400TagInvalid(String tag) {
    String repo = repo();
    byte[] bytes = registry.imageWithFreshBlobs(repo, OCI_MANIFEST).build();

    assertError(registry.putManifest(repo, tag, OCI_MANIFEST, bytes), 400, "TAG_INVALID");
  }

  @Test
  void tagOf129CharactersIsInvalidAnd128IsFine() {
    String repo = repo();
    byte[] bytes = registry.imageWithFreshBlobs(repo, OCI_MANIFEST).build();

    assertError(registry.putManifest(repo, "t".repeat(129), OCI_MANIFEST, bytes), 400, "TAG_INVALID");
    assertThat(registry.putManifest(repo, "t".repeat(128), OCI_MANIFEST, bytes).status()).isEqualTo(201);
    assertThat(registry.putManifest(repo, "_Mixed.Case-1_x", OCI_MANIFEST, bytes).status()).isEqualTo(201);
    assertServedExactly(registry.getManifest(repo, "t".repeat(128), OCI_MANIFEST), OCI_MANIFEST, bytes);
  }

  @Test
  void pushByDigestThatDoesNotMatchTheBodyIs400DigestInvalid() {
    String repo = repo();
    byte[] bytes = registry.imageWithFreshBlobs(repo, OCI_MANIFEST).build();
    String wrong = Digests.sha256("other bytes".getBytes());

    assertError(registry.putManifest(repo, wrong, OCI_MANIFEST, bytes), 400, "DIGEST_INVALID");
    assertError(registry.getManifest(repo, wrong, OCI_MANIFEST), 404, "MANIFEST_UNKNOWN");
    assertError(registry.getManifest(repo, Digests.sha256(bytes), OCI_MANIFEST), 404, "MANIFEST_UNKNOWN");
  }

  @Test
  void unknownManifestIs404ManifestUnknown() {
    String repo = repo();
    registry.pushImage(repo, "exists");
    String unknownDigest = Digests.sha256("no such manifest".getBytes());

    assertError(registry.getManifest(repo, "nope", OCI_MANIFEST), 404, "MANIFEST_UNKNOWN");
    assertError(registry.getManifest(repo, unknownDigest, OCI_MANIFEST), 404, "MANIFEST_UNKNOWN");
    assertHeadError(registry.head("/v2/" + repo + "/manifests/nope"), 404);
    assertHeadError(registry.head("/v2/" + repo + "/manifests/" + unknownDigest), 404);
  }

  @Test
  void manifestInAnUnknownRepositoryIs404() {
    RegistryResponse r = registry.getManifest(repo(), "latest", OCI_MANIFEST);

    assertThat(r.status()).isEqualTo(404);
    assertThat(r.errorCodes()).containsAnyOf("MANIFEST_UNKNOWN", "NAME_UNKNOWN");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sha256:xyz", "md5:abc", "sha256:"})
  void malformedDigestReferenceIs400DigestInvalidOnPushAnd404ManifestUnknownOnRead(String reference) {
    String repo = repo();
    registry.pushImage(repo, "exists");

    assertError(registry.putManifest(repo, reference, OCI_MANIFEST,
        registry.imageWithFreshBlobs(repo, OCI_MANIFEST).build()), 400, "DIGEST_INVALID");
    assertError(registry.getManifest(repo, reference, OCI_MANIFEST), 404, "MANIFEST_UNKNOWN");
    assertHeadError(registry.head("/v2/" + repo + "/manifests/" + reference), 404);
  }

  /** Docker Registry's answer, which conformance clients probing for a manifest expect. */
  @ParameterizedTest
  @ValueSource(strings = {"-bad", ".bad", "bad!tag", "tag,comma"})
  void readingAReferenceThatIsNeitherTagNorDigestIs404ManifestUnknown(String reference) {
    String repo = repo();
    registry.pushImage(repo, "exists");

    assertError(registry.getManifest(repo, reference, OCI_MANIFEST), 404, "MANIFEST_UNKNOWN");
    assertError(registry.getManifest(repo, "t".repeat(129), OCI_MANIFEST), 404, "MANIFEST_UNKNOWN");
    assertHeadError(registry.head("/v2/" + repo + "/manifests/" + reference), 404);
  }
}
