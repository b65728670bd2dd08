package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.DockerRegistryRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportCommandTest {
  @TempDir Path dir;

  @Test
  void aDryRunCreatesNothingAndARealRunRecordsWhatItReported() throws Exception {
    Path root = dir.resolve("registry");
    DockerRegistryRoot registry = new DockerRegistryRoot(root);
    registry.tag("team/app", "v1", registry.image("team/app", "base layer", "app layer"));
    Path broken = registry.tag("team/app", "v2", registry.image("team/app", "layer gone"));
    Files.delete(registry.blobData(dev.berth.testing.Digests.sha256("layer gone".getBytes())));
    Path config = Files.writeString(dir.resolve("config.yml"), "storage:\n  filesystem:\n    rootdirectory: " + root
        + "\n");

    MainTest.Outcome dry = MainTest.berthPrinting("import", "--dry-run", "-c", config.toString());

    assertThat(dry.status()).isZero();
    assertThat(dry.out()).contains("tag link to a manifest not recorded: " + broken)
        .contains("import dry run finished").contains("manifests:          2, would record 1")
        .contains("tags:               2, would record 1");
    assertThat(root.resolve("berth")).doesNotExist();

    for (int run = 0; run < 2; run++) {
      MainTest.Outcome real = MainTest.berthPrinting("import", "-c", config.toString());
      assertThat(real.status()).isZero();
      assertThat(real.out()).contains("tag link to a manifest not recorded: " + broken)
          .contains("manifests:          2, recorded 1").contains("tags:               2, recorded 1");
    }
    MainTest.Outcome fsck = MainTest.berthPrinting("fsck", "-c", config.toString());
    assertThat(fsck.out()).contains("fsck: 4 blobs checked: 0 dangling, 0 corrupt");
  }

  @Test
  void aRootWithoutDockerRegistryRepositoriesIsNotFoundAndLeftAlone() throws Exception {
    Path root = Files.createDirectories(dir.resolve("not-a-registry"));
    Path config = Files.writeString(dir.resolve("config.yml"), "storage:\n  filesystem:\n    rootdirectory: " + root
        + "\n");

    MainTest.Outcome outcome = MainTest.berthPrinting("import", "-c", config.toString());

    assertThat(outcome.status()).isEqualTo(ExitStatus.NOT_FOUND.code);
    assertThat(outcome.err()).contains("no Docker Registry repositories at "
        + root.resolve("docker/registry/v2/repositories"));
    try (var left = Files.list(root)) {
      assertThat(left).isEmpty();
    }
  }
}
