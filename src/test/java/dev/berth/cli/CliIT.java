package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged command line: help, version, usage errors and configuration errors with their exit codes. */
class CliIT {
  @TempDir
  Path dir;

  @Test
  void helpAndVersionSucceed() throws Exception {
    BerthProcess.Result help = BerthProcess.run(dir, "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.output()).contains("Usage: berth", "serve");
    BerthProcess.Result version = BerthProcess.run(dir, "--version");
    assertThat(version.exitCode()).isZero();
    assertThat(version.output()).startsWith("berth 0.1.0");
    assertThat(BerthProcess.run(dir, "serve", "--help").output()).contains("--config");
  }

  @Test
  void usageErrorsExitWithTwo() throws Exception {
    assertThat(BerthProcess.run(dir).exitCode()).isEqualTo(2);
    assertThat(BerthProcess.run(dir, "frobnicate").exitCode()).isEqualTo(2);
    assertThat(BerthProcess.run(dir, "serve", "--bogus").exitCode()).isEqualTo(2);
  }

  @Test
  void configurationErrorsNameTheKeyAndExitWith78() throws Exception {
    Path config = dir.resolve("bad.yml");
    Files.writeString(config, "version: 0.1\nhttp:\n  adr: 127.0.0.1:5000\n");
    BerthProcess.Result unknownKey = BerthProcess.run(dir, "serve", "--config", config.toString());
    assertThat(unknownKey.exitCode()).isEqualTo(78);
    assertThat(unknownKey.output()).contains("unknown configuration key 'http.adr'").doesNotContain("Exception");

    Files.writeString(config, "storage:\n  delete:\n    enabled: sometimes\n");
    BerthProcess.Result badValue = BerthProcess.run(dir, "serve", "--config", config.toString());
    assertThat(badValue.exitCode()).isEqualTo(78);
    assertThat(badValue.output()).contains("'storage.delete.enabled'");
  }
}
