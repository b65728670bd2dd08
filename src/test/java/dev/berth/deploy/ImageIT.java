package dev.berth.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testing.OciLayout;
import dev.berth.testing.RunningRegistry;
import dev.berth.testing.Tool;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Berth's container image (target/berth-image.tar, Maven profile {@code image}; bin/test builds it):
 * loaded with podman (rootful, vfs storage in a temporary root), its configuration read back after
 * pushing it into a Berth, and the container run with its defaults and pushed to.
 */
class ImageIT {
  private static final Path IMAGE_TAR = Path.of("target/berth-image.tar");
  private static final String IMAGE = "localhost/berth:test";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path work;

  static String podman;
  static String skopeo;
  static RunningRegistry registry;
  static final List<String> containers = new ArrayList<>();

  @BeforeAll
  static void load() throws Exception {
    podman = Tool.require("podman");
    skopeo = Tool.require("skopeo");
    assertThat(IMAGE_TAR).as("the image archive; build it with mvn package -Pimage (bin/test does)").isRegularFile();
    String loaded = Tool.ok(work, podman("load", "-i", IMAGE_TAR.toAbsolutePath().toString()));
    String name = loaded.lines().filter(l -> l.startsWith("Loaded image:")).findFirst().orElseThrow().substring(13).trim();
    Tool.ok(work, podman("tag", name, IMAGE));
    registry = RunningRegistry.start(work.resolve("registry"), false);
  }

  @AfterAll
  static void stop() throws Exception {
    for (String container : containers) {
      Tool.ok(work, podman("rm", "-f", "-t", "0", container));
    }
    if (registry != null) {
      registry.close();
    }
  }

  /**
   * podman with runc rather than Debian's default crun, which refuses to start a container on a host
   * whose cgroups are mounted in hybrid mode (v1 controllers beside a v2 hierarchy), as on these VMs:
   * "crun: cgroups in hybrid mode not supported". bin/test installs runc.
   */
  private static List<String> podman(String... args) {
    List<String> command = new ArrayList<>(List.of(podman, "--runtime", "runc",
        "--storage-driver", "vfs", "--root", work.resolve("root").toString(),
        "--runroot", work.resolve("run").toString(), "--cgroup-manager", "cgroupfs", "--events-backend", "file"));
    command.addAll(List.of(args));
    return command;
  }

  @Test
  void imageConfigurationAsARegistryServesIt() throws Exception {
    String target = registry.hostPort() + "/berth/server:test";
    Tool.ok(work, podman("push", "--tls-verify=false", IMAGE, target));

    HttpClient http = HttpClient.newHttpClient();
    JsonNode manifest = JSON.readTree(http.send(HttpRequest.newBuilder(registry.uri("/v2/berth/server/manifests/test"))
        .header("Accept", "application/vnd.docker.distribution.manifest.v2+json, " + OciLayout.MANIFEST)
        .build(), HttpResponse.BodyHandlers.ofByteArray()).body());
    String configDigest = manifest.path("config").path("digest").asText();
    JsonNode image = JSON.readTree(http.send(HttpRequest.newBuilder(registry.uri("/v2/berth/server/blobs/" + configDigest)).build(),
        HttpResponse.BodyHandlers.ofByteArray()).body());
    JsonNode config = image.path("config");

    assertThat(image.path("os").asText()).isEqualTo("linux");
    assertThat(texts(config.path("Entrypoint")))
        .containsExactly("/opt/java/bin/java", "--enable-native-access=ALL-UNNAMED",
            "--add-opens", "java.base/java.security=ALL-UNNAMED", "--add-opens", "java.base/sun.security.provider=ALL-UNNAMED",
            "-cp", "@/app/jib-classpath-file", "dev.berth.cli.Main");
    assertThat(texts(config.path("Cmd"))).containsExactly("serve", "--config", "/etc/berth/config.yml");
    assertThat(config.path("User").asText()).isEqualTo("65532:65532");
    assertThat(fieldNames(config.path("ExposedPorts"))).containsExactly("5000/tcp");
    assertThat(fieldNames(config.path("Volumes"))).containsExactly("/var/lib/berth");
    assertThat(config.path("WorkingDir").asText()).isEqualTo("/var/lib/berth");
    assertThat(texts(config.path("Env"))).contains("JAVA_HOME=/opt/java")
        .anyMatch(e -> e.startsWith("JDK_JAVA_OPTIONS=") && e.contains("-Xmx"));
  }

  /**
   * The container as users start it: no configuration but a REGISTRY_* variable, the default
   * listener published on a loopback port. The ulimits are this VM's: it withholds
   * CAP_SYS_RESOURCE, and rootful podman's default raises the open-file and process limits.
   */
  @Test
  void containerServesOnItsPortAsANonRootUser() throws Exception {
    String container = "berth-image-it-" + ProcessHandle.current().pid();
    containers.add(container);
    Tool.ok(work, podman("run", "-d", "--name", container, "-p", "127.0.0.1::5000",
        "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096",
        "-e", "REGISTRY_STORAGE_DELETE_ENABLED=true", IMAGE));
    String published = Tool.ok(work, podman("port", container, "5000/tcp")).trim();
    String hostPort = published.lines().findFirst().orElseThrow();
    URI base = URI.create("http://" + hostPort);
    awaitHealthy(base.resolve("/healthz"), container);

    OciLayout source = OciLayout.create(work.resolve("source"));
    source.tag(source.image("amd64", 21, 300_000, 20_000), "v1");
    Tool.ok(work, List.of(skopeo, "--insecure-policy", "copy", "--dest-tls-verify=false", "--preserve-digests",
        "oci:" + source.dir() + ":v1", "docker://" + hostPort + "/deploy/app:v1"));
    Path back = work.resolve("back");
    Tool.ok(work, List.of(skopeo, "--insecure-policy", "copy", "--src-tls-verify=false", "--preserve-digests",
        "docker://" + hostPort + "/deploy/app:v1", "oci:" + back + ":v1"));
    OciLayout.assertSameBlobs(source.dir(), back);

    // REGISTRY_STORAGE_DELETE_ENABLED reached the configuration: deletes are off by default.
    Tool.ok(work, List.of(skopeo, "--insecure-policy", "delete", "--tls-verify=false", "docker://" + hostPort + "/deploy/app:v1"));

    assertThat(Tool.ok(work, podman("exec", container, "id", "-u")).trim()).isEqualTo("65532");
    assertThat(Tool.ok(work, podman("exec", container, "ls", "/var/lib/berth/data")).lines()).contains("docker", "berth");
  }

  private static void awaitHealthy(URI healthz, String container) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    // An upper bound for a start that never comes (the JVM starts in about two seconds), not a pass condition.
    long giveUp = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (true) {
      try {
        if (http.send(HttpRequest.newBuilder(healthz).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() > giveUp) {
        throw new AssertionError("the container never answered " + healthz + ":\n" + Tool.ok(work, podman("logs", container)));
      }
      Thread.sleep(200);
    }
  }

  private static List<String> texts(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }

  private static List<String> fieldNames(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
