package dev.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.auth.Passwords;
import dev.berth.auth.Users;
import dev.berth.metadata.AccessStore;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.oci.Digest;
import dev.berth.testing.BlobBackend;
import dev.berth.testing.Credentials;
import dev.berth.testing.RunningRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Access control over HTTP, for every role against every kind of route: Docker's token flow,
 * Basic auth, namespace roles, robots, anonymous pulls of public namespaces, catalog filtering, and
 * the refusals: 401 with a challenge, 403 DENIED, 429 after repeated failures. Every role against
 * the admin API and the console is {@code dev.berth.ui.AccessMatrixTest}.
 */
class AuthApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ADMIN_PASSWORD = "admin-password-1";
  private static final String PASSWORD = "password-123";

  @TempDir
  static Path root;

  static RunningRegistry registry;
  static SqlMetadataStore store;
  static final HttpClient http = HttpClient.newHttpClient();
  static String robotSecret = "robot-secret-123";

  /** On the filesystem here; again on S3 in {@code S3AuthApiTest}. */
  @BeforeAll
  static void start(TestInfo test) throws Exception {
    registry = RunningRegistry.with(root).auth(ADMIN_PASSWORD).blobs(BlobBackend.of(test)).start();
    store = SqlMetadataStore.sqlite(root.resolve("berth/metadata.db"));
    Users users = new Users(store.access(), Clock.systemUTC());
    for (String name : List.of("alice", "bob", "carol", "erin", "mallory")) {
      users.add(name, PASSWORD, false);
    }
    store.access().setRole("team", "alice", "developer");
    store.access().setRole("team", "bob", "guest");
    store.access().setRole("team", "erin", "maintainer");
    store.access().setRole("other", "carol", "maintainer");
    store.access().setPublic("pub", true);
    store.access().addRobot(new AccessStore.RobotRecord("robot$team+ci", Passwords.hash(robotSecret), "team", "developer",
        "test", Instant.now(), Optional.empty(), Optional.empty()));
    store.access().addRobot(new AccessStore.RobotRecord("robot$team+old", Passwords.hash(robotSecret), "team", "developer",
        "test", Instant.now(), Optional.empty(), Optional.empty()));
    store.access().revokeRobot("robot$team+old", Instant.now());
    store.access().addRobot(new AccessStore.RobotRecord("robot$team+expired", Passwords.hash(robotSecret), "team", "developer",
        "test", Instant.now().minusSeconds(3600), Optional.of(Instant.now().minusSeconds(60)), Optional.empty()));
    for (String repo : List.of("team/app", "other/app", "pub/app")) {
      pushImage(basic("admin", ADMIN_PASSWORD), repo, "v1");
    }
  }

  @AfterAll
  static void stop() throws Exception {
    store.close();
    registry.close();
  }

  static String basic(String user, String password) {
    return Credentials.basic(user, password);
  }

  static HttpResponse<String> send(String method, String path, String authorization, byte[] body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(registry.uri(path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    if (path.contains("/manifests/") && "GET".equals(method)) {
      request.header("Accept", "application/vnd.oci.image.manifest.v1+json");
    }
    if (path.contains("/manifests/") && "PUT".equals(method)) {
      request.header("Content-Type", "application/vnd.oci.image.manifest.v1+json");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String pushImage(String authorization, String repo, String tag) throws Exception {
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"r\":\"" + repo + tag + "\"}").getBytes(StandardCharsets.UTF_8);
    byte[] layer = (repo + tag + " layer").getBytes(StandardCharsets.UTF_8);
    for (byte[] blob : List.of(config, layer)) {
      HttpResponse<String> r = send("POST", "/v2/" + repo + "/blobs/uploads/?digest=" + Digest.sha256(blob), authorization, blob);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }
    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + Digest.sha256(config)
        + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
        + "\"digest\":\"" + Digest.sha256(layer) + "\",\"size\":" + layer.length + "}]}";
    HttpResponse<String> put = send("PUT", "/v2/" + repo + "/manifests/" + tag, authorization,
        manifest.getBytes(StandardCharsets.UTF_8));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
    return put.headers().firstValue("Docker-Content-Digest").orElseThrow();
  }

  static String errorCode(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body()).path("errors").get(0).path("code").asText();
  }

  @Test
  void anonymousBaseRequestGetsABearerChallenge() throws Exception {
    HttpResponse<String> r = send("GET", "/v2/", null, null);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(errorCode(r)).isEqualTo("UNAUTHORIZED");
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(h -> assertThat(h)
        .startsWith("Bearer realm=\"http://" + registry.hostPort() + "/token\"").contains("service=\"berth\""));
    assertThat(send("GET", "/v2/", basic("bob", PASSWORD), null).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/v2/", basic("bob", "wrong-password"), null).statusCode()).isEqualTo(401);
  }

  @Test
  void anonymousPullOfAPrivateRepositoryNamesTheScopeToAskFor() throws Exception {
    HttpResponse<String> r = send("GET", "/v2/team/app/manifests/v1", null, null);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("scope=\"repository:team/app:pull\"");
    HttpResponse<String> push = send("POST", "/v2/team/app/blobs/uploads/", null, null);
    assertThat(push.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("scope=\"repository:team/app:pull,push\"");
  }

  @Test
  void publicNamespacesAllowAnonymousPullsOnly() throws Exception {
    assertThat(send("GET", "/v2/pub/app/manifests/v1", null, null).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/v2/pub/app/tags/list", null, null).statusCode()).isEqualTo(200);
    assertThat(send("POST", "/v2/pub/app/blobs/uploads/", null, null).statusCode()).isEqualTo(401);
  }

  /** role (or robot), repository, action, expected status. */
  @ParameterizedTest(name = "{0} {2} {1} -> {3}")
  @CsvSource({
      "alice, team/app, pull, 200", "alice, team/app, push, 202", "alice, team/app, delete, 403",
      "bob, team/app, pull, 200", "bob, team/app, push, 403", "bob, team/app, delete, 403",
      "erin, team/app, pull, 200", "erin, team/app, push, 202", "erin, team/app, delete, 404",
      "carol, team/app, pull, 403", "carol, team/app, push, 403", "carol, team/app, delete, 403",
      "carol, other/app, pull, 200", "alice, other/app, pull, 403",
      "alice, other/nothing-here, pull, 403", "carol, team/nothing-here, pull, 403",
      "robot$team+ci, team/app, pull, 200", "robot$team+ci, team/app, push, 202", "robot$team+ci, other/app, pull, 403",
      "admin, other/app, pull, 200", "admin, team/app, push, 202"})
  void rolesDecideWhatEachCallerMayDo(String who, String repo, String action, int expected) throws Exception {
    String credentials = basic(who, who.startsWith("robot$") ? robotSecret : who.equals("admin") ? ADMIN_PASSWORD : PASSWORD);
    HttpResponse<String> r = switch (action) {
      case "pull" -> send("GET", "/v2/" + repo + "/tags/list", credentials, null);
      case "push" -> send("POST", "/v2/" + repo + "/blobs/uploads/", credentials, null);
      default -> send("DELETE", "/v2/" + repo + "/manifests/sha256:" + "0".repeat(64), credentials, null);
    };
    assertThat(r.statusCode()).as(r.body()).isEqualTo(expected);
    if (expected == 403) {
      assertThat(errorCode(r)).isEqualTo("DENIED");
      assertThat(r.body()).doesNotContain("unknown").doesNotContain("nothing-here");
      // docker retries a DENIED without a detail; the detail names the refused action.
      assertThat(JSON.readTree(r.body()).path("errors").get(0).path("detail").path("refused").toString())
          .contains("\"" + action + "\"");
    }
  }

  @Test
  void revokedAndExpiredRobotsAndWrongSecretsAreUnauthorized() throws Exception {
    assertThat(send("GET", "/v2/team/app/tags/list", basic("robot$team+old", robotSecret), null).statusCode()).isEqualTo(401);
    assertThat(send("GET", "/v2/team/app/tags/list", basic("robot$team+expired", robotSecret), null).statusCode())
        .isEqualTo(401);
    assertThat(send("GET", "/token?service=berth&scope=repository:team/app:pull", basic("robot$team+expired", robotSecret),
        null).statusCode()).isEqualTo(401);
    assertThat(send("GET", "/v2/team/app/tags/list", basic("robot$team+ci", "wrong"), null).statusCode()).isEqualTo(401);
  }

  @Test
  void tokensCarryOnlyTheActionsTheUserHolds() throws Exception {
    JsonNode alice = token(basic("alice", PASSWORD), "repository:team/app:pull,push,delete");
    assertThat(grantedActions(alice)).containsExactly("pull", "push");
    JsonNode bob = token(basic("bob", PASSWORD), "repository:team/app:pull,push");
    assertThat(grantedActions(bob)).containsExactly("pull");
    JsonNode anonymous = token(null, "repository:team/app:pull");
    assertThat(grantedActions(anonymous)).isEmpty();
    assertThat(send("GET", "/token?service=berth&scope=repository:team/app:pull", basic("alice", "nope"), null).statusCode())
        .isEqualTo(401);

    String bearer = "Bearer " + alice.path("token").asText();
    assertThat(send("GET", "/v2/team/app/manifests/v1", bearer, null).statusCode()).isEqualTo(200);
    assertThat(send("POST", "/v2/team/app/blobs/uploads/", bearer, null).statusCode()).isEqualTo(202);
    assertThat(send("GET", "/v2/other/app/manifests/v1", bearer, null).statusCode()).as("not in the token").isEqualTo(403);
    String bobBearer = "Bearer " + bob.path("token").asText();
    assertThat(send("POST", "/v2/team/app/blobs/uploads/", bobBearer, null).statusCode()).isEqualTo(403);
    String anonymousBearer = "Bearer " + anonymous.path("token").asText();
    assertThat(send("GET", "/v2/team/app/manifests/v1", anonymousBearer, null).statusCode()).isEqualTo(401);
  }

  @Test
  void forgedTokensAreUnauthorized() throws Exception {
    String genuine = token(basic("alice", PASSWORD), "repository:team/app:pull").path("token").asText();
    String[] parts = genuine.split("\\.");
    String none = b64("{\"alg\":\"none\"}") + "." + parts[1] + ".";
    String widened = parts[0] + "." + b64(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
        .replace("team/app", "other/app")) + "." + parts[2];
    for (String forged : List.of(none, widened, "not-a-jwt", parts[0] + "." + parts[1] + ".AAAA")) {
      HttpResponse<String> r = send("GET", "/v2/other/app/manifests/v1", "Bearer " + forged, null);
      assertThat(r.statusCode()).as(forged).isEqualTo(401);
      assertThat(errorCode(r)).isEqualTo("UNAUTHORIZED");
    }
  }

  @Test
  void theCatalogShowsOnlyWhatTheCallerMayPull() throws Exception {
    assertThat(catalog(basic("alice", PASSWORD))).contains("team/app", "pub/app").doesNotContain("other/app");
    assertThat(catalog(basic("carol", PASSWORD))).contains("other/app", "pub/app").doesNotContain("team/app");
    assertThat(catalog(null)).containsExactly("pub/app");
    assertThat(catalog(basic("admin", ADMIN_PASSWORD))).contains("team/app", "other/app", "pub/app");
  }

  @Test
  void repeatedFailedLoginsAreThrottled() throws Exception {
    for (int i = 0; i < 10; i++) {
      assertThat(send("GET", "/v2/", basic("mallory", "guess-" + i), null).statusCode()).isEqualTo(401);
    }
    HttpResponse<String> throttled = send("GET", "/v2/", basic("mallory", PASSWORD), null);
    assertThat(throttled.statusCode()).isEqualTo(429);
    assertThat(errorCode(throttled)).isEqualTo("TOOMANYREQUESTS");
  }

  private static JsonNode token(String authorization, String scope) throws Exception {
    HttpResponse<String> r = send("GET", "/token?service=berth&scope=" + scope, authorization, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static List<String> grantedActions(JsonNode tokenResponse) throws Exception {
    String payload = new String(Base64.getUrlDecoder().decode(tokenResponse.path("token").asText().split("\\.")[1]),
        StandardCharsets.UTF_8);
    JsonNode access = JSON.readTree(payload).path("access");
    if (access.isEmpty()) {
      return List.of();
    }
    return StreamSupport.stream(access.get(0).path("actions").spliterator(), false).map(JsonNode::asText).toList();
  }

  private static List<String> catalog(String authorization) throws Exception {
    HttpResponse<String> r = send("GET", "/v2/_catalog", authorization, null);
    assertThat(r.statusCode()).isEqualTo(200);
    return StreamSupport.stream(JSON.readTree(r.body()).path("repositories").spliterator(), false)
        .map(JsonNode::asText).toList();
  }

  private static String b64(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  static URI uri(String path) {
    return registry.uri(path);
  }
}
