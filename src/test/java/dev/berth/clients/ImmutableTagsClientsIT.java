package dev.berth.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testing.OciLayout;
import dev.berth.testing.RunningRegistry;
import dev.berth.testing.Tool;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Immutable tags as skopeo and podman meet them: the first push of a release tag works, pushing
 * other content under it and deleting it fail with the registry's DENIED and the rule, and pushing
 * the same image again works.
 */
class ImmutableTagsClientsIT {
  @TempDir
  static Path work;

  static RunningRegistry registry;
  static String skopeo;
  static String podman;
  static OciLayout layout;
  static OciLayout.Written first;
  static OciLayout.Written second;

  @BeforeAll
  static void start() throws Exception {
    skopeo = Tool.require("skopeo");
    podman = Tool.require("podman");
    Path root = work.resolve("registry");
    registry = RunningRegistry.start(root, true);
    String token = new ObjectMapper().readTree(root.resolve("berth/server.json").toFile()).path("token").asText();
    HttpResponse<String> set = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://" + registry.hostPort() + "/api/v1/namespaces/frozen/policy"))
        .PUT(HttpRequest.BodyPublishers.ofString("immutable:\n  - repositories: [\"**\"]\n    tags: [\"v*.*.*\"]\n"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/yaml").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(set.statusCode()).as(set.body()).isEqualTo(204);
    layout = OciLayout.create(work.resolve("layout"));
    first = layout.image("amd64", 71, 50_000);
    second = layout.image("amd64", 72, 50_000);
    layout.tag(first, "first").tag(second, "second");
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  private List<String> skopeo(String... args) {
    List<String> command = new ArrayList<>(List.of(skopeo, "--insecure-policy"));
    command.addAll(List.of(args));
    return command;
  }

  private List<String> podman(String... args) {
    List<String> command = new ArrayList<>(List.of(podman,
        "--storage-driver", "vfs", "--root", work.resolve("root").toString(),
        "--runroot", work.resolve("run").toString(), "--cgroup-manager", "cgroupfs", "--events-backend", "file"));
    command.addAll(List.of(args));
    return command;
  }

  private List<String> copy(String tag, String target) {
    return skopeo("copy", "--dest-tls-verify=false", "oci:" + layout.dir() + ":" + tag,
        "docker://" + registry.hostPort() + "/" + target);
  }

  @Test
  void skopeoIsRefusedMovingOrDeletingAnImmutableTag() throws Exception {
    Tool.ok(work, copy("first", "frozen/skopeo:v1.0.0"));

    Tool.Result moved = Tool.run(work, copy("second", "frozen/skopeo:v1.0.0"), 120);
    assertThat(moved.exitCode()).isNotZero();
    assertThat(moved.output()).containsIgnoringCase("denied").contains("tag v1.0.0 is immutable")
        .contains("immutable[0]");
    Tool.Result deleted = Tool.run(work, skopeo("delete", "--tls-verify=false",
        "docker://" + registry.hostPort() + "/frozen/skopeo:v1.0.0"), 60);
    assertThat(deleted.exitCode()).isNotZero();
    assertThat(deleted.output()).containsIgnoringCase("denied");

    // The same image again, and other content under a tag no rule protects, are fine.
    Tool.ok(work, copy("first", "frozen/skopeo:v1.0.0"));
    Tool.ok(work, copy("second", "frozen/skopeo:latest"));
    Tool.ok(work, copy("first", "frozen/skopeo:latest"));
    String digest = Tool.ok(work, skopeo("inspect", "--tls-verify=false", "--format", "{{.Digest}}",
        "docker://" + registry.hostPort() + "/frozen/skopeo:v1.0.0")).trim();
    assertThat(digest).isEqualTo(first.digest());
  }

  @Test
  void podmanIsRefusedMovingAnImmutableTag() throws Exception {
    Path archive = work.resolve("images.tar");
    for (OciLayout.Written image : List.of(first, second)) {
      String name = image == first ? "first" : "second";
      Tool.ok(work, skopeo("copy", "oci:" + layout.dir() + ":" + name,
          "docker-archive:" + archive + "-" + name + ":local/" + name + ":v1"));
      Tool.ok(work, podman("load", "-i", archive + "-" + name));
    }
    String target = registry.hostPort() + "/frozen/podman:v2.0.0";
    Tool.ok(work, podman("tag", "local/first:v1", target));
    Tool.ok(work, podman("push", "--tls-verify=false", target));

    Tool.ok(work, podman("tag", "local/second:v1", target));
    Tool.Result moved = Tool.run(work, podman("push", "--tls-verify=false", target), 120);

    assertThat(moved.exitCode()).isNotZero();
    assertThat(moved.output()).containsIgnoringCase("denied").contains("tag v2.0.0 is immutable");
    Tool.ok(work, podman("rmi", "-a", "-f"));
    Tool.ok(work, podman("pull", "--tls-verify=false", target));
    String pulled = Tool.ok(work, podman("image", "inspect", "--format", "{{.Digest}}", target)).trim();
    assertThat(pulled).isNotEmpty();
    String stored = Tool.ok(work, skopeo("inspect", "--tls-verify=false", "--format", "{{.Digest}}",
        "docker://" + target)).trim();
    assertThat(pulled).isEqualTo(stored);
  }
}
