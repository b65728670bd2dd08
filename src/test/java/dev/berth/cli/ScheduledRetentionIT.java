package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testing.DockerRegistryRoot;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.RegistryClient.PushedManifest;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A namespace's scheduled retention as an operator sets it up: a policy with a schedule, given to a
 * running {@code berth serve} with {@code berth policy set}; at the next minute of the schedule the
 * server deletes what the policy deletes and then collects, and the blob files of the deleted image
 * leave the disk, exactly the bytes the retention run announced. Waits for the server's own
 * scheduler (a cron's resolution is a minute), so this takes one to two minutes.
 */
class ScheduledRetentionIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  Path dir;

  @Test
  void aScheduledRunDeletesWhatThePolicyDeletesAndTheCollectionAfterItFreesTheBytesItAnnounced() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    List<PushedManifest> images = new ArrayList<>();
    try (RegistryClient registry = RegistryClient.start(data, true)) {
      for (String tag : List.of("1.0", "1.1", "1.2")) {
        images.add(registry.pushImage("team/app", tag));
        Thread.sleep(5);
      }
    }
    DockerRegistryRoot root = new DockerRegistryRoot(data);
    List<Path> oldestFiles = blobFiles(root, images.get(0));
    long oldestBytes = 0;
    for (Path file : oldestFiles) {
      oldestBytes += Files.size(file);
    }
    Path policy = dir.resolve("policy.yml");
    Files.writeString(policy, """
        retention:
          schedule: "* * * * *"
          rules:
            - repositories: ["**"]
              tags: ["*"]
              keep: { mostRecentlyPushed: 2 }
        """);
    String config = "storage:\n  filesystem:\n    rootdirectory: " + data + "\n  delete:\n    enabled: true\n"
        + "gc:\n  grace: 0s\n";

    try (BerthProcess server = BerthProcess.serve(dir, List.of(), config)) {
      BerthProcess.Result set = BerthProcess.run(dir, "policy", "set", "team", policy.toString(), "--config",
          dir.resolve("config.yml").toString());
      assertThat(set.exitCode()).as(set.output()).isZero();
      String token = JSON.readTree(data.resolve("berth/server.json").toFile()).path("token").asText();

      JsonNode retention = await(server, token, "/api/v1/retention/runs",
          run -> run.path("trigger").asText().equals("schedule") && !run.path("status").asText().equals("running"));
      assertThat(retention.path("status").asText()).as(retention.toString()).isEqualTo("succeeded");
      assertThat(retention.path("namespace").asText()).isEqualTo("team");
      assertThat(retention.path("requestedBy").asText()).isEqualTo("schedule");
      assertThat(retention.path("dryRun").asBoolean()).isFalse();
      assertThat(retention.path("images").asLong()).isEqualTo(3);
      assertThat(retention.path("kept").asLong()).isEqualTo(2);
      assertThat(retention.path("deleted").asLong()).isEqualTo(1);
      assertThat(retention.path("bytesFreed").asLong()).isEqualTo(oldestBytes);

      JsonNode collection = await(server, token, "/api/v1/gc/runs",
          run -> run.path("trigger").asText().equals("schedule") && !run.path("status").asText().equals("running"));
      assertThat(collection.path("status").asText()).as(collection.toString()).isEqualTo("succeeded");
      assertThat(collection.path("dryRun").asBoolean()).isFalse();
      assertThat(collection.path("bytesFreed").asLong()).isEqualTo(oldestBytes);

      JsonNode audit = get(server, token, "/api/v1/audit?namespace=team");
      List<String> entries = new ArrayList<>();
      audit.path("entries").forEach(e -> entries.add(e.path("actor").asText() + " " + e.path("action").asText() + " "
          + e.path("target").asText()));
      assertThat(entries).contains("schedule retention.start retention/" + retention.path("id").asText(),
          "policy:team manifest.delete team/app@" + images.get(0).digest());

      assertThat(oldestFiles).allSatisfy(file -> assertThat(file).doesNotExist());
      assertThat(status(server, "/v2/team/app/manifests/" + images.get(0).digest())).isEqualTo(404);
      assertThat(status(server, "/v2/team/app/manifests/1.0")).isEqualTo(404);
      for (PushedManifest kept : images.subList(1, 3)) {
        assertThat(blobFiles(root, kept)).allSatisfy(file -> assertThat(file).exists());
        assertThat(status(server, "/v2/team/app/manifests/" + kept.digest())).isEqualTo(200);
      }
      server.terminate(Duration.ofSeconds(30));
    }
  }

  /** The files of the image's config and layers. */
  private static List<Path> blobFiles(DockerRegistryRoot root, PushedManifest image) throws Exception {
    JsonNode manifest = JSON.readTree(image.bytes());
    List<Path> files = new ArrayList<>(List.of(root.blobData(manifest.path("config").path("digest").asText())));
    manifest.path("layers").forEach(layer -> files.add(root.blobData(layer.path("digest").asText())));
    return files;
  }

  /**
   * The newest run of the list that matches, once one does. The scheduler's job fires at the start
   * of every minute; two minutes leave room for the minute the policy was set in to pass.
   */
  private static JsonNode await(BerthProcess server, String token, String list, Predicate<JsonNode> wanted)
      throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
    while (Instant.now().isBefore(deadline)) {
      Optional<JsonNode> found = Optional.empty();
      for (JsonNode run : get(server, token, list).path("runs")) {
        if (wanted.test(run)) {
          found = Optional.of(run);
          break;
        }
      }
      if (found.isPresent()) {
        return found.get();
      }
      Thread.sleep(1000);
    }
    throw new AssertionError("no run of " + list + " as wanted within 3 minutes");
  }

  private static JsonNode get(BerthProcess server, String token, String path) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(server.uri(path))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static int status(BerthProcess server, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(server.uri(path)).header("Accept",
            "application/vnd.oci.image.manifest.v1+json").build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
