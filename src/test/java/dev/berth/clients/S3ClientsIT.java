package dev.berth.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.BlobBackend;
import dev.berth.testing.OciLayout;
import dev.berth.testing.RunningRegistry;
import dev.berth.testing.Tool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * skopeo and podman through Berth with its blobs on S3 (s3proxy), with blob GETs redirected to
 * pre-signed URLs and without: what goes in comes back byte-identical. A layer larger than the
 * part size (5 MiB here) makes its commit a multipart upload of copied parts.
 */
class S3ClientsIT {
  @TempDir
  Path work;

  private static List<String> skopeo(String... args) {
    List<String> command = new ArrayList<>(List.of(Tool.require("skopeo"), "--insecure-policy"));
    command.addAll(List.of(args));
    return command;
  }

  private List<String> podman(String... args) {
    List<String> command = new ArrayList<>(List.of(Tool.require("podman"),
        "--storage-driver", "vfs", "--root", work.resolve("root").toString(),
        "--runroot", work.resolve("run").toString(), "--cgroup-manager", "cgroupfs", "--events-backend", "file"));
    command.addAll(List.of(args));
    return command;
  }

  @ParameterizedTest
  @EnumSource(value = BlobBackend.class, names = {"S3", "S3_WITH_REDIRECTS"})
  void skopeoCopiesAMultiPlatformImageInAndOutByteIdentical(BlobBackend backend) throws Exception {
    OciLayout source = OciLayout.create(work.resolve("src"));
    OciLayout.Written amd64 = source.image("amd64", 2, 12_000_000, 50_000);
    OciLayout.Written arm64 = source.image("arm64", 3, 120_000, 60_000);
    OciLayout.Written index = source.index(List.of(amd64, arm64), List.of("amd64", "arm64"));
    source.tag(index, "multi");

    try (RunningRegistry registry = RunningRegistry.start(work.resolve("registry"), true, backend)) {
      String remote = "docker://" + registry.hostPort() + "/s3/multi:latest";
      Tool.ok(work, skopeo("copy", "--all", "--dest-tls-verify=false", "--preserve-digests",
          "oci:" + source.dir() + ":multi", remote));
      Path back = work.resolve("back");
      Tool.ok(work, skopeo("copy", "--all", "--src-tls-verify=false", "--preserve-digests",
          remote, "oci:" + back + ":multi"));

      assertSameBlobs(source.dir(), back);
      String raw = Tool.ok(work, skopeo("inspect", "--raw", "--tls-verify=false", remote));
      assertThat(OciLayout.sha256(raw.getBytes(StandardCharsets.UTF_8)))
          .isEqualTo(index.digest().substring("sha256:".length()));
    }
  }

  @ParameterizedTest
  @EnumSource(value = BlobBackend.class, names = {"S3", "S3_WITH_REDIRECTS"})
  void podmanPushesAndPullsTheSameImage(BlobBackend backend) throws Exception {
    OciLayout layout = OciLayout.create(work.resolve("layout"));
    layout.tag(layout.image("amd64", 42, 6_000_000, 30_000), "v1");
    Path archive = work.resolve("image.tar");
    Tool.ok(work, skopeo("copy", "oci:" + layout.dir() + ":v1", "docker-archive:" + archive + ":local/podman:v1"));

    try (RunningRegistry registry = RunningRegistry.start(work.resolve("registry"), true, backend)) {
      String target = registry.hostPort() + "/podman/app:v1";
      Tool.ok(work, podman("load", "-i", archive.toString()));
      Tool.ok(work, podman("tag", "local/podman:v1", target));
      Tool.ok(work, podman("push", "--tls-verify=false", target));
      String imageId = Tool.ok(work, podman("images", "-q", "--no-trunc", target)).trim();
      Tool.ok(work, podman("rmi", "-a", "-f"));
      Tool.ok(work, podman("pull", "--tls-verify=false", target));
      assertThat(Tool.ok(work, podman("images", "-q", "--no-trunc", target)).trim()).isEqualTo(imageId);
    }
  }

  private static void assertSameBlobs(Path expected, Path actual) throws Exception {
    List<Path> expectedBlobs = OciLayout.blobs(expected);
    List<Path> actualBlobs = OciLayout.blobs(actual);
    assertThat(actualBlobs.stream().map(p -> p.getFileName().toString()))
        .containsExactlyElementsOf(expectedBlobs.stream().map(p -> p.getFileName().toString()).toList());
    for (int i = 0; i < expectedBlobs.size(); i++) {
      assertThat(Files.mismatch(expectedBlobs.get(i), actualBlobs.get(i)))
          .as("blob %s", expectedBlobs.get(i).getFileName()).isEqualTo(-1L);
    }
  }
}
