package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
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
  void userCommandsManageUsersRolesAndRobots() throws Exception {
    Path config = dir.resolve("config.yml");
    Files.writeString(config, "storage:\n  filesystem:\n    rootdirectory: " + Files.createDirectories(dir.resolve("data"))
        + "\n");
    String c = config.toString();
    BerthProcess.Result added = BerthProcess.run(dir, "user", "add", "--config", c, "alice");
    assertThat(added.exitCode()).as(added.output()).isZero();
    assertThat(added.output()).containsPattern("password: \\S{24}");
    assertThat(BerthProcess.run(dir, "user", "add", "--config", c, "alice").exitCode()).isEqualTo(4);
    assertThat(BerthProcess.run(dir, "user", "add", "--config", c, "Bad Name").exitCode()).isEqualTo(2);
    assertThat(BerthProcess.run(dir, "user", "grant", "--config", c, "alice", "team", "developer").exitCode()).isZero();
    assertThat(BerthProcess.run(dir, "user", "grant", "--config", c, "alice", "team", "overlord").exitCode()).isEqualTo(2);
    BerthProcess.Result robot = BerthProcess.run(dir, "user", "robot", "--config", c, "team", "ci");
    assertThat(robot.output()).contains("robot robot$team+ci (developer of team)").contains("secret: ");
    assertThat(BerthProcess.run(dir, "user", "robot-revoke", "--config", c, "robot$team+ci").exitCode()).isZero();
    BerthProcess.Result list = BerthProcess.run(dir, "user", "list", "--config", c);
    assertThat(list.output()).contains("alice {team=developer}").contains("robot$team+ci robot team:developer revoked 20");
    assertThat(BerthProcess.run(dir, "user", "remove", "--config", c, "alice").exitCode()).isZero();
    assertThat(BerthProcess.run(dir, "user", "list", "--config", c).output()).doesNotContain("alice");
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

  @Test
  void aStandaloneGcPrintsItsSummaryOnce() throws Exception {
    Path config = dir.resolve("config.yml");
    Files.writeString(config, "storage:\n  filesystem:\n    rootdirectory: " + Files.createDirectories(dir.resolve("data"))
        + "\n");

    BerthProcess.Result run = BerthProcess.run(dir, "gc", "--grace", "0s", "--config", config.toString());

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output().lines().filter(line -> line.contains("collected:"))).as(run.output()).hasSize(1);
  }

  /** The SQLite library is loaded from the copy kept in the data directory, not extracted into tmp on each start. */
  @Test
  void serveLoadsSqlitesNativeLibraryFromTheDataDirectory() throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Path data = dir.resolve("data");
    for (int start = 0; start < 2; start++) {
      try (BerthProcess berth = BerthProcess.serve(dir, List.of("-Djava.io.tmpdir=" + tmp),
          "storage:\n  filesystem:\n    rootdirectory: " + data + "\n")) {
        String maps = Files.readString(Path.of("/proc/" + berth.process.pid() + "/maps"));
        assertThat(maps).contains(data.resolve("berth/native").toString() + "/sqlite-jdbc-");
        // Killed outright: the driver's own copies stayed behind in tmp when a process died like this.
        berth.process.destroyForcibly().waitFor();
      }
    }
    try (Stream<Path> leftovers = Files.list(tmp)) {
      assertThat(leftovers.map(Path::getFileName).map(Path::toString)).noneMatch(name -> name.startsWith("sqlite-"));
    }
  }
}
