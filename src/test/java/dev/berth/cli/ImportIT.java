package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testing.OciLayout;
import dev.berth.testing.RunningRegistry;
import dev.berth.testing.Tool;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adopting a root that Docker Registry 2.8 (Debian's docker-registry) filled through skopeo: the
 * import reports each link broken by hand, Berth then serves every image byte-identical, and
 * {@code berth gc --dry-run} lists what Docker Registry's {@code garbage-collect --dry-run} does,
 * minus that collector's known bug.
 */
class ImportIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern DOCKER_ELIGIBLE =
      Pattern.compile("(?m)^(blob|manifest) eligible for deletion: (sha256:[0-9a-f]{64})");
  private static final Pattern BERTH_WOULD_DELETE =
      Pattern.compile("(?m)^would delete (blob|manifest) \\S+ (sha256:[0-9a-f]{64})");

  @TempDir Path work;

  private String skopeo;
  private String dockerRegistry;

  private List<String> skopeo(String... args) {
    List<String> command = new ArrayList<>(List.of(skopeo, "--insecure-policy"));
    command.addAll(List.of(args));
    return command;
  }

  /** The images pushed, by role; the source layout keeps their bytes for comparison. */
  private record Pushed(OciLayout source, OciLayout.Written web, OciLayout.Written multi, OciLayout.Written amd64,
      OciLayout.Written arm64, OciLayout.Written untagged, OciLayout.Written deleted, OciLayout.Written layerGone,
      OciLayout.Written tagGarbage) {}

  @Test
  void aDockerRegistryRootIsImportedServedByteIdenticalAndCollectedAsDockerRegistryWould() throws Exception {
    skopeo = Tool.require("skopeo");
    dockerRegistry = Tool.require("docker-registry");
    Path root = work.resolve("docker-registry/storage");
    Pushed pushed = fill(root);

    Path copy = work.resolve("unbroken/storage");
    copyTree(root, copy);
    compareCollections(copy, pushed);

    List<String> brokenLinks = breakLinks(root, pushed);
    Path config = berthConfig(root);
    MainTest.Outcome dryRun = MainTest.berthPrinting("import", "--dry-run", "-c", config.toString());
    System.out.println("berth import --dry-run:\n" + dryRun.out());
    assertThat(dryRun.status()).isZero();
    assertThat(root.resolve("berth")).doesNotExist();
    MainTest.Outcome imported = MainTest.berthPrinting("import", "-c", config.toString());
    System.out.println("berth import:\n" + imported.out());
    assertThat(imported.status()).isZero();
    for (String link : brokenLinks) {
      assertThat(dryRun.out()).contains(link);
      assertThat(imported.out()).contains(link);
    }
    assertThat(imported.out()).doesNotContain(pushed.deleted().digest().substring("sha256:".length()))
        .contains("uploads in progress: 1").contains("deleted in Docker Registry (link file removed): 1")
        .contains("application/vnd.oci.image.index.v1+json: 1");

    try (RunningRegistry berth = RunningRegistry.start(root, true)) {
      String remote = "docker://" + berth.hostPort() + "/";
      for (String tag : List.of("app/web:v1", "app/web:v1.0", "app/web:latest", "app/web:moving", "other/web:stable")) {
        assertThat(rawDigest(remote + tag)).as(tag).isEqualTo(pushed.web().digest());
      }
      Path back = work.resolve("web-back");
      Tool.ok(work, skopeo("copy", "--src-tls-verify=false", "--preserve-digests", remote + "other/web:stable",
          "oci:" + back + ":stable"));
      assertThat(blobsOf(back)).containsAll(blobsOf(pushed.source().dir(), pushed.web()));
      assertThat(rawDigest(remote + "app/multi:latest")).isEqualTo(pushed.multi().digest());
      Path multiBack = work.resolve("multi-back");
      Tool.ok(work, skopeo("copy", "--all", "--src-tls-verify=false", "--preserve-digests",
          remote + "app/multi:latest", "oci:" + multiBack + ":latest"));
      Set<String> multiBlobs = new TreeSet<>(blobsOf(pushed.source().dir(), pushed.amd64()));
      multiBlobs.addAll(blobsOf(pushed.source().dir(), pushed.arm64()));
      assertThat(blobsOf(multiBack)).containsAll(multiBlobs);
      assertThat(rawDigest(remote + "app/web@" + pushed.untagged().digest())).isEqualTo(pushed.untagged().digest());
      assertThat(rawDigest(remote + "broken/tag@" + pushed.tagGarbage().digest()))
          .isEqualTo(pushed.tagGarbage().digest());
      for (String gone : List.of("app/web@" + pushed.deleted().digest(), "broken/layer:v1", "broken/tag:v1")) {
        Tool.Result refused = Tool.run(work, skopeo("inspect", "--raw", "--tls-verify=false", remote + gone), 60);
        assertThat(refused.exitCode()).as(gone).isNotZero();
        assertThat(refused.output()).as(gone).containsIgnoringCase("manifest unknown");
      }
    }
  }

  private Pushed fill(Path root) throws Exception {
    OciLayout source = OciLayout.create(work.resolve("source"));
    OciLayout.Written web = source.image("amd64", 1, 200_000, 30_000);
    OciLayout.Written amd64 = source.image("amd64", 2, 100_000);
    OciLayout.Written arm64 = source.image("arm64", 3, 100_000);
    OciLayout.Written multi = source.index(List.of(amd64, arm64), List.of("amd64", "arm64"));
    OciLayout.Written untagged = source.image("amd64", 4, 20_000);
    OciLayout.Written deleted = source.image("amd64", 5, 25_000);
    OciLayout.Written layerGone = source.image("amd64", 6, 15_000);
    OciLayout.Written tagGarbage = source.image("amd64", 7, 16_000);
    source.tag(web, "web").tag(multi, "multi").tag(untagged, "untagged").tag(deleted, "deleted")
        .tag(layerGone, "layer-gone").tag(tagGarbage, "tag-garbage");

    Path config = dockerRegistryConfig(root, freePort());
    Process server = new ProcessBuilder(dockerRegistry, "serve", config.toString())
        .redirectErrorStream(true).redirectOutput(work.resolve("docker-registry/registry.log").toFile()).start();
    try {
      String base = "http://" + address(config);
      awaitUp(base, server);
      String remote = "docker://" + address(config) + "/";
      push(source, "web", remote + "app/web:v1");
      push(source, "web", remote + "app/web:v1.0");
      push(source, "web", remote + "app/web:latest");
      push(source, "web", remote + "other/web:stable");
      Tool.ok(work, skopeo("copy", "--all", "--dest-tls-verify=false", "--preserve-digests",
          "oci:" + source.dir() + ":multi", remote + "app/multi:latest"));
      push(source, "untagged", remote + "app/web:moving");
      push(source, "web", remote + "app/web:moving");
      push(source, "deleted", remote + "app/web:deleted");
      Tool.ok(work, skopeo("delete", "--tls-verify=false", remote + "app/web@" + deleted.digest()));
      push(source, "layer-gone", remote + "broken/layer:v1");
      push(source, "tag-garbage", remote + "broken/tag:v1");
      HttpResponse<String> started = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v2/app/web/blobs/uploads/"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(started.statusCode()).isEqualTo(202);
      String location = started.headers().firstValue("Location").orElseThrow();
      HttpResponse<String> chunk = HTTP.send(HttpRequest.newBuilder(URI.create(base).resolve(location))
          .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(new byte[4096]))
          .header("Content-Type", "application/octet-stream").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(chunk.statusCode()).isEqualTo(202);
    } finally {
      server.destroy();
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    return new Pushed(source, web, multi, amd64, arm64, untagged, deleted, layerGone, tagGarbage);
  }

  private void push(OciLayout source, String tag, String destination) throws Exception {
    Tool.ok(work, skopeo("copy", "--dest-tls-verify=false", "--preserve-digests", "oci:" + source.dir() + ":" + tag,
        destination));
  }

  /**
   * Docker Registry's dry run against Berth's, after importing the unbroken copy. Docker Registry
   * also lists the children of a tagged index under --delete-untagged (its known bug), and the
   * manifests' own blob files, which Berth keeps in its database instead.
   */
  private void compareCollections(Path root, Pushed pushed) throws Exception {
    Path config = dockerRegistryConfig(root, freePort());
    String docker = Tool.ok(work, List.of(dockerRegistry, "garbage-collect", "--dry-run", "--delete-untagged",
        config.toString()));
    MainTest.Outcome imported = MainTest.berthPrinting("import", "-c", berthConfig(root).toString());
    assertThat(imported.status()).isZero();
    MainTest.Outcome berth = MainTest.berthPrinting("gc", "--dry-run", "--delete-untagged", "--grace", "0s",
        "-c", berthConfig(root).toString());
    assertThat(berth.status()).isZero();
    Set<String> dockerManifests = matches(DOCKER_ELIGIBLE, docker, "manifest");
    Set<String> dockerBlobs = matches(DOCKER_ELIGIBLE, docker, "blob");
    Set<String> berthManifests = matches(BERTH_WOULD_DELETE, berth.out(), "manifest");
    Set<String> berthBlobs = matches(BERTH_WOULD_DELETE, berth.out(), "blob");
    System.out.println("docker-registry garbage-collect --dry-run --delete-untagged would delete:\n  manifests "
        + dockerManifests + "\n  blobs " + dockerBlobs);
    System.out.println("berth gc --dry-run --delete-untagged --grace 0s would delete:\n  manifests " + berthManifests
        + "\n  blobs " + berthBlobs);

    Set<String> indexChildren = Set.of(pushed.amd64().digest(), pushed.arm64().digest());
    Set<String> expectedManifests = new TreeSet<>(dockerManifests);
    expectedManifests.removeAll(indexChildren);
    assertThat(berthManifests).isEqualTo(expectedManifests).contains(pushed.untagged().digest());

    Set<String> expectedBlobs = new TreeSet<>(dockerBlobs);
    for (OciLayout.Written child : List.of(pushed.amd64(), pushed.arm64())) {
      blobsOf(pushed.source().dir(), child).forEach(expectedBlobs::remove);
    }
    for (OciLayout.Written manifest : List.of(pushed.untagged(), pushed.deleted(), pushed.amd64(), pushed.arm64())) {
      expectedBlobs.remove(manifest.digest());
    }
    assertThat(berthBlobs).isEqualTo(expectedBlobs)
        .containsAll(blobsOf(pushed.source().dir(), pushed.deleted()).stream()
            .filter(d -> !d.equals(pushed.deleted().digest())).toList());
  }

  /** Breaks one link of each kind the import must name; returns the paths it must report. */
  private static List<String> breakLinks(Path root, Pushed pushed) throws IOException {
    Path v2 = root.resolve("docker/registry/v2");
    String layer = blobsOf(pushed.source().dir(), pushed.layerGone()).stream()
        .filter(d -> !d.equals(pushed.layerGone().digest())).findFirst().orElseThrow();
    Files.delete(v2.resolve("blobs/sha256").resolve(hex(layer).substring(0, 2)).resolve(hex(layer)).resolve("data"));
    Path layerLink = v2.resolve("repositories/broken/layer/_layers/sha256").resolve(hex(layer)).resolve("link");
    Path manifestLink = v2.resolve("repositories/broken/layer/_manifests/revisions/sha256")
        .resolve(hex(pushed.layerGone().digest())).resolve("link");
    Path tagLink = v2.resolve("repositories/broken/tag/_manifests/tags/v1/current/link");
    Files.writeString(tagLink, "sha256:this-is-not-hex");
    String nothing = "sha256:" + OciLayout.sha256("never pushed".getBytes(StandardCharsets.UTF_8));
    Path revisionToNothing = v2.resolve("repositories/app/web/_manifests/revisions/sha256").resolve(hex(nothing))
        .resolve("link");
    Files.createDirectories(revisionToNothing.getParent());
    Files.writeString(revisionToNothing, nothing);
    Path emptyRepository = Files.createDirectories(v2.resolve("repositories/abandoned"));
    return List.of(layerLink.toString(), manifestLink.toString(), tagLink.toString(), revisionToNothing.toString(),
        emptyRepository.toString());
  }

  /** The config and layer digests of an image in a layout, and the manifest's own. */
  private static List<String> blobsOf(Path layout, OciLayout.Written image) throws IOException {
    JsonNode manifest = JSON.readTree(layout.resolve("blobs/sha256").resolve(hex(image.digest())).toFile());
    List<String> digests = new ArrayList<>(List.of(image.digest(), manifest.path("config").path("digest").asText()));
    manifest.path("layers").forEach(l -> digests.add(l.path("digest").asText()));
    return digests;
  }

  private static Set<String> blobsOf(Path layout) throws IOException {
    try (Stream<Path> files = Files.list(layout.resolve("blobs/sha256"))) {
      return new TreeSet<>(files.map(p -> "sha256:" + p.getFileName()).toList());
    }
  }

  /** The digest of the manifest bytes the registry serves for the reference. */
  private String rawDigest(String reference) throws Exception {
    String raw = Tool.ok(work, skopeo("inspect", "--raw", "--tls-verify=false", reference));
    return "sha256:" + OciLayout.sha256(raw.getBytes(StandardCharsets.UTF_8));
  }

  private static Set<String> matches(Pattern pattern, String output, String kind) {
    Set<String> found = new TreeSet<>();
    Matcher matcher = pattern.matcher(output);
    while (matcher.find()) {
      if (matcher.group(1).equals(kind)) {
        found.add(matcher.group(2));
      }
    }
    return found;
  }

  private Path dockerRegistryConfig(Path root, int port) throws IOException {
    Path config = root.resolveSibling("config.yml");
    Files.createDirectories(root);
    Files.writeString(config, """
        version: 0.1
        log:
          level: info
        storage:
          filesystem:
            rootdirectory: %s
          delete:
            enabled: true
          maintenance:
            uploadpurging:
              enabled: false
        http:
          addr: 127.0.0.1:%d
        """.formatted(root, port));
    return config;
  }

  private static String address(Path dockerConfig) throws IOException {
    Matcher addr = Pattern.compile("addr: (\\S+)").matcher(Files.readString(dockerConfig));
    assertThat(addr.find()).isTrue();
    return addr.group(1);
  }

  private Path berthConfig(Path root) throws IOException {
    return Files.writeString(root.resolveSibling("berth.yml"), "storage:\n  filesystem:\n    rootdirectory: " + root
        + "\n");
  }

  private static void awaitUp(String base, Process server) throws Exception {
    for (int attempt = 0; attempt < 200; attempt++) {
      assertThat(server.isAlive()).as("docker-registry exited").isTrue();
      try {
        if (HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v2/")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // Not listening yet.
      }
      Thread.sleep(50);
    }
    throw new AssertionError("docker-registry did not answer on " + base);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path source : files.toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  private static String hex(String digest) {
    return digest.substring(digest.indexOf(':') + 1);
  }
}
