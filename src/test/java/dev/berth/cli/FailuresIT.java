package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.berth.server.DataDirectory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees on a bad day, with the packaged jar as its own process: each failure is one
 * line naming what is wrong, with the exit status of its kind ({@link ExitStatus}), no stack trace,
 * and nothing created or printed for an operation that did not happen.
 */
class FailuresIT {
  @TempDir
  Path dir;

  private Path config(String rootDirectory, String extra) throws Exception {
    Path config = dir.resolve("config.yml");
    Files.writeString(config, "version: 0.1\nhttp:\n  addr: 127.0.0.1:" + BerthProcess.freePort() + "\n"
        + "storage:\n  filesystem:\n    rootdirectory: " + rootDirectory + "\n" + extra);
    return config;
  }

  private static void assertOneLineWithoutTrace(BerthProcess.Result result, String expected) {
    assertThat(result.output()).as(result.output()).contains(expected)
        .doesNotContain("Exception", "\tat ", "Caused by");
    assertThat(result.output().lines().filter(line -> line.startsWith("berth") && line.contains(expected)))
        .as(result.output()).hasSize(1);
  }

  @Test
  void anAddressInUseIsNamedAndExits69() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Path config = dir.resolve("taken.yml");
      Files.writeString(config, "http:\n  addr: 127.0.0.1:" + taken.getLocalPort() + "\nstorage:\n  filesystem:\n"
          + "    rootdirectory: " + dir.resolve("data") + "\n");

      BerthProcess.Result result = BerthProcess.run(dir, "serve", "--config", config.toString());

      assertThat(result.exitCode()).isEqualTo(69);
      assertOneLineWithoutTrace(result, "berth serve: http.addr 127.0.0.1:" + taken.getLocalPort() + " is already in use");
    }
  }

  @Test
  void withLogLevelDebugAFailureAlsoPrintsItsStackTrace() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Path config = dir.resolve("debug.yml");
      Files.writeString(config, "log:\n  level: debug\nhttp:\n  addr: 127.0.0.1:" + taken.getLocalPort()
          + "\nstorage:\n  filesystem:\n    rootdirectory: " + dir.resolve("data") + "\n");

      BerthProcess.Result result = BerthProcess.run(dir, "serve", "--config", config.toString());

      assertThat(result.exitCode()).isEqualTo(69);
      assertThat(result.output()).contains("is already in use", "StartFailure", "\tat ", "BindException");
    }
  }

  @Test
  void aFileWhereTheDataDirectoryShouldBeExits73() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
    BerthProcess.Result atRoot = BerthProcess.run(dir, "serve", "--config", config(file.toString(), "").toString());
    assertThat(atRoot.exitCode()).isEqualTo(73);
    assertOneLineWithoutTrace(atRoot, "the data directory " + file + " cannot be created or written: a file, not a "
        + "directory, is in the way");

    Path below = dir.resolve("data");
    Files.createDirectories(below);
    Files.writeString(below.resolve("berth"), "x");
    BerthProcess.Result inside = BerthProcess.run(dir, "serve", "--config", config(below.toString(), "").toString());
    assertThat(inside.exitCode()).isEqualTo(73);
    assertOneLineWithoutTrace(inside, "cannot be created or written: a file, not a directory, is in the way");
  }

  /** Immutable (chattr +i): not even root may create files in it, as on a read-only mount. */
  @Test
  void aDataDirectoryThatCannotBeWrittenExits73() throws Exception {
    Path locked = Files.createDirectories(dir.resolve("locked"));
    Process chattr = new ProcessBuilder("chattr", "+i", locked.toString()).inheritIO().start();
    assertThat(chattr.waitFor()).as("chattr +i needs root and an ext4-like file system: run through bin/test as root")
        .isZero();
    try {
      BerthProcess.Result result = BerthProcess.run(dir, "serve", "--config", config(locked.toString(), "").toString());
      assertThat(result.exitCode()).isEqualTo(73);
      assertOneLineWithoutTrace(result, "the data directory " + locked + " cannot be created or written: ");
    } finally {
      new ProcessBuilder("chattr", "-i", locked.toString()).inheritIO().start().waitFor();
    }
  }

  @Test
  void aDatabaseThatCannotBeOpenedExits69() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data/berth"));
    Files.writeString(data.resolve("metadata.db"), "this is not an SQLite database, but long enough to look like one "
        .repeat(20));
    Path config = config(dir.resolve("data").toString(), "");

    BerthProcess.Result serve = BerthProcess.run(dir, "serve", "--config", config.toString());
    assertThat(serve.exitCode()).isEqualTo(69);
    assertOneLineWithoutTrace(serve, "berth serve: cannot open the SQLite database " + data.resolve("metadata.db"));
    BerthProcess.Result fsck = BerthProcess.run(dir, "fsck", "--config", config.toString());
    assertThat(fsck.exitCode()).isEqualTo(69);
    assertOneLineWithoutTrace(fsck, "berth fsck: cannot open the SQLite database");
  }

  @Test
  void commandsOtherThanServeRefuseAMissingDataDirectoryAndCreateNothing() throws Exception {
    Path missing = dir.resolve("nowhere");
    Path config = config(missing.toString(), "");
    for (List<String> command : List.of(List.of("gc"), List.of("gc", "--dry-run"), List.of("fsck"),
        List.of("user", "list"), List.of("user", "add", "alice"))) {
      String[] args = Stream.concat(command.stream(), Stream.of("--config", config.toString())).toArray(String[]::new);

      BerthProcess.Result result = BerthProcess.run(dir, args);

      assertThat(result.exitCode()).as("%s: %s", command, result.output()).isEqualTo(3);
      assertOneLineWithoutTrace(result, "no Berth data directory at " + missing + "; pass --config");
      assertThat(result.output()).doesNotContain("would be freed", "password");
    }
    BerthProcess.Result noConfig = BerthProcess.run(dir, "gc");
    assertThat(noConfig.exitCode()).isEqualTo(3);
    assertOneLineWithoutTrace(noConfig, "no Berth data directory at " + dir.resolve("data") + "; pass --config");
    assertThat(missing).doesNotExist();
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void userCommandsPrintNoPasswordForWhatDidNotHappenAndSayWhatTheyDid() throws Exception {
    Files.createDirectories(dir.resolve("data"));
    String c = config(dir.resolve("data").toString(), "").toString();
    assertThat(BerthProcess.run(dir, "user", "add", "--config", c, "alice").output()).containsPattern("password: \\S{24}");

    BerthProcess.Result again = BerthProcess.run(dir, "user", "add", "--config", c, "alice");
    assertThat(again.exitCode()).isEqualTo(4);
    assertOneLineWithoutTrace(again, "berth user add: user alice already exists; nothing changed");
    assertThat(again.output()).doesNotContain("password");

    BerthProcess.Result passwd = BerthProcess.run(dir, "user", "passwd", "--config", c, "bob");
    assertThat(passwd.exitCode()).isEqualTo(3);
    assertOneLineWithoutTrace(passwd, "berth user passwd: no user bob");
    assertThat(passwd.output()).doesNotContain("password:");

    assertThat(BerthProcess.run(dir, "user", "grant", "--config", c, "bob", "team", "developer").exitCode()).isEqualTo(3);
    assertThat(BerthProcess.run(dir, "user", "revoke", "--config", c, "alice", "team").exitCode()).isEqualTo(3);
    assertThat(BerthProcess.run(dir, "user", "robot", "--config", c, "team", "ci", "--expires-in-days", "30")
        .exitCode()).isZero();
    assertThat(BerthProcess.run(dir, "user", "robot", "--config", c, "team", "nightly").exitCode()).isZero();
    assertThat(BerthProcess.run(dir, "user", "robot", "--config", c, "team", "ci").exitCode()).isEqualTo(4);

    BerthProcess.Result list = BerthProcess.run(dir, "user", "list", "--config", c);
    assertThat(list.output()).containsPattern("robot\\$team\\+ci robot team:developer expires 20\\d\\d-\\d\\d-\\d\\dT")
        .contains("robot$team+nightly robot team:developer never expires");

    BerthProcess.Result revoked = BerthProcess.run(dir, "user", "robot-revoke", "--config", c, "robot$team+ci");
    assertThat(revoked.exitCode()).isZero();
    assertThat(revoked.output()).contains("revoked robot$team+ci; its secret no longer works");
    BerthProcess.Result twice = BerthProcess.run(dir, "user", "robot-revoke", "--config", c, "robot$team+ci");
    assertThat(twice.exitCode()).isZero();
    assertThat(twice.output()).contains("robot$team+ci was revoked already, at ").contains("nothing changed");
    BerthProcess.Result unknown = BerthProcess.run(dir, "user", "robot-revoke", "--config", c, "robot$team+nope");
    assertThat(unknown.exitCode()).isEqualTo(3);
    assertOneLineWithoutTrace(unknown, "no robot robot$team+nope");
    assertThat(BerthProcess.run(dir, "user", "list", "--config", c).output())
        .containsPattern("robot\\$team\\+ci robot team:developer revoked 20\\d\\d-");
  }

  @Test
  void aBadEnvironmentValueNamesTheVariableAndEveryProblemIsListed() throws Exception {
    Path config = dir.resolve("bad.yml");
    Files.writeString(config, "log:\n  level: loud\ngc:\n  grace: a while\n");

    BerthProcess.Result result = BerthProcess.run(dir, Map.of("REGISTRY_STORAGE_DELETE_ENABLED", "yes"),
        "serve", "--config", config.toString());

    assertThat(result.exitCode()).isEqualTo(78);
    assertThat(result.output()).contains(
        "berth serve: configuration error: invalid value for REGISTRY_STORAGE_DELETE_ENABLED: \"yes\" is not a boolean (true or false)")
        .doesNotContain("Exception", "\tat ");
    Files.writeString(config, "log:\n  level: loud\ngc:\n  grace: a while\n");
    BerthProcess.Result all = BerthProcess.run(dir, "serve", "--config", config.toString());
    assertThat(all.output().lines().filter(line -> line.startsWith("berth serve: configuration error: ")))
        .hasSize(2);
  }

  /**
   * The server a handed-over run is followed on dies: the command says so in one line and exits
   * 69. The "server" here accepts the run, then is gone, as after a SIGKILL.
   */
  @Test
  void gcFollowingAServerThatDiesSaysSoInOneLine() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    String runId = "0b5e5b8e-3c55-4a4b-9d2a-6c7f1d0e9a11";
    server.createContext("/api/v1/gc/runs", exchange -> {
      byte[] body = ("{\"id\":\"" + runId + "\"}").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(202, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
      new Thread(() -> server.stop(0)).start();
    });
    server.start();
    try (DataDirectory held = DataDirectory.tryAcquire(data).orElseThrow()) {
      held.publish("http://127.0.0.1:" + server.getAddress().getPort(), "token", java.util.Optional.empty());

      BerthProcess.Result result = BerthProcess.run(dir, "gc", "--config", config(data.toString(), "").toString());

      assertThat(result.exitCode()).isEqualTo(69);
      assertOneLineWithoutTrace(result, "went away during run " + runId);
      assertThat(result.output()).contains("the next run finishes the work");
    } finally {
      server.stop(0);
    }
  }
}
