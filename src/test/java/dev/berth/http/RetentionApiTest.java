package dev.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testing.Credentials;
import dev.berth.testing.RegistryClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention runs through the admin API: started, followed, paged, and who may. */
class RetentionApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "retention-password-1";
  private static final String KEEP_TWO = """
      {"retention": {"rules": [{"repositories": ["**"], "tags": ["v*"], "keep": {"mostRecentlyPushed": 2}}]}}""";

  @TempDir
  static Path root;

  static RegistryClient registry;
  static String token;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryClient.start(root, true);
    token = JSON.readTree(root.resolve("berth/server.json").toFile()).path("token").asText();
    for (String user : List.of("owner", "stranger")) {
      assertThat(asAdmin("POST", "/api/v1/users", "{\"name\":\"" + user + "\",\"password\":\"" + PASSWORD + "\"}")
          .statusCode()).isEqualTo(201);
    }
    for (String namespace : List.of("shop", "dry")) {
      assertThat(asAdmin("PUT", "/api/v1/users/owner/roles/" + namespace, "{\"role\":\"admin\"}").statusCode())
          .isEqualTo(204);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  private static HttpResponse<String> call(String method, String path, String body, String authorization)
      throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + registry.port() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Authorization", authorization).header("Content-Type", "application/json").build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static HttpResponse<String> asAdmin(String method, String path, String body) throws Exception {
    return call(method, path, body, "Bearer " + token);
  }

  private static HttpResponse<String> as(String user, String method, String path, String body) throws Exception {
    return call(method, path, body, Credentials.basic(user, PASSWORD));
  }

  /** Three tagged images, oldest first: v1, v2, v3. */
  private static List<String> pushThree(String repository) throws Exception {
    List<String> digests = new ArrayList<>();
    for (String tag : List.of("v1", "v2", "v3")) {
      digests.add(registry.pushImage(repository, tag).digest());
      // Push times are kept in milliseconds; the test's order must be theirs.
      Thread.sleep(5);
    }
    return digests;
  }

  /** Starts a run as {@code user} and waits for its end. */
  private static JsonNode runToEnd(String user, String body) throws Exception {
    HttpResponse<String> started = as(user, "POST", "/api/v1/retention/runs", body);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    String location = started.headers().firstValue("Location").orElseThrow();
    assertThat(location).isEqualTo("/api/v1/retention/runs/" + JSON.readTree(started.body()).path("id").asText());
    JsonNode run = JSON.readTree(as(user, "GET", location + "?wait=30", null).body());
    assertThat(run.path("status").asText()).isEqualTo("succeeded");
    return run;
  }

  @Test
  void aDryRunListsWhatWouldGoAndChangesNothing() throws Exception {
    List<String> digests = pushThree("dry/app");
    assertThat(as("owner", "PUT", "/api/v1/namespaces/dry/policy", KEEP_TWO).statusCode()).isEqualTo(204);

    JsonNode run = runToEnd("owner", "{\"namespace\": \"dry\", \"dryRun\": true}");

    assertThat(run.path("dryRun").asBoolean()).isTrue();
    assertThat(run.path("namespace").asText()).isEqualTo("dry");
    assertThat(run.path("requestedBy").asText()).startsWith("owner@");
    assertThat(run.path("images").asLong()).isEqualTo(3);
    assertThat(run.path("kept").asLong()).isEqualTo(2);
    assertThat(run.path("deleted").asLong()).isEqualTo(1);
    assertThat(run.path("summary").asText()).startsWith("retention dry run: 3 images, 2 kept, 1 would be deleted, 0 skipped, 0 no rule covers");
    String items = as("owner", "GET", "/api/v1/retention/runs/" + run.path("id").asText()
        + "/items?format=text&kept=false", null).body();
    assertThat(items).isEqualTo("would delete dry/app@" + digests.get(0) + " tags: v1\n");
    assertThat(registry.getManifest("dry/app", digests.get(0)).status()).isEqualTo(200);
  }

  @Test
  void aRunDeletesAuditsAndPagesItsDecisions() throws Exception {
    List<String> digests = pushThree("shop/app");
    assertThat(as("owner", "PUT", "/api/v1/namespaces/shop/policy", KEEP_TWO).statusCode()).isEqualTo(204);

    JsonNode run = runToEnd("owner", "{\"namespace\": \"shop\"}");

    assertThat(run.path("deleted").asLong()).isEqualTo(1);
    assertThat(registry.getManifest("shop/app", digests.get(0)).status()).isEqualTo(404);
    assertThat(registry.getManifest("shop/app", "v2", dev.berth.testing.ManifestBuilder.OCI_MANIFEST).status())
        .isEqualTo(200);
    String id = run.path("id").asText();
    HttpResponse<String> first = as("owner", "GET", "/api/v1/retention/runs/" + id + "/items?limit=2", null);
    JsonNode page = JSON.readTree(first.body()).path("items");
    assertThat(page).hasSize(2);
    String next = first.headers().firstValue("Link").orElseThrow();
    assertThat(next).isEqualTo("</api/v1/retention/runs/" + id + "/items?after=2&limit=2>; rel=\"next\"");
    HttpResponse<String> last = as("owner", "GET", "/api/v1/retention/runs/" + id + "/items?after=2&limit=2", null);
    assertThat(JSON.readTree(last.body()).path("items")).hasSize(1);
    assertThat(last.headers().firstValue("Link")).isEmpty();
    List<JsonNode> all = new ArrayList<>();
    page.forEach(all::add);
    JSON.readTree(last.body()).path("items").forEach(all::add);
    JsonNode deleted = all.stream().filter(i -> i.path("outcome").asText().equals("deleted")).findFirst().orElseThrow();
    assertThat(deleted.path("digest").asText()).isEqualTo(digests.get(0));
    assertThat(deleted.path("rule").asText()).isEqualTo("retention.rules[0]");
    assertThat(deleted.path("reason").asText()).contains("2 most recently pushed");
    assertThat(all).filteredOn(i -> i.path("outcome").asText().equals("kept"))
        .allSatisfy(i -> assertThat(i.path("rule").asText()).isEqualTo("retention.rules[0]"));

    JsonNode audit = JSON.readTree(asAdmin("GET", "/api/v1/audit", null).body()).path("entries");
    assertThat(audit.findValuesAsText("actor")).contains("policy:shop");
    JsonNode listed = JSON.readTree(asAdmin("GET", "/api/v1/retention/runs", null).body()).path("runs");
    assertThat(listed.findValuesAsText("id")).contains(id);
  }

  @Test
  void whoMayStartAndReadRuns() throws Exception {
    assertThat(as("owner", "PUT", "/api/v1/namespaces/shop/policy", KEEP_TWO).statusCode()).isEqualTo(204);
    // A namespace's run is its managers'; every namespace's, and the list, system administrators'.
    assertThat(as("stranger", "POST", "/api/v1/retention/runs", "{\"namespace\": \"shop\"}").statusCode())
        .isIn(403, 404);
    assertThat(as("owner", "POST", "/api/v1/retention/runs", "{\"dryRun\": true}").statusCode()).isEqualTo(403);
    assertThat(as("owner", "GET", "/api/v1/retention/runs", null).statusCode()).isEqualTo(403);
    JsonNode ownerRun = runToEnd("owner", "{\"namespace\": \"shop\", \"dryRun\": true}");
    assertThat(as("stranger", "GET", "/api/v1/retention/runs/" + ownerRun.path("id").asText(), null).statusCode())
        .isIn(403, 404);
    JsonNode all = JSON.readTree(asAdmin("POST", "/api/v1/retention/runs", "{\"dryRun\": true}").body());
    assertThat(as("owner", "GET", "/api/v1/retention/runs/" + all.path("id").asText(), null).statusCode())
        .isEqualTo(403);
  }

  @Test
  void badRequestsAreNamed() throws Exception {
    HttpResponse<String> noPolicy = asAdmin("POST", "/api/v1/retention/runs", "{\"namespace\": \"nopolicy\"}");
    assertThat(noPolicy.statusCode()).isEqualTo(404);
    assertThat(noPolicy.body()).contains("namespace nopolicy has no policy");
    assertThat(asAdmin("POST", "/api/v1/retention/runs", "{\"namespace\": \"Not/A-Namespace\"}").statusCode())
        .isEqualTo(400);
    assertThat(asAdmin("POST", "/api/v1/retention/runs", "not json").statusCode()).isEqualTo(400);
    assertThat(asAdmin("GET", "/api/v1/retention/runs/00000000-0000-0000-0000-000000000000", null).statusCode())
        .isEqualTo(404);
    assertThat(asAdmin("DELETE", "/api/v1/retention/runs", null).statusCode()).isEqualTo(405);
  }
}
