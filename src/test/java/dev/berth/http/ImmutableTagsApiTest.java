package dev.berth.http;

import static dev.berth.testing.ApiAssertions.assertError;
import static dev.berth.testing.ManifestBuilder.OCI_MANIFEST;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.metadata.PolicyStore.StoredPolicy;
import dev.berth.server.BerthServer;
import dev.berth.testing.Digests;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.RegistryClient.PushedManifest;
import dev.berth.testing.RegistryResponse;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Immutable tags of a namespace's policy over the API: a push that would move one, a delete of one
 * and a delete by digest of an image carrying one are refused with 403 DENIED naming the rule.
 */
class ImmutableTagsApiTest {
  /** The second rule is the one the refusals name, so that its index is seen to be the rule's own. */
  private static final String POLICY = """
      immutable:
        - repositories: ["elsewhere/**"]
          tags: ["stable"]
        - repositories: ["**"]
          tags: ["v*.*.*"]
      """;
  private static final String RULE = "(policy of namespace locked, immutable[1]: repositories [**], tags [v*.*.*])";

  @TempDir
  static Path root;
  static RegistryClient registry;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryClient.start(root, true);
    // Set beside the running server, as another replica or the CLI would set it.
    try (BerthServer.Stores stores = BerthServer.Stores.open(registry.registry().settings())) {
      stores.metadata().policies().put(new StoredPolicy("locked", POLICY, Instant.EPOCH, "admin"));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  private static String manifestPath(String repo, String reference) {
    return "/v2/" + repo + "/manifests/" + reference;
  }

  private static void assertDenied(RegistryResponse response, String message) {
    JsonNode error = assertError(response, 403, "DENIED");
    assertThat(error.path("message").asText()).isEqualTo(message);
  }

  private static void assertPointsAt(String repo, String tag, PushedManifest image) {
    RegistryResponse r = registry.getManifest(repo, tag, OCI_MANIFEST);
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    assertThat(r.body()).isEqualTo(image.bytes());
  }

  @Test
  void theFirstPushOfAnImmutableTagAndARepushOfTheSameDigestWork() {
    String repo = RegistryClient.uniqueRepo("locked");
    PushedManifest image = registry.pushImage(repo, "v1.0.0");
    registry.pushManifest(repo, "v1.0.0", image.mediaType(), image.bytes());
    registry.pushManifest(repo, image.digest(), image.mediaType(), image.bytes());
    assertPointsAt(repo, "v1.0.0", image);
  }

  @Test
  void aPushThatWouldMoveAnImmutableTagIsRefusedAndTheTagStays() {
    String repo = RegistryClient.uniqueRepo("locked");
    PushedManifest image = registry.pushImage(repo, "v1.0.0");
    byte[] other = registry.imageWithFreshBlobs(repo, OCI_MANIFEST).build();

    assertDenied(registry.putManifest(repo, "v1.0.0", OCI_MANIFEST, other),
        "tag v1.0.0 is immutable and points at " + image.digest() + "; a push cannot move it " + RULE);
    assertPointsAt(repo, "v1.0.0", image);
    assertError(registry.getManifest(repo, Digests.sha256(other), OCI_MANIFEST), 404, "MANIFEST_UNKNOWN");
  }

  @Test
  void aDeleteOfAnImmutableTagIsRefusedAndTheTagStays() {
    String repo = RegistryClient.uniqueRepo("locked");
    PushedManifest image = registry.pushImage(repo, "v1.0.0");

    assertDenied(registry.delete(manifestPath(repo, "v1.0.0")),
        "tag v1.0.0 is immutable; it cannot be deleted " + RULE);
    assertPointsAt(repo, "v1.0.0", image);
  }

  @Test
  void aDeleteByDigestOfAnImageCarryingAnImmutableTagIsRefused() {
    String repo = RegistryClient.uniqueRepo("locked");
    PushedManifest image = registry.pushImage(repo, "latest");
    registry.pushManifest(repo, "v2.1.0", image.mediaType(), image.bytes());

    assertDenied(registry.delete(manifestPath(repo, image.digest())),
        "the image carries the immutable tag v2.1.0; it cannot be deleted " + RULE);
    assertPointsAt(repo, "latest", image);
    assertPointsAt(repo, "v2.1.0", image);
  }

  @Test
  void aTagTheRulesDoNotMatchMovesAndGoesAsUsual() {
    String repo = RegistryClient.uniqueRepo("locked");
    PushedManifest first = registry.pushImage(repo, "v1.0");
    PushedManifest second = registry.pushImage(repo, "v1.0");
    assertPointsAt(repo, "v1.0", second);

    assertThat(registry.delete(manifestPath(repo, "v1.0")).status()).isEqualTo(202);
    assertThat(registry.delete(manifestPath(repo, first.digest())).status()).isEqualTo(202);
    assertError(registry.getManifest(repo, first.digest(), OCI_MANIFEST), 404, "MANIFEST_UNKNOWN");
  }

  @Test
  void anotherNamespaceIsUnaffected() {
    String repo = RegistryClient.uniqueRepo("free");
    PushedManifest first = registry.pushImage(repo, "v1.0.0");
    PushedManifest second = registry.pushImage(repo, "v1.0.0");
    assertPointsAt(repo, "v1.0.0", second);

    assertThat(registry.delete(manifestPath(repo, "v1.0.0")).status()).isEqualTo(202);
    assertThat(registry.delete(manifestPath(repo, first.digest())).status()).isEqualTo(202);
    registry.pushManifest(repo, "v1.0.0", second.mediaType(), second.bytes());
    assertThat(registry.delete(manifestPath(repo, second.digest())).status()).isEqualTo(202);
  }
}
