package dev.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testing.Credentials;
import dev.berth.testing.ManifestBuilder;
import dev.berth.testing.ManifestBuilder.Descriptor;
import dev.berth.testing.RegistryClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin JSON API: authentication, delete previews, GC runs with history, and the audit log. */
class AdminApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path root;

  static RegistryClient registry;
  static String token;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryClient.start(root, true);
    token = JSON.readTree(root.resolve("berth/server.json").toFile()).path("token").asText();
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  private HttpResponse<String> admin(String method, String path, String body, String bearer) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + registry.port() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private JsonNode adminJson(String method, String path, String body, int expectedStatus) throws Exception {
    HttpResponse<String> response = admin(method, path, body, token);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
    return JSON.readTree(response.body());
  }

  @Test
  void everyAdminRouteNeedsTheToken() throws Exception {
    for (String path : List.of("/api/v1/gc/runs", "/api/v1/audit", "/api/v1/repositories/a/manifests/latest/delete-preview")) {
      assertThat(admin("GET", path, null, null).statusCode()).isEqualTo(401);
      assertThat(admin("GET", path, null, "0".repeat(64)).statusCode()).isEqualTo(401);
    }
    assertThat(admin("POST", "/api/v1/gc/runs", "{}", "wrong").statusCode()).isEqualTo(401);
  }

  @Test
  void previewOfDeletingATagNamesTheOtherTagsReferrersAndBytes() throws Exception {
    String repo = RegistryClient.uniqueRepo("admin");
    byte[] shared = RegistryClient.randomBytes(3000);
    byte[] own = RegistryClient.randomBytes(7000);
    byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    registry.pushBlob(repo, shared);
    registry.pushBlob(repo, own);
    registry.pushBlob(repo, config);
    ManifestBuilder image = ManifestBuilder.image(ManifestBuilder.OCI_MANIFEST)
        .config(Descriptor.of(ManifestBuilder.OCI_CONFIG, config))
        .layers(Descriptor.of(ManifestBuilder.OCI_LAYER, shared), Descriptor.of(ManifestBuilder.OCI_LAYER, own));
    RegistryClient.PushedManifest pushed = registry.pushManifest(repo, "a", image);
    registry.pushManifest(repo, "b", ManifestBuilder.OCI_MANIFEST, pushed.bytes());
    registry.pushManifest(repo, "other", ManifestBuilder.image(ManifestBuilder.OCI_MANIFEST)
        .config(Descriptor.of(ManifestBuilder.OCI_CONFIG, config))
        .layers(Descriptor.of(ManifestBuilder.OCI_LAYER, shared)));
    byte[] sigLayer = RegistryClient.randomBytes(300);
    registry.pushBlob(repo, sigLayer);
    registry.pushBlob(repo, ManifestBuilder.EMPTY_JSON);
    RegistryClient.PushedManifest signature = registry.pushManifest(repo, null,
        ManifestBuilder.image(ManifestBuilder.OCI_MANIFEST).artifactType("application/vnd.example.signature")
            .config(Descriptor.emptyConfig()).layers(Descriptor.of("application/octet-stream", sigLayer))
            .subject(pushed.descriptor()));

    JsonNode preview = adminJson("GET", "/api/v1/repositories/" + repo + "/manifests/a/delete-preview", null, 200);

    assertThat(preview.path("digest").asText()).isEqualTo(pushed.digest());
    assertThat(texts(preview.path("otherTags"))).containsExactly("b");
    assertThat(texts(preview.path("tags"))).containsExactly("a", "b");
    assertThat(preview.path("referrers").get(0).path("digest").asText()).isEqualTo(signature.digest());
    // Freed: the image's own layer, and the signature's layer (the empty config is 2 bytes, only theirs).
    assertThat(preview.path("bytesFreed").asLong()).isEqualTo(7000 + 300 + 2);
    assertThat(preview.path("bytesShared").asLong()).isEqualTo(3000 + config.length);
  }

  @Test
  void gcRunsAreStartedFollowedAndKeptInHistoryAndTheAudit() throws Exception {
    String repo = RegistryClient.uniqueRepo("admin");
    RegistryClient.PushedManifest doomed = registry.pushImage(repo, "v1");
    assertThat(registry.delete("/v2/" + repo + "/manifests/" + doomed.digest()).status()).isEqualTo(202);

    JsonNode dry = awaitRun(adminJson("POST", "/api/v1/gc/runs", "{\"dryRun\":true,\"grace\":\"0s\"}", 202).path("id").asText());
    assertThat(dry.path("dryRun").asBoolean()).isTrue();
    JsonNode dryItems = adminJson("GET", "/api/v1/gc/runs/" + dry.path("id").asText() + "/items", null, 200).path("items");
    List<String> wouldGo = StreamSupport.stream(dryItems.spliterator(), false)
        .filter(item -> item.path("kind").asText().equals("blob")).map(b -> b.path("digest").asText()).toList();
    assertThat(wouldGo).hasSizeGreaterThanOrEqualTo(2);
    assertThat(dry.path("report").path("blobs").asLong()).isEqualTo(wouldGo.size());
    assertThat(StreamSupport.stream(dryItems.spliterator(), false).map(item -> item.path("line").asText()))
        .anyMatch(line -> line.startsWith("would delete blob " + repo + " "));
    String dryItemsPath = "/api/v1/gc/runs/" + dry.path("id").asText() + "/items";
    JsonNode first = adminJson("GET", dryItemsPath + "?limit=1", null, 200).path("items");
    JsonNode second = adminJson("GET", dryItemsPath + "?limit=1&after=1", null, 200).path("items");
    assertThat(first).hasSize(1);
    assertThat(first.get(0).path("seq").asLong()).isEqualTo(1);
    assertThat(second.get(0)).isEqualTo(dryItems.get(1));
    adminJson("GET", dryItemsPath + "?after=-1", null, 400);
    adminJson("GET", dryItemsPath + "?limit=0", null, 400);
    adminJson("GET", dryItemsPath + "?limit=10001", null, 400);
    adminJson("GET", dryItemsPath + "?after=x", null, 400);
    adminJson("GET", dryItemsPath + "?format=xml", null, 400);
    assertThat(adminJson("GET", dryItemsPath, null, 200).path("status").asText()).isEqualTo("succeeded");

    // Pages link to the next one until the last: the run has ended and the page is not full.
    HttpResponse<String> firstText = admin("GET", dryItemsPath + "?limit=1&wait=5&format=text", null, token);
    assertThat(firstText.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
    assertThat(firstText.body()).isEqualTo(dryItems.get(0).path("line").asText() + "\n");
    assertThat(firstText.headers().firstValue("Link"))
        .hasValue("<" + dryItemsPath + "?after=1&limit=1&wait=5&format=text>; rel=\"next\"");
    HttpResponse<String> rest = admin("GET", dryItemsPath + "?after=1&format=text", null, token);
    assertThat(rest.body().lines().toList()).containsExactlyElementsOf(
        StreamSupport.stream(dryItems.spliterator(), false).skip(1).map(item -> item.path("line").asText()).toList());
    assertThat(rest.headers().firstValue("Link")).isEmpty();
    assertThat(admin("GET", dryItemsPath + "?limit=" + dryItems.size(), null, token).headers().firstValue("Link"))
        .as("a full page may not be the last").isPresent();
    adminJson("GET", "/api/v1/gc/runs/00000000-0000-0000-0000-000000000000/items", null, 404);
    assertThat(registry.head("/v2/_catalog").status()).isEqualTo(200);

    String realId = adminJson("POST", "/api/v1/gc/runs", "{\"grace\":\"0s\",\"requestedBy\":\"ops\"}", 202).path("id").asText();
    // One request that waits for the end answers the finished run.
    JsonNode real = adminJson("GET", "/api/v1/gc/runs/" + realId + "?wait=60", null, 200);
    assertThat(real.path("status").asText()).isEqualTo("succeeded");
    assertThat(real.path("requestedBy").asText()).isEqualTo("ops");
    assertThat(real.path("bytesFreed").asLong()).isPositive();
    assertThat(texts(real.path("log"))).contains("phase sweep_blobs");
    JsonNode realItems = adminJson("GET", "/api/v1/gc/runs/" + real.path("id").asText() + "/items", null, 200).path("items");
    assertThat(StreamSupport.stream(realItems.spliterator(), false).map(item -> item.path("line").asText()))
        .anyMatch(line -> line.startsWith("deleted blob " + repo + " "));

    JsonNode runs = adminJson("GET", "/api/v1/gc/runs", null, 200).path("runs");
    assertThat(StreamSupport.stream(runs.spliterator(), false).map(r -> r.path("id").asText()))
        .contains(dry.path("id").asText(), real.path("id").asText());

    JsonNode audit = adminJson("GET", "/api/v1/audit", null, 200).path("entries");
    List<Map<String, String>> entries = StreamSupport.stream(audit.spliterator(), false)
        .map(e -> Map.of("action", e.path("action").asText(), "actor", e.path("actor").asText(),
            "target", e.path("target").asText()))
        .toList();
    assertThat(entries).contains(Map.of("action", "gc.run", "actor", "ops", "target", "gc/" + real.path("id").asText()));
    assertThat(entries).contains(Map.of("action", "manifest.delete", "actor", "anonymous@127.0.0.1",
        "target", repo + "@" + doomed.digest()));
  }

  @Test
  void usersNamespacesAndRobotsAreManagedThroughTheApi() throws Exception {
    JsonNode nina = adminJson("POST", "/api/v1/users", "{\"name\":\"nina\"}", 201);
    String password = nina.path("password").asText();
    adminJson("PUT", "/api/v1/users/nina/roles/shop", "{\"role\":\"admin\"}", 204);
    JsonNode shop = adminJson("GET", "/api/v1/namespaces/shop", null, 200);
    assertThat(shop.path("members").path("nina").asText()).isEqualTo("admin");
    assertThat(shop.path("public").asBoolean()).isFalse();

    assertThat(admin("PUT", "/api/v1/namespaces/shop/public", "{\"public\":\"yes\"}", token).statusCode())
        .isEqualTo(400);
    HttpResponse<String> open = basic("PUT", "/api/v1/namespaces/shop/public", "{\"public\":true}", "nina", password);
    assertThat(open.statusCode()).as(open.body()).isEqualTo(204);
    assertThat(adminJson("GET", "/api/v1/namespaces/shop", null, 200).path("public").asBoolean()).isTrue();

    assertThat(admin("POST", "/api/v1/robots", "{\"namespace\":\"shop\",\"name\":\"ci\",\"expiresInDays\":0}", token)
        .statusCode()).isEqualTo(400);
    adminJson("POST", "/api/v1/robots", "{\"namespace\":\"shop\",\"name\":\"ci\",\"expiresInDays\":7}", 201);
    Instant expiresAt = Instant.parse(adminJson("GET", "/api/v1/namespaces/shop", null, 200)
        .path("robots").get(0).path("expiresAt").asText());
    assertThat(expiresAt).isBetween(Instant.now().plus(Duration.ofDays(7)).minusSeconds(60),
        Instant.now().plus(Duration.ofDays(7)));

    String change = "{\"currentPassword\":\"%s\",\"password\":\"nina-password-2\"}";
    assertThat(basic("PUT", "/api/v1/users/nina/password", change.formatted("wrong-password"), "nina", password)
        .statusCode()).isEqualTo(403);
    assertThat(basic("PUT", "/api/v1/users/nina/password", "{\"password\":\"nina-password-2\"}", "nina", password)
        .statusCode()).isEqualTo(400);
    assertThat(basic("PUT", "/api/v1/users/nina/password", change.formatted(password), "nina", password)
        .statusCode()).isEqualTo(204);
    assertThat(basic("GET", "/api/v1/namespaces/shop", null, "nina", "nina-password-2").statusCode()).isEqualTo(200);

    adminJson("DELETE", "/api/v1/users/nina", null, 204);
    assertThat(admin("DELETE", "/api/v1/users/nina", null, token).statusCode()).isEqualTo(404);
    assertThat(adminJson("GET", "/api/v1/namespaces/shop", null, 200).path("members").isEmpty()).isTrue();
  }

  private HttpResponse<String> basic(String method, String path, String body, String user, String password)
      throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + registry.port() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Authorization", Credentials.basic(user, password)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void badRunRequestsAreRefusedClearly() throws Exception {
    assertThat(admin("POST", "/api/v1/gc/runs", "{\"grace\":\"soon\"}", token).statusCode()).isEqualTo(400);
    assertThat(admin("POST", "/api/v1/gc/runs", "not json", token).statusCode()).isEqualTo(400);
    assertThat(admin("GET", "/api/v1/gc/runs/00000000-0000-0000-0000-000000000000", null, token).statusCode()).isEqualTo(404);
    for (String wait : List.of("61", "-1", "soon")) {
      assertThat(admin("GET", "/api/v1/gc/runs/00000000-0000-0000-0000-000000000000?wait=" + wait, null, token).statusCode())
          .as("wait=" + wait).isEqualTo(400);
    }
  }

  private JsonNode awaitRun(String id) throws Exception {
    JsonNode run = adminJson("GET", "/api/v1/gc/runs/" + id + "?wait=60", null, 200);
    assertThat(run.path("status").asText()).as("gc run " + id + " finished").isNotEqualTo("running");
    return run;
  }


  private static List<String> texts(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }
}
