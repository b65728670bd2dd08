package dev.berth.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.auth.Users;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.testing.AccessLog;
import dev.berth.testing.DockerDaemon;
import dev.berth.testing.OciLayout;
import dev.berth.testing.RunningRegistry;
import dev.berth.testing.Tool;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The docker CLI with a dockerd of its own (Debian's docker.io) against Berth with access control
 * on: login through the token flow, push, remove, pull, a layer mounted across repositories, a
 * repeated push and a denied one. Images are made offline: OciLayout writes them, skopeo turns them
 * into docker-archive tars (Docker's schema 2, which docker 20.10 pushes) and docker loads those.
 */
class DockerIT {
  private static final String PASSWORD = "developer-pass-1";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PUSHED_DIGEST = Pattern.compile("v1: digest: (sha256:[0-9a-f]{64}) size: \\d+");

  @TempDir
  static Path work;

  static RunningRegistry registry;
  static DockerDaemon docker;

  @BeforeAll
  static void start() throws Exception {
    Tool.require("skopeo");
    registry = RunningRegistry.startWithAuth(work.resolve("registry"), "admin-password-1");
    try (SqlMetadataStore store = SqlMetadataStore.sqlite(work.resolve("registry/berth/metadata.db"))) {
      new Users(store.access(), Clock.systemUTC()).add("dev", PASSWORD, false);
      store.access().setRole("ci", "dev", "developer");
    }
    docker = DockerDaemon.start(work.resolve("docker"));
    Tool.Result login = docker.login(registry.hostPort(), "dev", PASSWORD);
    assertThat(login.exitCode()).as(login.output()).isZero();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (docker != null) {
        docker.close();
      }
    } finally {
      if (registry != null) {
        registry.close();
      }
    }
  }

  @Test
  void loginGoesThroughTheTokenFlow() throws Exception {
    try (AccessLog log = AccessLog.capture()) {
      Tool.Result wrong = docker.login(registry.hostPort(), "dev", "wrong-password");
      assertThat(wrong.exitCode()).as(wrong.output()).isNotZero();
      assertThat(wrong.output()).containsIgnoringCase("unauthorized");

      Tool.Result login = docker.login(registry.hostPort(), "dev", PASSWORD);
      assertThat(login.exitCode()).as(login.output()).isZero();
      assertThat(login.output()).contains("Login Succeeded");

      List<AccessLog.Entry> served = log.through(e -> e.route().equals("token") && e.status() == 200);
      assertThat(served).anyMatch(e -> e.route().equals("base") && e.status() == 401);
      assertThat(served).anyMatch(e -> e.route().equals("token") && e.status() == 401);
    }
    JsonNode stored = JSON.readTree(docker.configDir().resolve("config.json").toFile());
    assertThat(stored.path("auths").has(registry.hostPort())).as(stored.toString()).isTrue();
  }

  @Test
  void pushRemovePullKeepsTheImageAndItsDigest() throws Exception {
    String configDigest = load("app", 21, 300_000, 100_000, 20_000);
    String target = registry.hostPort() + "/ci/app:v1";
    docker.ok("tag", "local/app:v1", target);
    String digest = pushedDigest(docker.ok("push", target));
    assertThat(inspect(target, "{{.Id}}")).isEqualTo(configDigest);

    // Berth serves under the tag exactly the manifest docker pushed, in Docker's schema 2.
    byte[] manifest = manifest(target);
    assertThat("sha256:" + OciLayout.sha256(manifest)).isEqualTo(digest);
    JsonNode parsed = JSON.readTree(manifest);
    assertThat(parsed.path("mediaType").asText()).isEqualTo("application/vnd.docker.distribution.manifest.v2+json");
    assertThat(parsed.path("config").path("digest").asText()).isEqualTo(configDigest);

    docker.ok("rmi", target, "local/app:v1");
    assertThat(docker.run("image", "inspect", target).exitCode()).isNotZero();
    assertThat(docker.ok("images", "--all", "--quiet", "--no-trunc")).doesNotContain(configDigest);

    assertThat(docker.ok("pull", target)).contains("Digest: " + digest);
    assertThat(inspect(target, "{{.Id}}")).isEqualTo(configDigest);
    assertThat(inspect(target, "{{json .RepoDigests}}"))
        .isEqualTo("[\"" + registry.hostPort() + "/ci/app@" + digest + "\"]");
    assertThat(inspect(target, "{{len .RootFS.Layers}}")).isEqualTo("3");
  }

  @Test
  void aLayerSharedWithAnotherRepositoryIsMountedNotUploaded() throws Exception {
    // The same seed and first layer size give both images the same first layer.
    load("first", 31, 250_000, 30_000);
    load("second", 31, 250_000, 50_000);
    String first = registry.hostPort() + "/ci/first:v1";
    String second = registry.hostPort() + "/ci/second:v1";
    docker.ok("tag", "local/first:v1", first);
    docker.ok("tag", "local/second:v1", second);
    docker.ok("push", first);

    List<AccessLog.Entry> served;
    String output;
    try (AccessLog log = AccessLog.capture()) {
      output = docker.ok("push", second);
      served = log.through(e -> e.route().equals("manifest_put") && e.path().startsWith("/v2/ci/second/"));
    }
    assertThat(output).contains("Mounted from ci/first");

    // docker compresses layers itself, so the shared digest is read from the manifests Berth holds.
    Set<String> shared = new HashSet<>(layers(first));
    shared.retainAll(layers(second));
    assertThat(shared).hasSize(1);
    String layer = shared.iterator().next();

    assertThat(served).as("the mount request for %s", layer).anyMatch(e -> e.route().equals("blob_mount")
        && e.status() == 201 && query(e).contains("mount=" + layer) && query(e).contains("from=ci/first"));
    assertThat(served).as("uploads into ci/second").anyMatch(e -> e.route().equals("blob_upload_finish")
        && e.path().startsWith("/v2/ci/second/"));
    assertThat(served).as("no upload of %s", layer).noneMatch(e -> e.route().startsWith("blob_upload")
        && query(e).contains(layer));
  }

  @Test
  void pushingTheSameImageAgainSkipsEveryLayer() throws Exception {
    load("twice", 41, 120_000, 60_000, 10_000);
    String target = registry.hostPort() + "/ci/twice:v1";
    docker.ok("tag", "local/twice:v1", target);
    String digest = pushedDigest(docker.ok("push", target));

    List<AccessLog.Entry> served;
    String again;
    try (AccessLog log = AccessLog.capture()) {
      again = docker.ok("push", target);
      served = log.through(e -> e.route().equals("manifest_put"));
    }
    assertThat(again.lines().filter(line -> line.endsWith(": Layer already exists"))).hasSize(3);
    assertThat(again).doesNotContain("Pushed");
    assertThat(pushedDigest(again)).isEqualTo(digest);
    assertThat(served).noneMatch(e -> e.route().startsWith("blob_upload") || e.route().equals("blob_mount"));
  }

  @Test
  void pushingWhereTheUserMayNotWriteIsDeniedAtOnce() throws Exception {
    load("denied", 51, 40_000);
    String target = registry.hostPort() + "/ops/app:v1";
    docker.ok("tag", "local/denied:v1", target);
    try (AccessLog log = AccessLog.capture()) {
      Tool.Result push = docker.run("push", target);
      assertThat(push.exitCode()).as(push.output()).isNotZero();
      assertThat(push.output()).contains("denied: requested access to the resource is denied")
          .doesNotContain("Retrying");
      log.through(e -> e.path().startsWith("/v2/ops/app/") && e.status() == 403);
      assertThat(log.entries()).filteredOn(e -> e.path().startsWith("/v2/ops/app/"))
          .singleElement().matches(e -> e.method().equals("POST") && e.status() == 403, "one refused upload start");
    }
  }

  /**
   * Writes an OCI image of random layers, converts it with skopeo to a docker-archive named
   * {@code local/<name>:v1} and loads that into docker; returns the image's config digest (docker's
   * image ID).
   */
  private static String load(String name, long seed, int... layerSizes) throws Exception {
    OciLayout layout = OciLayout.create(work.resolve(name + "-layout"));
    OciLayout.Written image = layout.image("amd64", seed, layerSizes);
    layout.tag(image, "v1");
    Path archive = work.resolve(name + ".tar");
    Tool.ok(work, List.of(Tool.require("skopeo"), "--insecure-policy", "copy",
        "oci:" + layout.dir() + ":v1", "docker-archive:" + archive + ":local/" + name + ":v1"));
    assertThat(docker.ok("load", "--input", archive.toString())).contains("Loaded image: local/" + name + ":v1");
    return JSON.readTree(layout.read(image.digest())).path("config").path("digest").asText();
  }

  private static String inspect(String image, String format) throws Exception {
    return docker.ok("image", "inspect", "--format", format, image).trim();
  }

  private static String pushedDigest(String pushOutput) {
    Matcher m = PUSHED_DIGEST.matcher(pushOutput);
    assertThat(m.find()).as(pushOutput).isTrue();
    return m.group(1);
  }

  /** The manifest Berth serves for {@code reference}, byte for byte. */
  private static byte[] manifest(String reference) throws Exception {
    Path out = Files.createTempFile(work, "manifest", ".json");
    Tool.ok(work, List.of("sh", "-c", "exec \"$0\" inspect --raw --tls-verify=false --creds \"$1\" \"$2\" > \"$3\"",
        Tool.require("skopeo"), "dev:" + PASSWORD, "docker://" + reference, out.toString()));
    return Files.readAllBytes(out);
  }

  private static List<String> layers(String reference) throws Exception {
    List<String> digests = new ArrayList<>();
    JSON.readTree(manifest(reference)).path("layers").forEach(layer -> digests.add(layer.path("digest").asText()));
    return digests;
  }

  private static String query(AccessLog.Entry entry) {
    int start = entry.path().indexOf('?');
    return start < 0 ? "" : URLDecoder.decode(entry.path().substring(start + 1), StandardCharsets.UTF_8);
  }
}
