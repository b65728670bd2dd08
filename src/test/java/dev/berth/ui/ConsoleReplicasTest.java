package dev.berth.ui;

import static dev.berth.ui.ConsoleTest.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.config.Settings;
import dev.berth.testing.RunningRegistry;
import dev.berth.testing.SharedPostgres;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Berth servers on one PostgreSQL database, each with its own data directory, as replicas
 * behind a load balancer: a console session and the login throttle are the same on both, and a
 * session outlives a restart.
 */
class ConsoleReplicasTest {
  private static final String PASSWORD = "replica-admin-password";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  private RunningRegistry replica(String name, Settings.Postgres database) throws Exception {
    return RunningRegistry.with(dir.resolve(name)).auth(PASSWORD).database(database).start();
  }

  @Test
  void aSessionGoesOnOnAnotherReplicaAndAfterARestart() throws Exception {
    Settings.Postgres database = new Settings.Postgres(SharedPostgres.newDatabase(), "postgres", "", 4);
    try (RunningRegistry b = replica("b", database)) {
      ConsoleClient onA;
      ConsoleClient onB;
      try (RunningRegistry a = replica("a", database)) {
        onA = new ConsoleClient(a.uri("/"));
        assertThat(onA.login("admin", PASSWORD).statusCode()).isEqualTo(303);
        onB = onA.at(b.uri("/"));
        assertThat(onB.get("/ui/").statusCode()).isEqualTo(200);

        // A form from A's page, posted to B; the page it redirects to, loaded from A, says why once.
        String csrf = ConsoleClient.csrfOf(onA.get("/ui/gc").body());
        HttpResponse<String> refused = onB.post("/ui/gc", Map.of("mode", "dry", "grace", "soon", "csrf", csrf));
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(303);
        assertThat(text(onA.follow(refused).body())).contains("Not started: invalid duration 'soon'");
        assertThat(onB.get("/ui/gc").body()).doesNotContain("Not started");
      }

      try (RunningRegistry restarted = replica("a", database)) {
        ConsoleClient onRestarted = onA.at(restarted.uri("/"));
        HttpResponse<String> dashboard = onRestarted.get("/ui/");
        assertThat(dashboard.statusCode()).as("the session outlived the restart").isEqualTo(200);
        assertThat(dashboard.body()).contains("admin");

        assertThat(onRestarted.submit("/ui/", "/ui/logout", Map.of()).statusCode()).isEqualTo(303);
        assertThat(onB.get("/ui/").headers().firstValue("Location")).as("signed out everywhere")
            .hasValue("/ui/login");
      }
    }
  }

  @Test
  void failedLoginsOnOneReplicaStopLoginsOnAnother() throws Exception {
    Settings.Postgres database = new Settings.Postgres(SharedPostgres.newDatabase(), "postgres", "", 4);
    try (RunningRegistry a = replica("a", database); RunningRegistry b = replica("b", database)) {
      for (int i = 0; i < 10; i++) {
        assertThat(basicStatus(a, "admin", "guess-" + i)).isEqualTo(401);
      }

      assertThat(basicStatus(b, "admin", PASSWORD)).isEqualTo(429);
      HttpResponse<String> console = new ConsoleClient(b.uri("/")).login("admin", PASSWORD);
      assertThat(console.statusCode()).isEqualTo(429);
      assertThat(ConsoleClient.sessionCookie(console)).isEmpty();
      assertThat(basicStatus(b, "someone-else", "guess")).as("another name from the address").isEqualTo(401);
    }
  }

  private static int basicStatus(RunningRegistry registry, String user, String password) throws Exception {
    String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    return HTTP.send(HttpRequest.newBuilder(registry.uri("/v2/")).header("Authorization", "Basic " + basic).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
