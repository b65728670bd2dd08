package dev.berth.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.OciLayout;
import dev.berth.testing.RunningRegistry;
import dev.berth.testing.Tool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * podman (Debian's package, rootful, vfs storage in a temporary root, no daemon): load an image
 * archive, push it to Berth, remove it locally, pull it back.
 */
class PodmanIT {
  @TempDir
  static Path work;

  static RunningRegistry registry;
  static String podman;

  @BeforeAll
  static void start() throws Exception {
    podman = Tool.require("podman");
    Tool.require("skopeo");
    registry = RunningRegistry.start(work.resolve("registry"), false);
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  private List<String> podman(String... args) {
    List<String> command = new ArrayList<>(List.of(podman,
        "--storage-driver", "vfs", "--root", work.resolve("root").toString(),
        "--runroot", work.resolve("run").toString(), "--cgroup-manager", "cgroupfs", "--events-backend", "file"));
    command.addAll(List.of(args));
    return command;
  }

  @Test
  void loadPushRemovePull() throws Exception {
    OciLayout layout = OciLayout.create(work.resolve("layout"));
    OciLayout.Written image = layout.image("amd64", 42, 400_000, 30_000);
    layout.tag(image, "v1");
    Path archive = work.resolve("image.tar");
    Tool.ok(work, List.of(Tool.require("skopeo"), "--insecure-policy", "copy",
        "oci:" + layout.dir() + ":v1", "docker-archive:" + archive + ":local/podman:v1"));

    String target = registry.hostPort() + "/podman/app:v1";
    Tool.ok(work, podman("load", "-i", archive.toString()));
    Tool.ok(work, podman("tag", "local/podman:v1", target));
    Tool.ok(work, podman("push", "--tls-verify=false", target));
    String imageId = Tool.ok(work, podman("images", "-q", "--no-trunc", target)).trim();

    Tool.ok(work, podman("rmi", "-a", "-f"));
    assertThat(Tool.ok(work, podman("images", "-q")).trim()).isEmpty();

    Tool.ok(work, podman("pull", "--tls-verify=false", target));
    assertThat(Tool.ok(work, podman("images", "-q", "--no-trunc", target)).trim()).isEqualTo(imageId);
    String inspected = Tool.ok(work, podman("image", "inspect", "--format", "{{.Architecture}} {{len .RootFS.Layers}}", target));
    assertThat(inspected.trim()).isEqualTo("amd64 2");
  }
}
