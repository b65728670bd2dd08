package dev.berth.gc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The admin API of the server that holds a data directory, found as {@code berth gc} finds it:
 * through the address and token the server published in {@code <root>/berth/server.json}.
 */
final class AdminApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

  private final URI base;
  private final String token;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private AdminApi(URI base, String token) {
    this.base = base;
    this.token = token;
  }

  static AdminApi of(Path dataRoot) throws IOException {
    JsonNode published = JSON.readTree(dataRoot.resolve("berth/server.json").toFile());
    return new AdminApi(URI.create(published.path("url").asText()), published.path("token").asText());
  }

  /** What {@code POST /api/v1/gc/runs} answered: 202 with the run's id, or a refusal. */
  record Start(int status, String body) {
    String id() {
      try {
        return JSON.readTree(body).path("id").asText();
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }
  }

  static Map<String, Object> options(boolean dryRun, boolean deleteUntagged) {
    Map<String, Object> options = new LinkedHashMap<>();
    options.put("dryRun", dryRun);
    options.put("deleteUntagged", deleteUntagged);
    options.put("grace", "0s");
    return options;
  }

  Start start(Map<String, Object> options) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(startRequest(options), HttpResponse.BodyHandlers.ofString());
    return new Start(r.statusCode(), r.body());
  }

  private HttpRequest startRequest(Map<String, Object> options) throws IOException {
    return request("/api/v1/gc/runs")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(options)))
        .header("Content-Type", "application/json")
        .build();
  }

  /** {@code GET /api/v1/gc/runs/{id}}: status, report and log (once finished), progress (while live). */
  JsonNode run(String id) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(request("/api/v1/gc/runs/" + id).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new AssertionError("GET run " + id + " -> " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /** {@code GET} on any admin path, parsed. */
  JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new AssertionError("GET " + path + " -> " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /** Follows a run until it is no longer running; bounded in polls and in time. */
  JsonNode await(String id) throws IOException, InterruptedException {
    return await(id, Duration.ofMillis(10));
  }

  /** Follows a run, asking for its status again {@code pollInterval} after each answer. */
  JsonNode await(String id, Duration pollInterval) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(RUN_TIMEOUT);
    long maxPolls = RUN_TIMEOUT.toMillis() / Math.max(1, pollInterval.toMillis());
    for (long poll = 0; poll < maxPolls && Instant.now().isBefore(deadline); poll++) {
      JsonNode run = run(id);
      if (!run.path("status").asText().equals("running")) {
        return run;
      }
      Thread.sleep(pollInterval);
    }
    throw new AssertionError("gc run " + id + " still running after " + RUN_TIMEOUT + ": " + run(id));
  }

  /** Starts a run, follows it to the end, and insists that it succeeded. */
  JsonNode runToSuccess(Map<String, Object> options) throws IOException, InterruptedException {
    return runToSuccessDespiteRefusals(options, null);
  }

  /**
   * Like {@link #runToSuccess}, but a 409 is asked again (bounded) and counted in {@code refusals}
   * (when not null). For a caller that knows no other run was started: the server refuses a start
   * for a moment after it has reported the previous run finished (see GcRunLifecycleIT).
   */
  JsonNode runToSuccessDespiteRefusals(Map<String, Object> options, LongAdder refusals)
      throws IOException, InterruptedException {
    Start started = refusals == null ? start(options) : startDespiteRefusals(options, refusals);
    if (started.status() != 202) {
      throw new AssertionError("gc run refused: " + started);
    }
    JsonNode run = await(started.id());
    if (!run.path("status").asText().equals("succeeded")) {
      throw new AssertionError("gc run " + started.id() + " did not succeed: " + run.toPrettyString());
    }
    return run;
  }

  /** Starts a run, asking again while the server answers 409 (bounded), and counts the refusals. */
  Start startDespiteRefusals(Map<String, Object> options, LongAdder refusals) throws IOException, InterruptedException {
    Start started = start(options);
    for (int attempt = 0; started.status() == 409 && attempt < 1000; attempt++) {
      refusals.increment();
      Thread.sleep(2);
      started = start(options);
    }
    return started;
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token);
  }
}
