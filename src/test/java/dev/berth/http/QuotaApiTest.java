package dev.berth.http;

import static dev.berth.testing.ApiAssertions.assertError;
import static dev.berth.testing.ManifestBuilder.OCI_MANIFEST;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.metadata.PolicyStore.StoredPolicy;
import dev.berth.policy.ByteSize;
import dev.berth.server.BerthServer;
import dev.berth.testing.Digests;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.RegistryClient.PushedManifest;
import dev.berth.testing.RegistryResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A namespace's quota over the API: a push that would take the usage over it is refused at the
 * manifest PUT with 403 DENIED giving usage and quota; pushes under it, and pushes that add nothing,
 * go through; the usage is answered by the admin API; a refused push's blobs are garbage for GC.
 */
class QuotaApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  /** Room for one image of {@link RegistryClient#imageWithFreshBlobs} (about 1 KiB), not for two. */
  private static final long QUOTA = 1536;

  @TempDir
  static Path root;
  static RegistryClient registry;
  static String token;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryClient.start(root, true);
    token = JSON.readTree(root.resolve("berth/server.json").toFile()).path("token").asText();
    try (BerthServer.Stores stores = BerthServer.Stores.open(registry.registry().settings())) {
      stores.metadata().policies().put(new StoredPolicy("small", "quota: " + QUOTA + "B\n", Instant.EPOCH, "admin"));
      stores.metadata().policies().put(new StoredPolicy("race", "quota: " + QuotaRace.QUOTA + "B\n", Instant.EPOCH, "admin"));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  static JsonNode admin(RegistryClient server, String adminToken, String method, String path, String body)
      throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(server.url(path)))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Authorization", "Bearer " + adminToken)
        .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
    return JSON.readTree(response.body());
  }

  private static long usage(String namespace) throws Exception {
    JsonNode usage = admin(registry, token, "GET", "/api/v1/namespaces/" + namespace + "/usage", null);
    assertThat(usage.path("namespace").asText()).isEqualTo(namespace);
    return usage.path("usageBytes").asLong();
  }

  /** Waits for a collection of everything unreferenced, however young. */
  static void collect(RegistryClient server, String adminToken) throws Exception {
    String run = admin(server, adminToken, "POST", "/api/v1/gc/runs", "{\"grace\":\"0s\"}").path("id").asText();
    assertThat(admin(server, adminToken, "GET", "/api/v1/gc/runs/" + run + "?wait=60", null).path("status").asText())
        .isEqualTo("succeeded");
  }

  @Test
  void aPushOverTheQuotaIsRefusedWithUsageAndQuotaWhileOnesAddingNothingGoThrough() throws Exception {
    String repo = "small/app";
    PushedManifest first = registry.pushImage(repo, "v1");
    long used = usage("small");
    assertThat(used).isEqualTo(QuotaRace.bytesOf(first)).isLessThanOrEqualTo(QUOTA);

    byte[] second = registry.imageWithFreshBlobs("small/other", OCI_MANIFEST).build();
    long adds = QuotaRace.bytesOf(new PushedManifest(OCI_MANIFEST, second, Digests.sha256(second)));
    JsonNode error = assertError(registry.putManifest("small/other", "v1", OCI_MANIFEST, second), 403, "DENIED");
    assertThat(error.path("message").asText()).isEqualTo("the push would take namespace small over its quota: it uses "
        + ByteSize.readableExact(used) + ", this manifest adds " + ByteSize.readableExact(adds)
        + ", the quota is 1.5 KiB (1536 bytes) (policy of namespace small, quota: 1536B)");
    assertError(registry.getManifest("small/other", Digests.sha256(second), OCI_MANIFEST), 404, "MANIFEST_UNKNOWN");

    // The same image again, under another tag, in another repository of the namespace, by digest: no new bytes.
    registry.pushManifest(repo, "latest", OCI_MANIFEST, first.bytes());
    registry.pushManifest(repo, first.digest(), OCI_MANIFEST, first.bytes());
    for (JsonNode blob : QuotaRace.blobsOf(first)) {
      assertThat(registry.mount("small/copy", repo, blob.path("digest").asText()).status()).isEqualTo(201);
    }
    registry.pushManifest("small/copy", "v1", OCI_MANIFEST, first.bytes());
    assertThat(usage("small")).isEqualTo(used);
    JsonNode answer = admin(registry, token, "GET", "/api/v1/namespaces/small/usage", null);
    assertThat(answer.path("quotaBytes").asLong()).isEqualTo(QUOTA);
  }

  @Test
  void aNamespaceWithoutAQuotaHasItsUsageAndANullQuota() throws Exception {
    PushedManifest image = registry.pushImage("free/app", "v1");
    JsonNode answer = admin(registry, token, "GET", "/api/v1/namespaces/free/usage", null);
    assertThat(answer.path("usageBytes").asLong()).isEqualTo(QuotaRace.bytesOf(image));
    assertThat(answer.has("quotaBytes")).isTrue();
    assertThat(answer.path("quotaBytes").isNull()).isTrue();
  }

  @Test
  void concurrentPushesNeverTogetherExceedTheQuotaAndGcTakesTheRefusedBlobs() throws Exception {
    QuotaRace.Outcome outcome = QuotaRace.run(List.of(registry), "race");
    assertThat(usage("race")).isEqualTo(outcome.acceptedBytes()).isLessThanOrEqualTo(QuotaRace.QUOTA);

    collect(registry, token);
    outcome.assertOnlyAcceptedBlobsLeft(registry);
    assertThat(usage("race")).isEqualTo(outcome.acceptedBytes());
  }
}
