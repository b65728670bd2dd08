package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.RegistryClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code berth retention run} as an operator runs it: handed to the server that holds the data
 * directory, dry and real, and alone on a directory no server holds.
 */
class RetentionCliIT {
  @TempDir
  Path dir;

  @Test
  void aDryRunThenARealRunHandedToTheServerThenAloneWithNothingLeftToDelete() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    List<String> digests = new ArrayList<>();
    try (RegistryClient registry = RegistryClient.start(data, true)) {
      for (String tag : List.of("1.0", "1.1", "1.2", "2.0-rc1")) {
        digests.add(registry.pushImage("team/app", tag).digest());
        Thread.sleep(5);
      }
      registry.pushImage("other/app", "1.0");
    }
    String storage = "storage:\n  filesystem:\n    rootdirectory: " + data + "\n";
    Path policy = dir.resolve("policy.yml");
    Files.writeString(policy, """
        retention:
          rules:
            - repositories: ["**"]
              tags: ["*", "!*-rc*"]
              keep: { mostRecentlyPushed: 2 }
        """);

    try (BerthProcess server = BerthProcess.serve(dir, List.of(), storage)) {
      String config = dir.resolve("config.yml").toString();
      assertThat(BerthProcess.run(dir, "policy", "set", "team", policy.toString(), "--config", config).exitCode())
          .isZero();

      BerthProcess.Result dry = BerthProcess.run(dir, "retention", "run", "--dry-run", "--namespace", "team",
          "--config", config);
      assertThat(dry.exitCode()).as(dry.output()).isZero();
      assertThat(dry.output()).contains("handing the run to it")
          .contains("would delete team/app@" + digests.get(0) + " tags: 1.0\n")
          .contains("retention dry run: 4 images, 2 kept, 1 would be deleted, 0 skipped, 1 no rule covers; the next GC would free")
          .doesNotContain("team/app@" + digests.get(1)).doesNotContain("team/app@" + digests.get(3));

      BerthProcess.Result real = BerthProcess.run(dir, "retention", "run", "--config", config);
      assertThat(real.exitCode()).as(real.output()).isZero();
      assertThat(real.output()).contains("deleted team/app@" + digests.get(0) + " tags: 1.0\n")
          .contains("retention: 4 images, 2 kept, 1 deleted, 0 skipped, 1 no rule covers; the next GC frees");

      BerthProcess.Result nobody = BerthProcess.run(dir, "retention", "run", "--namespace", "other", "--config", config);
      assertThat(nobody.exitCode()).isEqualTo(3);
      assertThat(nobody.output()).contains("other has no policy");
      server.terminate(Duration.ofSeconds(30));
    }

    BerthProcess.Result alone = BerthProcess.run(dir, "retention", "run", "--dry-run", "--config",
        dir.resolve("config.yml").toString());
    assertThat(alone.exitCode()).as(alone.output()).isZero();
    assertThat(alone.output()).doesNotContain("handing the run")
        .contains("retention dry run: 3 images, 2 kept, 0 would be deleted, 0 skipped, 1 no rule covers; the next GC would free 0 bytes");
  }
}
