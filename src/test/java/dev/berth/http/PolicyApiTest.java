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

/** A namespace's policy through the admin API: set, read and removed, refused whole when invalid, and who may. */
class PolicyApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String POLICY = """
      {"retention": {"schedule": "0 2 * * *", "rules": [
        {"repositories": ["**"], "tags": ["v*", "!*-rc*"], "keep": {"mostRecentlyPushed": 10}}]},
       "immutable": [{"repositories": ["**"], "tags": ["v*.*.*"]}],
       "quota": "20GiB"}""";
  private static final String PASSWORD = "policy-password-1";

  @TempDir
  static Path root;

  static RegistryClient registry;
  static String token;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryClient.start(root, true);
    token = JSON.readTree(root.resolve("berth/server.json").toFile()).path("token").asText();
    for (String user : List.of("owner", "builder", "stranger")) {
      assertThat(call("POST", "/api/v1/users", "{\"name\":\"" + user + "\",\"password\":\"" + PASSWORD + "\"}",
          "application/json", "Bearer " + token).statusCode()).isEqualTo(201);
    }
    assertThat(call("PUT", "/api/v1/users/owner/roles/shop", "{\"role\":\"admin\"}", "application/json",
        "Bearer " + token).statusCode()).isEqualTo(204);
    assertThat(call("PUT", "/api/v1/users/builder/roles/shop", "{\"role\":\"maintainer\"}", "application/json",
        "Bearer " + token).statusCode()).isEqualTo(204);
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  private static HttpResponse<String> call(String method, String path, String body, String contentType,
      String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + registry.port() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Authorization", authorization);
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static HttpResponse<String> asAdmin(String method, String path, String body) throws Exception {
    return call(method, path, body, "application/json", "Bearer " + token);
  }

  private static HttpResponse<String> as(String user, String method, String path, String body) throws Exception {
    return call(method, path, body, "application/json", Credentials.basic(user, PASSWORD));
  }

  @Test
  void aPolicyIsSetReadBackAsJsonAndRemoved() throws Exception {
    String path = "/api/v1/namespaces/roundtrip/policy";
    assertThat(asAdmin("GET", path, null).statusCode()).isEqualTo(404);

    HttpResponse<String> put = asAdmin("PUT", path, POLICY);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(204);

    HttpResponse<String> got = asAdmin("GET", path, null);
    assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
    assertThat(got.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    assertThat(got.headers().firstValue("Last-Modified")).isPresent();
    assertThat(JSON.readTree(got.body())).isEqualTo(JSON.readTree(POLICY));

    // What GET answers is what PUT takes: fetch, edit, put back.
    assertThat(asAdmin("PUT", path, got.body()).statusCode()).isEqualTo(204);
    assertThat(JSON.readTree(asAdmin("GET", path, null).body())).isEqualTo(JSON.readTree(POLICY));

    assertThat(asAdmin("DELETE", path, null).statusCode()).isEqualTo(204);
    assertThat(asAdmin("GET", path, null).statusCode()).isEqualTo(404);
    HttpResponse<String> again = asAdmin("DELETE", path, null);
    assertThat(again.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(again.body()).path("error").asText()).isEqualTo("roundtrip has no policy");
  }

  @Test
  void yamlIsTakenWithItsContentType() throws Exception {
    String path = "/api/v1/namespaces/yaml/policy";
    String yaml = """
        # kept small
        quota: 1GiB
        immutable:
          - repositories: ["**"]
            tags: ["v*"]
        """;

    HttpResponse<String> put = call("PUT", path, yaml, "application/yaml", "Bearer " + token);

    assertThat(put.statusCode()).as(put.body()).isEqualTo(204);
    assertThat(JSON.readTree(asAdmin("GET", path, null).body())).isEqualTo(JSON.readTree(
        "{\"immutable\": [{\"repositories\": [\"**\"], \"tags\": [\"v*\"]}], \"quota\": \"1GiB\"}"));
    HttpResponse<String> yamlAsJson = asAdmin("PUT", path, yaml);
    assertThat(yamlAsJson.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(yamlAsJson.body()).path("error").asText()).isEqualTo("body is not valid JSON");
  }

  @Test
  void anInvalidDocumentIsRefusedWholeWithEveryProblemNamed() throws Exception {
    String path = "/api/v1/namespaces/invalid/policy";
    assertThat(asAdmin("PUT", path, "{\"quota\": \"1GiB\"}").statusCode()).isEqualTo(204);
    String invalid = """
        {"retention": {"schedule": "every night", "rules": [
          {"repositories": ["**"], "tags": ["["], "keep": {"mostRecentlyPushed": -1}},
          {"repositories": ["app"], "tags": ["**"], "keep": {"mostRecentlyPushed": 3, "pulledWithinDays": 7}}]},
         "quota": "1GiB", "owner": "me"}""";

    HttpResponse<String> put = asAdmin("PUT", path, invalid);

    assertThat(put.statusCode()).as(put.body()).isEqualTo(400);
    JsonNode body = JSON.readTree(put.body());
    List<String> problems = new ArrayList<>();
    body.path("problems").forEach(p -> problems.add(p.asText()));
    assertThat(problems).hasSize(5)
        .anySatisfy(p -> assertThat(p).startsWith("owner: unknown key"))
        .anySatisfy(p -> assertThat(p).startsWith("retention.schedule: "))
        .anySatisfy(p -> assertThat(p).startsWith("retention.rules[0].tags"))
        .anySatisfy(p -> assertThat(p).startsWith("retention.rules[0].keep"))
        .anySatisfy(p -> assertThat(p).isEqualTo(
            "retention.rules[1].keep: exactly one criterion, found mostRecentlyPushed and pulledWithinDays"));
    assertThat(body.path("error").asText()).startsWith("the policy is invalid, nothing changed: ");
    assertThat(JSON.readTree(asAdmin("GET", path, null).body()))
        .as("the policy it had is left as it was").isEqualTo(JSON.readTree("{\"quota\": \"1GiB\"}"));
  }

  @Test
  void namespaceAdminsAndSystemAdminsMayOthersMayNot() throws Exception {
    String path = "/api/v1/namespaces/shop/policy";
    HttpResponse<String> byOwner = as("owner", "PUT", path, POLICY);
    assertThat(byOwner.statusCode()).as(byOwner.body()).isEqualTo(204);
    assertThat(as("owner", "GET", path, null).statusCode()).isEqualTo(200);

    // A member without the admin role is told why; anyone else, as for a namespace that is not there.
    for (String method : List.of("GET", "PUT", "DELETE")) {
      HttpResponse<String> byMaintainer = as("builder", method, path, method.equals("PUT") ? "{}" : null);
      assertThat(byMaintainer.statusCode()).as(method).isEqualTo(403);
      assertThat(JSON.readTree(byMaintainer.body()).path("error").asText()).isEqualTo("only admins of shop manage it");
      HttpResponse<String> byStranger = as("stranger", method, path, method.equals("PUT") ? "{}" : null);
      assertThat(byStranger.statusCode()).as(method).isEqualTo(404);
      assertThat(JSON.readTree(byStranger.body()).path("error").asText()).isEqualTo("no such namespace");
    }
    assertThat(call("GET", path, null, null, "Basic bm9ib2R5Og==").statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(as("owner", "GET", path, null).body()))
        .as("refused calls changed nothing").isEqualTo(JSON.readTree(POLICY));

    assertThat(as("owner", "GET", "/api/v1/namespaces/elsewhere/policy", null).statusCode()).isEqualTo(404);
    assertThat(asAdmin("DELETE", path, null).statusCode()).isEqualTo(204);
    assertThat(as("owner", "DELETE", path, null).statusCode()).isEqualTo(404);
  }

  @Test
  void badRequestsAreRefusedClearly() throws Exception {
    assertThat(asAdmin("PUT", "/api/v1/namespaces/empty/policy", "").statusCode()).isEqualTo(400);
    assertThat(asAdmin("POST", "/api/v1/namespaces/empty/policy", "{}").statusCode()).isEqualTo(405);
    HttpResponse<String> badName = asAdmin("PUT", "/api/v1/namespaces/Bad_Name/policy", "{}");
    assertThat(badName.statusCode()).as(badName.body()).isEqualTo(400);
    assertThat(JSON.readTree(badName.body()).path("error").asText()).contains("Bad_Name");
  }
}
