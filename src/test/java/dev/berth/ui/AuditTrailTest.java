package dev.berth.ui;

import static dev.berth.ui.ConsoleTest.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testing.Credentials;
import dev.berth.testing.RunningRegistry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every change lands in the audit log with who made it, and the log reads back through each filter
 * (user, namespace, action, time range) alike in the admin API and the console; the GC schedule is
 * set in both, and the change is audited.
 */
class AuditTrailTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ADMIN_PASSWORD = "admin-password-1";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  static Path root;

  static RunningRegistry registry;
  static String pushed;
  static String robot;

  /** One of each change, made once for every test to read. */
  @BeforeAll
  static void start() throws Exception {
    registry = RunningRegistry.startWithAuth(root, ADMIN_PASSWORD);
    pushed = new TestImages(registry, "admin", ADMIN_PASSWORD).push("team/app", "1.0", 300, Map.of());
    api("POST", "/api/v1/users", "{\"name\":\"carol\",\"password\":\"carol-password-1\"}", 201);
    api("PUT", "/api/v1/users/carol/roles/team", "{\"role\":\"developer\"}", 204);
    api("PUT", "/api/v1/users/carol/roles/other", "{\"role\":\"guest\"}", 204);
    api("DELETE", "/api/v1/users/carol/roles/other", null, 204);
    api("PUT", "/api/v1/namespaces/team/public", "{\"public\":true}", 204);
    robot = JSON.readTree(api("POST", "/api/v1/robots", "{\"namespace\":\"team\",\"name\":\"ci\",\"role\":\"developer\"}",
        201)).path("login").asText();
    api("POST", "/api/v1/robots/" + robot + "/revoke", null, 204);
    api("PUT", "/api/v1/users/carol/password", "{\"password\":\"carol-password-2\"}", 204);
    HttpResponse<String> wrong = send("GET", "/api/v1/repositories", null, Credentials.basic("carol", "not-it"));
    assertThat(wrong.statusCode()).isEqualTo(401);
    api("POST", "/api/v1/users", "{\"name\":\"dave\",\"password\":\"dave-password-1\"}", 201);
    api("DELETE", "/api/v1/users/dave", null, 204);
    api("PUT", "/api/v1/namespaces/kept/policy", "{\"retention\":{\"rules\":[{\"repositories\":[\"**\"],"
        + "\"tags\":[\"*\"],\"keep\":{\"mostRecentlyPushed\":10}}]}}", 204);
    api("PUT", "/api/v1/namespaces/gone/policy", "{\"quota\":\"1GiB\"}", 204);
    api("DELETE", "/api/v1/namespaces/gone/policy", null, 204);
    api("POST", "/api/v1/retention/runs", "{\"namespace\":\"kept\",\"dryRun\":true}", 202);
    api("POST", "/api/v1/retention/runs", "{\"namespace\":\"kept\",\"dryRun\":false}", 202);
    String run = JSON.readTree(api("POST", "/api/v1/gc/runs", "{\"dryRun\":false,\"grace\":\"24h\"}", 202))
        .path("id").asText();
    assertThat(JSON.readTree(api("GET", "/api/v1/gc/runs/" + run + "?wait=30", null, 200)).path("status").asText())
        .isEqualTo("succeeded");
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  private static HttpResponse<String> send(String method, String path, String body, String authorization)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(registry.uri(path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Authorization", authorization);
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static String api(String method, String path, String body, int expectedStatus) throws Exception {
    HttpResponse<String> response = send(method, path, body, Credentials.basic("admin", ADMIN_PASSWORD));
    assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(expectedStatus);
    return response.body();
  }

  private static List<String> actions(String query) throws Exception {
    List<String> actions = new ArrayList<>();
    JSON.readTree(api("GET", "/api/v1/audit" + query, null, 200)).path("entries")
        .forEach(e -> actions.add(e.path("action").asText()));
    return actions;
  }

  private static JsonNode only(String query) throws Exception {
    JsonNode entries = JSON.readTree(api("GET", "/api/v1/audit" + query, null, 200)).path("entries");
    assertThat(entries).as(query).hasSize(1);
    return entries.get(0);
  }

  @Test
  void everyKindOfChangeIsAuditedWithItsActorTargetAndNamespace() throws Exception {
    JsonNode push = only("?action=manifest.push");
    assertThat(push.path("actor").asText()).startsWith("admin@");
    assertThat(push.path("target").asText()).isEqualTo("team/app:1.0@" + pushed);
    assertThat(push.path("namespace").asText()).isEqualTo("team");

    assertThat(actions("?action=user.create&user=admin")).hasSize(2);
    assertThat(only("?action=user.remove").path("target").asText()).isEqualTo("dave");
    JsonNode role = only("?action=role.set&namespace=team");
    assertThat(role.path("detail").asText()).isEqualTo("carol is developer");
    assertThat(only("?action=role.remove").path("namespace").asText()).isEqualTo("other");
    assertThat(only("?action=namespace.public").path("detail").asText()).isEqualTo("public: anyone may pull");
    assertThat(only("?action=robot.create").path("target").asText()).isEqualTo(robot);
    assertThat(only("?action=robot.revoke").path("namespace").asText()).isEqualTo("team");
    JsonNode password = only("?action=user.password");
    assertThat(password.path("target").asText()).isEqualTo("carol");
    assertThat(password.path("detail").asText()).isEqualTo("set by an administrator");
    JsonNode failed = only("?action=login.failed");
    assertThat(failed.path("actor").asText()).startsWith("carol@");
    assertThat(failed.path("target").asText()).isEqualTo("carol");
    JsonNode retention = only("?action=retention.start");
    assertThat(retention.path("namespace").asText()).as("the dry run changes nothing, so only the real one")
        .isEqualTo("kept");
    assertThat(retention.path("detail").asText()).isEqualTo("trigger api, the policy of kept");
    JsonNode policy = only("?action=policy.set&namespace=kept");
    assertThat(policy.path("target").asText()).isEqualTo("policy/kept");
    assertThat(policy.path("detail").asText())
        .isEqualTo("retention rules: 1, schedule: none, immutable rules: 0, quota: none");
    assertThat(only("?action=policy.set&namespace=gone").path("detail").asText()).endsWith("quota: 1GiB");
    JsonNode removed = only("?action=policy.remove");
    assertThat(removed.path("namespace").asText()).isEqualTo("gone");
    assertThat(removed.path("actor").asText()).isEqualTo("admin");
    JsonNode gcStart = only("?action=gc.start");
    assertThat(gcStart.path("detail").asText()).isEqualTo("trigger api, untagged images kept, grace 24h");
    assertThat(only("?action=gc.run").path("target").asText()).isEqualTo(gcStart.path("target").asText());
  }

  @Test
  void theAdminApiFiltersByUserNamespaceActionAndTimeRange() throws Exception {
    assertThat(actions("?user=carol")).containsExactly("login.failed");
    assertThat(actions("?namespace=team")).containsExactlyInAnyOrder("manifest.push", "role.set", "namespace.public",
        "robot.create", "robot.revoke");
    assertThat(actions("?namespace=team&action=robot.revoke")).containsExactly("robot.revoke");
    String today = LocalDate.now(ZoneOffset.UTC).toString();
    assertThat(actions("?from=" + today + "&until=" + today)).as("one day, up to its end").hasSizeGreaterThan(10);
    assertThat(actions("?until=2000-01-01")).isEmpty();
    assertThat(actions("?from=2100-01-01T00:00:00Z")).isEmpty();
    assertThat(actions("?namespace=team&limit=2")).hasSize(2);

    HttpResponse<String> bad = send("GET", "/api/v1/audit?action=user.explode", null,
        Credentials.basic("admin", ADMIN_PASSWORD));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("no such action: user.explode");
    assertThat(send("GET", "/api/v1/audit?from=yesterday", null, Credentials.basic("admin", ADMIN_PASSWORD))
        .statusCode()).isEqualTo(400);
  }

  @Test
  void theConsoleFiltersTheSameWayAndItsFormKeepsWhatWasTyped() throws Exception {
    ConsoleClient admin = new ConsoleClient(registry.uri("/"));
    assertThat(admin.login("admin", ADMIN_PASSWORD).statusCode()).isEqualTo(303);

    String byUserPage = admin.get("/ui/audit?user=carol").body();
    assertThat(byUserPage).contains("name=\"user\" value=\"carol\"");
    String byUser = rows(byUserPage);
    assertThat(byUser).contains("carol@127.0.0.1 login.failed carol").doesNotContain("role.set")
        .doesNotContain("manifest.push");
    String byNamespaceAndAction = admin.get("/ui/audit?namespace=team&action=robot.create").body();
    assertThat(rows(byNamespaceAndAction)).contains("robot.create " + robot + " team role developer, no expiry")
        .doesNotContain("robot.revoke");
    assertThat(byNamespaceAndAction).contains("<option value=\"robot.create\" selected>");
    assertThat(text(admin.get("/ui/audit?until=2000-01-01").body())).contains("No entry matches these filters.");

    HttpResponse<String> bad = admin.get("/ui/audit?from=soon");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(text(bad.body())).contains("Not filtered: not a day (2026-12-07) or an instant");
  }

  /** The page's text after the table's head: its rows, without the filter form's list of actions. */
  private static String rows(String page) {
    String text = text(page);
    return text.substring(text.indexOf("Namespace Detail ") + "Namespace Detail ".length());
  }

  @Test
  void theScheduleIsSetInTheConsoleReadThroughTheApiAndAudited() throws Exception {
    ConsoleClient admin = new ConsoleClient(registry.uri("/"));
    assertThat(admin.login("admin", ADMIN_PASSWORD).statusCode()).isEqualTo(303);
    assertThat(text(admin.get("/ui/gc").body())).contains("Set by the configuration (gc.schedule)")
        .contains("The schedule is off");

    HttpResponse<String> refused = admin.submit("/ui/gc", "/ui/gc/schedule",
        Map.of("enabled", "on", "cron", "every night", "scheduleGrace", "2h"));
    String again = admin.follow(refused).body();
    assertThat(text(again)).contains("Schedule not saved: invalid cron expression");
    assertThat(again).contains("value=\"every night\"");

    HttpResponse<String> saved = admin.submit("/ui/gc", "/ui/gc/schedule",
        Map.of("enabled", "on", "cron", "15 4 * * *", "scheduleUntagged", "on", "scheduleGrace", "2h"));
    String page = text(admin.follow(saved).body());
    assertThat(page).contains("Schedule saved: 15 4 * * * (on), untagged images too, grace 2h.")
        .contains("Next runs: ").contains("04:15");

    JsonNode schedule = JSON.readTree(api("GET", "/api/v1/gc/schedule", null, 200));
    assertThat(schedule.path("cron").asText()).isEqualTo("15 4 * * *");
    assertThat(schedule.path("enabled").asBoolean()).isTrue();
    assertThat(schedule.path("deleteUntagged").asBoolean()).isTrue();
    assertThat(schedule.path("grace").asText()).isEqualTo("2h");
    assertThat(schedule.path("source").asText()).isEqualTo("stored");
    assertThat(schedule.path("updatedBy").asText()).startsWith("admin@");

    JsonNode off = JSON.readTree(api("PUT", "/api/v1/gc/schedule", "{\"enabled\":false}", 200));
    assertThat(off.path("enabled").asBoolean()).isFalse();
    assertThat(off.path("cron").asText()).as("what the PUT does not name stays").isEqualTo("15 4 * * *");
    assertThat(api("PUT", "/api/v1/gc/schedule", "{\"cron\":\"61 * * * *\",\"enabled\":true}", 400))
        .contains("invalid cron expression");
    assertThat(actions("?action=gc.schedule")).hasSize(2);
    assertThat(text(admin.get("/ui/gc").body())).contains("The schedule is off");

    // Not for namespace members, however high their role.
    ConsoleClient carol = new ConsoleClient(registry.uri("/"));
    assertThat(carol.login("carol", "carol-password-2").statusCode()).isEqualTo(303);
    HttpResponse<String> notAllowed = carol.submit("/ui/", "/ui/gc/schedule", Map.of("cron", "* * * * *",
        "enabled", "on", "scheduleGrace", "0s"));
    assertThat(notAllowed.statusCode()).isEqualTo(403);
    assertThat(send("PUT", "/api/v1/gc/schedule", "{\"enabled\":true}", Credentials.basic("carol", "carol-password-2"))
        .statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(api("GET", "/api/v1/gc/schedule", null, 200)).path("enabled").asBoolean()).isFalse();
  }
}
