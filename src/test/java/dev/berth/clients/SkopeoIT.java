package dev.berth.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

/** skopeo (Debian's package) against a real Berth: copy in and back out byte-identical, inspect, list, delete. */
class SkopeoIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path work;

  static RunningRegistry registry;
  static String skopeo;

  @BeforeAll
  static void start() throws Exception {
    skopeo = Tool.require("skopeo");
    registry = RunningRegistry.start(work.resolve("registry"), true);
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

  private String remote(String repoAndTag) {
    return "docker://" + registry.hostPort() + "/" + repoAndTag;
  }

  @Test
  void singlePlatformImageRoundTripsByteIdentical() throws Exception {
    OciLayout source = OciLayout.create(work.resolve("single-src"));
    OciLayout.Written image = source.image("amd64", 1, 300_000, 2_000_000, 1);
    source.tag(image, "v1");

    Tool.ok(work, skopeo("copy", "--dest-tls-verify=false", "--preserve-digests",
        "oci:" + source.dir() + ":v1", remote("skopeo/single:v1")));
    Path back = work.resolve("single-back");
    Tool.ok(work, skopeo("copy", "--src-tls-verify=false", "--preserve-digests",
        remote("skopeo/single:v1"), "oci:" + back + ":v1"));

    OciLayout.assertSameBlobs(source.dir(), back);
    JsonNode inspect = JSON.readTree(Tool.ok(work, skopeo("inspect", "--tls-verify=false", remote("skopeo/single:v1"))));
    assertThat(inspect.path("Digest").asText()).isEqualTo(image.digest());
    assertThat(inspect.path("Layers")).hasSize(3);
  }

  @Test
  void multiPlatformIndexRoundTripsByteIdentical() throws Exception {
    OciLayout source = OciLayout.create(work.resolve("multi-src"));
    OciLayout.Written amd64 = source.image("amd64", 2, 100_000, 50_000);
    OciLayout.Written arm64 = source.image("arm64", 3, 120_000, 60_000);
    OciLayout.Written index = source.index(List.of(amd64, arm64), List.of("amd64", "arm64"));
    source.tag(index, "multi");

    Tool.ok(work, skopeo("copy", "--all", "--dest-tls-verify=false", "--preserve-digests",
        "oci:" + source.dir() + ":multi", remote("skopeo/multi:latest")));
    Path back = work.resolve("multi-back");
    Tool.ok(work, skopeo("copy", "--all", "--src-tls-verify=false", "--preserve-digests",
        remote("skopeo/multi:latest"), "oci:" + back + ":multi"));

    OciLayout.assertSameBlobs(source.dir(), back);
    String raw = Tool.ok(work, skopeo("inspect", "--raw", "--tls-verify=false", remote("skopeo/multi:latest")));
    assertThat(OciLayout.sha256(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .isEqualTo(index.digest().substring("sha256:".length()));
  }

  @Test
  void listTagsAndDeleteWork() throws Exception {
    OciLayout source = OciLayout.create(work.resolve("tags-src"));
    OciLayout.Written one = source.image("amd64", 4, 10_000);
    OciLayout.Written two = source.image("amd64", 5, 10_000);
    source.tag(one, "one").tag(two, "two");
    for (String tag : List.of("one", "two")) {
      Tool.ok(work, skopeo("copy", "--dest-tls-verify=false", "oci:" + source.dir() + ":" + tag,
          remote("skopeo/tags:" + tag)));
    }
    JsonNode tags = JSON.readTree(Tool.ok(work, skopeo("list-tags", "--tls-verify=false", remote("skopeo/tags"))));
    assertThat(tags.path("Tags")).extracting(JsonNode::asText).containsExactly("one", "two");

    Tool.ok(work, skopeo("delete", "--tls-verify=false", remote("skopeo/tags:one")));

    Tool.Result gone = Tool.run(work, skopeo("inspect", "--tls-verify=false", remote("skopeo/tags:one")), 60);
    assertThat(gone.exitCode()).isNotZero();
    assertThat(gone.output()).containsIgnoringCase("manifest unknown");
    JsonNode after = JSON.readTree(Tool.ok(work, skopeo("list-tags", "--tls-verify=false", remote("skopeo/tags"))));
    assertThat(after.path("Tags")).extracting(JsonNode::asText).containsExactly("two");
  }
}
