package dev.berth.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.auth.Action;
import dev.berth.auth.Passwords;
import dev.berth.auth.Principal;
import dev.berth.auth.Scope;
import dev.berth.auth.TokenService;
import dev.berth.metadata.AccessStore;
import dev.berth.metadata.PolicyStore;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.oci.RepositoryName;
import dev.berth.testing.Credentials;
import dev.berth.testing.RunningRegistry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every role against every admin API route and every console page and form: the exact status, and
 * that a refused request changed nothing (users and their passwords, namespace members, robots,
 * public namespaces, tags, GC runs, audit entries). Members of namespace {@code team} by role, a
 * robot of {@code team}, a system administrator and nobody; {@code other} is a namespace none of
 * them but the system administrator can see, which must answer exactly as one that does not exist.
 */
class AccessMatrixTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ADMIN_PASSWORD = "admin-password-1";
  private static final String PASSWORD = "password-123";
  private static final String ROBOT = "robot$team+ci";
  /** A well-formed digest of no manifest. */
  private static final String ABSENT = "sha256:" + "0".repeat(64);

  /** The columns of the tables below, in this order. */
  enum Who {
    ANONYMOUS("", ""), GUEST("guest-user", "guest"), DEVELOPER("dev-user", "developer"),
    MAINTAINER("maint-user", "maintainer"), NAMESPACE_ADMIN("nsadmin-user", "admin"),
    SYSTEM_ADMIN("admin", ""), ROBOT(AccessMatrixTest.ROBOT, "developer");

    final String login;
    final String role;

    Who(String login, String role) {
      this.login = login;
      this.role = role;
    }

    String key() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    String password() {
      return this == SYSTEM_ADMIN ? ADMIN_PASSWORD : PASSWORD;
    }

    /**
     * What the route's {@code {role}}, {@code {self}}, {@code {password}}, {@code {run}}, {@code {image}}
     * (team/app's image) and {@code {hidden}} (other/app's) stand for.
     */
    String fill(String text) {
      // Anonymous has no name of its own: it tries someone else's (an empty segment would be refused
      // as a malformed path before access is even checked).
      return text.replace("{role}", key()).replace("{self}", login.isEmpty() ? "guest-user" : login)
          .replace("{password}", password())
          .replace("{run}", runId).replace("{image}", image).replace("{hidden}", hiddenImage);
    }
  }

  /** A request and the status each {@link Who} gets, in the enum's order. */
  record Route(String method, String path, String body, int... expected) {
    int expectedFor(Who who) {
      return expected[who.ordinal()];
    }

    @Override
    public String toString() {
      return method + " " + path + (body == null ? "" : " " + body);
    }
  }

  private static Route api(String method, String path, String body, int... expected) {
    return new Route(method, path, body, expected);
  }

  private static final List<Route> API = List.of(
      //                                                          anon guest dev maint nsadm sys robot
      api("GET", "/api/v1/gc/runs", null,                          401, 403, 403, 403, 403, 200, 403),
      api("POST", "/api/v1/gc/runs", "{\"dryRun\":true,\"grace\":\"0s\"}", 401, 403, 403, 403, 403, 202, 403),
      api("GET", "/api/v1/gc/runs/{run}", null,                    401, 403, 403, 403, 403, 200, 403),
      api("GET", "/api/v1/storage", null,                          401, 403, 403, 403, 403, 200, 403),
      api("GET", "/api/v1/audit", null,                            401, 403, 403, 403, 403, 200, 403),
      api("GET", "/api/v1/repositories", null,                     401, 200, 200, 200, 200, 200, 200),
      api("GET", "/api/v1/repositories/team/app/images", null,     401, 200, 200, 200, 200, 200, 200),
      api("GET", "/api/v1/repositories/other/app/images", null,    401, 404, 404, 404, 404, 200, 404),
      api("GET", "/api/v1/repositories/team/app/manifests/v1/delete-preview", null, 401, 403, 403, 200, 200, 200, 403),
      api("GET", "/api/v1/repositories/other/app/manifests/v1/delete-preview", null, 401, 404, 404, 404, 404, 200, 404),
      api("GET", "/api/v1/users", null,                            401, 403, 403, 403, 403, 200, 403),
      api("POST", "/api/v1/users", "{\"name\":\"new-{role}\",\"password\":\"password-123\"}",
                                                                   401, 403, 403, 403, 403, 201, 403),
      api("DELETE", "/api/v1/users/remove-{role}", null,           401, 403, 403, 403, 403, 204, 403),
      api("PUT", "/api/v1/users/pw-{role}/password", "{\"password\":\"another-password-1\"}",
                                                                   401, 403, 403, 403, 403, 204, 403),
      api("PUT", "/api/v1/users/{self}/password", "{\"currentPassword\":\"{password}\",\"password\":\"{password}\"}",
                                                                   401, 204, 204, 204, 204, 204, 403),
      api("PUT", "/api/v1/users/grant-{role}/roles/team", "{\"role\":\"guest\"}", 401, 403, 403, 403, 204, 204, 403),
      api("PUT", "/api/v1/users/grant-{role}/roles/other", "{\"role\":\"guest\"}", 401, 404, 404, 404, 404, 204, 404),
      api("DELETE", "/api/v1/users/revoke-{role}/roles/team", null, 401, 403, 403, 403, 204, 204, 403),
      api("GET", "/api/v1/namespaces/team", null,                  401, 403, 403, 403, 200, 200, 403),
      api("GET", "/api/v1/namespaces/other", null,                 401, 404, 404, 404, 404, 200, 404),
      api("GET", "/api/v1/namespaces/nowhere", null,               401, 404, 404, 404, 404, 200, 404),
      api("PUT", "/api/v1/namespaces/team/public", "{\"public\":false}", 401, 403, 403, 403, 204, 204, 403),
      api("POST", "/api/v1/robots", "{\"namespace\":\"team\",\"name\":\"bot-{role}\",\"role\":\"guest\"}",
                                                                   401, 403, 403, 403, 201, 201, 403),
      api("POST", "/api/v1/robots", "{\"namespace\":\"other\",\"name\":\"bot-{role}\",\"role\":\"guest\"}",
                                                                   401, 404, 404, 404, 404, 201, 404),
      api("POST", "/api/v1/robots/robot$team+revoke-{role}/revoke", null, 401, 403, 403, 403, 204, 204, 403),
      api("PUT", "/api/v1/namespaces/team/policy", "{\"quota\":\"2GiB\"}", 401, 403, 403, 403, 204, 204, 403),
      api("GET", "/api/v1/namespaces/team/policy", null,           401, 403, 403, 403, 200, 200, 403),
      api("GET", "/api/v1/namespaces/other/policy", null,          401, 404, 404, 404, 404, 200, 404),
      api("GET", "/api/v1/namespaces/team/usage", null,            401, 403, 403, 403, 200, 200, 403),
      api("GET", "/api/v1/namespaces/other/usage", null,           401, 404, 404, 404, 404, 200, 404),
      api("PUT", "/api/v1/namespaces/other/policy", "{\"quota\":\"2GiB\"}", 401, 404, 404, 404, 404, 204, 404),
      api("DELETE", "/api/v1/namespaces/other/policy", null,       401, 404, 404, 404, 404, 204, 404),
      // The namespace admin removes team's policy; the system admin, asking next, finds none left.
      api("DELETE", "/api/v1/namespaces/team/policy", null,        401, 403, 403, 403, 204, 404, 403),
      api("GET", "/api/v1/no-such-endpoint", null,                 401, 404, 404, 404, 404, 404, 404));

  /** Console pages: without a session (anonymous, and robots, which cannot sign in) a GET goes to the login page. */
  private static final List<Route> PAGES = List.of(
      //                                                          anon guest dev maint nsadm sys robot
      api("GET", "/ui/", null,                                     303, 200, 200, 200, 200, 200, 303),
      api("GET", "/ui/repositories", null,                         303, 200, 200, 200, 200, 200, 303),
      api("GET", "/ui/repository?name=team/app", null,             303, 200, 200, 200, 200, 200, 303),
      api("GET", "/ui/repository?name=other/app", null,            303, 404, 404, 404, 404, 200, 303),
      api("GET", "/ui/artifact?repository=team/app&digest={image}", null, 303, 200, 200, 200, 200, 200, 303),
      api("GET", "/ui/artifact?repository=other/app&digest={hidden}", null, 303, 404, 404, 404, 404, 200, 303),
      api("GET", "/ui/delete?repository=team/app&reference=v1", null, 303, 403, 403, 200, 200, 200, 303),
      api("GET", "/ui/delete?repository=other/app&reference=v1", null, 303, 404, 404, 404, 404, 200, 303),
      api("GET", "/ui/delete/many?repository=team/app&scope=repository", null, 303, 403, 403, 200, 200, 200, 303),
      api("GET", "/ui/delete/many?repository=other/app&scope=repository", null, 303, 404, 404, 404, 404, 200, 303),
      api("GET", "/ui/gc", null,                                   303, 403, 403, 403, 403, 200, 303),
      api("GET", "/ui/gc/run?id={run}", null,                      303, 403, 403, 403, 403, 200, 303),
      api("GET", "/ui/audit", null,                                303, 403, 403, 403, 403, 200, 303),
      api("GET", "/ui/users", null,                                303, 403, 403, 403, 403, 200, 303),
      api("GET", "/ui/namespaces", null,                           303, 200, 200, 200, 200, 200, 303),
      api("GET", "/ui/namespace?name=team", null,                  303, 403, 403, 403, 200, 200, 303),
      api("GET", "/ui/namespace?name=other", null,                 303, 404, 404, 404, 404, 200, 303),
      api("GET", "/ui/account", null,                              303, 200, 200, 200, 200, 200, 303),
      api("GET", "/ui/no-such-page", null,                         303, 404, 404, 404, 404, 404, 303));

  /** Console forms, posted with the session's CSRF token; without a session every POST is refused. */
  private static final List<Route> FORMS = List.of(
      //                                                          anon guest dev maint nsadm sys robot
      api("POST", "/ui/delete", "repository=team/app&reference=del-{role}", 403, 403, 403, 303, 303, 303, 403),
      api("POST", "/ui/delete", "repository=other/app&reference=del-{role}", 403, 404, 404, 404, 404, 303, 403),
      // A digest that is not there: those who may delete are told so on the repository page.
      api("POST", "/ui/delete/many", "repository=team/app&digest=" + ABSENT, 403, 403, 403, 303, 303, 303, 403),
      api("POST", "/ui/delete/many", "repository=other/app&digest=" + ABSENT, 403, 404, 404, 404, 404, 303, 403),
      api("POST", "/ui/gc", "mode=dry&grace=0s",                   403, 403, 403, 403, 403, 303, 403),
      api("POST", "/ui/users", "name=uinew-{role}&password=password-123", 403, 403, 403, 403, 403, 303, 403),
      api("POST", "/ui/users/remove", "name=uiremove-{role}",      403, 403, 403, 403, 403, 303, 403),
      api("POST", "/ui/namespace/role", "namespace=team&user=uigrant-{role}&role=guest", 403, 403, 403, 403, 303, 303, 403),
      api("POST", "/ui/namespace/role", "namespace=other&user=uigrant-{role}&role=guest", 403, 404, 404, 404, 404, 303, 403),
      api("POST", "/ui/namespace/role", "namespace=team&user=uirevoke-{role}&role=none", 403, 403, 403, 403, 303, 303, 403),
      api("POST", "/ui/namespace/public", "namespace=team&public=off", 403, 403, 403, 403, 303, 303, 403),
      api("POST", "/ui/namespace/robots", "namespace=team&name=uibot-{role}&role=guest", 403, 403, 403, 403, 200, 200, 403),
      api("POST", "/ui/namespace/robots/revoke", "namespace=team&login=robot$team+uirevoke-{role}",
                                                                   403, 403, 403, 403, 303, 303, 403),
      api("POST", "/ui/account/password", "current={password}&password={password}&repeat={password}",
                                                                   403, 303, 303, 303, 303, 303, 403));

  @TempDir
  static Path root;

  static RunningRegistry registry;
  static SqlMetadataStore store;
  static TestImages images;
  static String runId;
  static String image;
  static String hiddenImage;
  /** The server's own admin token: polling with it costs no bcrypt verification per request. */
  static String adminToken;
  static final HttpClient http = HttpClient.newHttpClient();
  static final Map<Who, ConsoleClient> consoles = new EnumMap<>(Who.class);

  @BeforeAll
  static void start() throws Exception {
    registry = RunningRegistry.startWithAuth(root, ADMIN_PASSWORD);
    store = SqlMetadataStore.sqlite(root.resolve("berth/metadata.db"));
    images = new TestImages(registry, "admin", ADMIN_PASSWORD);
    adminToken = JSON.readTree(root.resolve("berth/server.json").toFile()).path("token").asText();
    String hash = Passwords.hash(PASSWORD);
    for (Who who : List.of(Who.GUEST, Who.DEVELOPER, Who.MAINTAINER, Who.NAMESPACE_ADMIN)) {
      addUser(who.login, hash);
      store.access().setRole("team", who.login, who.role);
    }
    addRobot(ROBOT, "team", hash);
    addRobot("robot$other+hidden", "other", hash);
    for (String namespace : List.of("team", "other")) {
      store.policies().put(new PolicyStore.StoredPolicy(namespace, "quota: 1GiB\n", Instant.now(), "test"));
    }
    image = images.push("team/app", "v1", 200, Map.of());
    hiddenImage = images.push("other/app", "v1", 200, Map.of());
    for (Who who : Who.values()) {
      for (String target : List.of("pw-", "grant-", "remove-", "uigrant-", "uiremove-")) {
        addUser(target + who.key(), hash);
      }
      for (String target : List.of("revoke-", "uirevoke-")) {
        addUser(target + who.key(), hash);
        store.access().setRole("team", target + who.key(), "guest");
        addRobot("robot$team+" + target + who.key(), "team", hash);
      }
      images.tag("team/app", image, "del-" + who.key());
      images.tag("other/app", hiddenImage, "del-" + who.key());
    }
    runId = JSON.readTree(send(Who.SYSTEM_ADMIN, "POST", "/api/v1/gc/runs", "{\"dryRun\":true}").body())
        .path("id").asText();
    awaitNoRun();
    for (Who who : Who.values()) {
      ConsoleClient client = new ConsoleClient(registry.uri("/"));
      if (who != Who.ANONYMOUS) {
        assertThat(client.login(who.login, who.password()).statusCode()).as(who.name())
            .isEqualTo(who == Who.ROBOT ? 403 : 303);
      }
      consoles.put(who, client);
    }
  }

  private static void addUser(String name, String hash) {
    assertThat(store.access().addUser(new AccessStore.UserRecord(name, hash, false, Instant.now()))).isTrue();
  }

  private static void addRobot(String login, String namespace, String hash) {
    assertThat(store.access().addRobot(new AccessStore.RobotRecord(login, hash, namespace, "developer", "test", Instant.now(),
        Optional.empty(), Optional.empty()))).isTrue();
  }

  @AfterAll
  static void stop() throws Exception {
    store.close();
    registry.close();
  }

  static Stream<Arguments> apiCases() {
    return cases(API);
  }

  static Stream<Arguments> pageCases() {
    return cases(PAGES);
  }

  static Stream<Arguments> formCases() {
    return cases(FORMS);
  }

  private static Stream<Arguments> cases(List<Route> routes) {
    return routes.stream().flatMap(route -> Stream.of(Who.values()).map(who -> Arguments.of(who, route)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("apiCases")
  void adminApi(Who who, Route route) throws Exception {
    State before = State.read();
    HttpResponse<String> response = send(who, route.method(), who.fill(route.path()),
        route.body() == null ? null : who.fill(route.body()));
    assertOutcome(route, who, response.statusCode(), response.body(), before);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("pageCases")
  void consolePages(Who who, Route route) throws Exception {
    State before = State.read();
    HttpResponse<String> response = consoles.get(who).get(who.fill(route.path()));
    assertOutcome(route, who, response.statusCode(), response.body(), before);
    if (response.statusCode() == 303) {
      assertThat(response.headers().firstValue("Location")).hasValue("/ui/login");
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("formCases")
  void consoleForms(Who who, Route route) throws Exception {
    State before = State.read();
    Map<String, String> fields = fields(who.fill(route.body()));
    ConsoleClient console = consoles.get(who);
    HttpResponse<String> response = who == Who.ANONYMOUS || who == Who.ROBOT
        ? console.post(route.path(), fields) : console.submit("/ui/account", route.path(), fields);
    assertOutcome(route, who, response.statusCode(), response.body(), before);
  }

  /** A cross-site form POST carries the session cookie at most, never the page's token: refused, whoever is signed in. */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("formCases")
  void consoleFormsWithoutTheCsrfToken(Who who, Route route) throws Exception {
    State before = State.read();
    HttpResponse<String> response = consoles.get(who).post(route.path(), fields(who.fill(route.body())));
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(State.read()).isEqualTo(before);
  }

  private static void assertOutcome(Route route, Who who, int status, String body, State before) throws Exception {
    assertThat(status).as(body).isEqualTo(route.expectedFor(who));
    // A GET never changes anything, whatever it answers; a POST, PUT or DELETE only when it succeeds.
    if (status >= 400 || "GET".equals(route.method())) {
      assertThat(State.read()).as("a refused request changes nothing").isEqualTo(before);
      assertThat(body).doesNotContain("Exception").doesNotContain("\tat ");
    }
    if (route.path().contains("/gc")) {
      awaitNoRun();
    }
  }

  @Test
  void aNamespaceOneCannotSeeAnswersExactlyAsOneThatDoesNotExist() throws Exception {
    for (Who who : List.of(Who.GUEST, Who.DEVELOPER, Who.MAINTAINER, Who.NAMESPACE_ADMIN, Who.ROBOT)) {
      assertThat(send(who, "GET", "/api/v1/namespaces/other", null).body())
          .isEqualTo(send(who, "GET", "/api/v1/namespaces/nowhere", null).body());
      assertThat(send(who, "GET", "/api/v1/repositories/other/app/images", null).body())
          .isEqualTo(send(who, "GET", "/api/v1/repositories/nowhere/app/images", null).body());
      assertThat(send(who, "GET", "/api/v1/repositories/other/app/manifests/v1/delete-preview", null).body())
          .isEqualTo(send(who, "GET", "/api/v1/repositories/nowhere/app/manifests/v1/delete-preview", null).body());
      assertThat(send(who, "PUT", "/api/v1/users/grant-guest/roles/other", "{\"role\":\"admin\"}").body())
          .isEqualTo(send(who, "PUT", "/api/v1/users/grant-guest/roles/nowhere", "{\"role\":\"admin\"}").body());
      assertThat(send(who, "GET", "/api/v1/namespaces/other/policy", null).body())
          .isEqualTo(send(who, "GET", "/api/v1/namespaces/nowhere/policy", null).body());
      assertThat(send(who, "GET", "/api/v1/namespaces/other/usage", null).body())
          .isEqualTo(send(who, "GET", "/api/v1/namespaces/nowhere/usage", null).body());
      assertThat(send(who, "POST", "/api/v1/robots/robot$other+hidden/revoke", null).body())
          .isEqualTo(send(who, "POST", "/api/v1/robots/robot$nowhere+bot/revoke", null).body());
      assertThat(JSON.readTree(send(who, "GET", "/api/v1/repositories", null).body()).path("repositories").toString())
          .contains("team/app").doesNotContain("other/app");
    }
    ConsoleClient guest = consoles.get(Who.GUEST);
    assertThat(guest.get("/ui/namespace?name=other").body()).isEqualTo(guest.get("/ui/namespace?name=nowhere").body());
    assertThat(guest.get("/ui/repository?name=other/app").body())
        .isEqualTo(guest.get("/ui/repository?name=nowhere/app").body().replace("nowhere/app", "other/app"));
    assertThat(guest.get("/ui/repositories").body()).contains("team/app").doesNotContain("other/app");
    assertThat(guest.get(Links.artifact("other/app", hiddenImage)).body())
        .isEqualTo(guest.get(Links.artifact("nowhere/app", hiddenImage)).body());
  }

  @Test
  void forgedExpiredAndUnsignedTokensAreRefusedEverywhere() throws Exception {
    Scope scope = new Scope(RepositoryName.of("team/app"), Set.of(Action.PULL, Action.PUSH, Action.DELETE));
    Principal admin = new Principal("admin", Principal.Kind.USER, true, Map.of());
    TokenService past = TokenService.open(root.resolve("berth/token-signing-key.jwk"), "berth", Duration.ofMinutes(5),
        Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC));
    String expired = past.issue(admin, List.of(scope));
    TokenService now = TokenService.open(root.resolve("berth/token-signing-key.jwk"), "berth", Duration.ofMinutes(5),
        Clock.systemUTC());
    String genuine = now.issue(admin, List.of(scope));
    String[] parts = genuine.split("\\.");
    String unsigned = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".";
    String forged = parts[0] + "." + parts[1] + "." + b64("not the signature");

    State before = State.read();
    for (String token : List.of(expired, unsigned, forged, "not-a-jwt")) {
      assertThat(bearer(token, "GET", "/v2/team/app/tags/list", null)).as(token).isEqualTo(401);
      assertThat(bearer(token, "DELETE", "/v2/team/app/manifests/v1", null)).as(token).isEqualTo(401);
      assertThat(bearer(token, "GET", "/api/v1/repositories", null)).as(token).isEqualTo(401);
      assertThat(bearer(token, "POST", "/api/v1/gc/runs", "{\"dryRun\":true}")).as(token).isEqualTo(401);
      assertThat(bearer(token, "POST", "/api/v1/users", "{\"name\":\"intruder\"}")).as(token).isEqualTo(401);
    }
    // A registry token grants repository actions, never administration, even a system administrator's.
    assertThat(bearer(genuine, "GET", "/v2/team/app/tags/list", null)).isEqualTo(200);
    assertThat(bearer(genuine, "GET", "/api/v1/repositories", null)).isEqualTo(401);
    // The console reads its session cookie only.
    assertThat(http.send(HttpRequest.newBuilder(registry.uri("/ui/")).header("Authorization", "Bearer " + genuine)
        .build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(303);
    assertThat(State.read()).isEqualTo(before);
  }

  private static int bearer(String token, String method, String path, String body) throws Exception {
    return http.send(request(method, path, body).header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static HttpResponse<String> send(Who who, String method, String path, String body) throws Exception {
    HttpRequest.Builder request = request(method, path, body);
    if (who != Who.ANONYMOUS) {
      request.header("Authorization", Credentials.basic(who.login, who.password()));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder request(String method, String path, String body) {
    return HttpRequest.newBuilder(registry.uri(path)).method(method,
        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
  }

  private static Map<String, String> fields(String form) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String pair : form.split("&")) {
      String[] kv = pair.split("=", 2);
      fields.put(kv[0], kv[1]);
    }
    return fields;
  }

  /** Collections start in the background; the next request must not find one running. */
  private static void awaitNoRun() throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (Instant.now().isBefore(deadline)) {
      JsonNode runs = JSON.readTree(http.send(request("GET", "/api/v1/gc/runs", null)
          .header("Authorization", "Bearer " + adminToken).build(), HttpResponse.BodyHandlers.ofString()).body())
          .path("runs");
      if (!runs.toString().contains("\"status\":\"running\"")) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("a collection did not finish");
  }

  private static String b64(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Everything a request of these tables could change. */
  record State(List<String> users, Map<String, String> team, Map<String, String> other, List<String> robots,
      boolean teamPublic, boolean otherPublic, List<String> teamTags, List<String> otherTags, int runs, int audit,
      List<String> policies) {
    static State read() {
      List<String> robots = new ArrayList<>();
      store.access().listRobots().forEach(r -> robots.add(r.name() + " " + r.revokedAt()));
      return new State(store.access().listUsers().stream().map(u -> u.name() + " " + u.passwordHash()).toList(),
          store.access().membersOf("team"), store.access().membersOf("other"), robots, store.access().isPublic("team"), store.access().isPublic("other"),
          tags("team/app"), tags("other/app"), store.history().recentRuns(10_000).size(), store.history().recentAudit(100_000).size(),
          store.policies().all().stream().map(p -> p.namespace() + " " + p.updatedAt() + " " + p.document()).toList());
    }

    private static List<String> tags(String repository) {
      return store.manifests().listTags(RepositoryName.of(repository), Optional.empty(), 10_000).stream()
          .map(dev.berth.oci.Tag::value).toList();
    }
  }
}
