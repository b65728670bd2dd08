package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's run command, {@code bin/berth serve}, in a copy of the project's layout: the JVM's
 * class caches it keeps beside the jar must never outlive the build they were recorded from. JDK
 * 25 maps an AOT cache of another build of the same jar without complaint, and a server then runs
 * old classes (seen: the migrations of the new jar parsed with the old jar's placeholders).
 */
class BinBerthIT {
  private static final Path PROJECT = Path.of("").toAbsolutePath();
  private static final Duration TRAINING_WAIT = Duration.ofMinutes(5);

  @TempDir
  Path dir;

  @AfterEach
  void stopEverythingStartedFromTheCopy() {
    // The background training runs in its own session; nothing else knows about it.
    ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(line -> line.contains(dir.toString())).orElse(false))
        .forEach(ProcessHandle::destroyForcibly);
  }

  @Test
  void anAotCacheIsMappedOnlyByTheBuildItWasRecordedFrom() throws Exception {
    assumeThat(Runtime.version().feature()).as("AOT caches need JDK 25").isGreaterThanOrEqualTo(25);
    Path home = layOutProject();

    try (Served first = serve(home)) {
      assertThat(first.javaCommandLine()).doesNotContain("-XX:AOTCache=");
    }
    Path cache = awaitCache(home);

    try (Served second = serve(home)) {
      assertThat(second.javaCommandLine()).contains("-XX:AOTCache=" + cache);
    }

    // A rebuild whose jar is still older than the cache: the case a cache recorded across a build
    // (or written by a server that outlived one) leaves behind.
    Path jar = home.resolve("target/berth.jar");
    Files.copy(PROJECT.resolve("target/berth.jar"), jar, StandardCopyOption.REPLACE_EXISTING);
    Files.setLastModifiedTime(jar,
        FileTime.from(Files.getLastModifiedTime(cache).toInstant().minusSeconds(5)));

    try (Served rebuilt = serve(home)) {
      assertThat(rebuilt.javaCommandLine()).doesNotContain(cache.toString());
    }
  }

  /** The gc command runs with the options bin/java-options gives it, and hands its run to the server. */
  @Test
  void gcRunsWithItsOwnJvmOptionsAndHandsTheRunToTheServer() throws Exception {
    Path home = layOutProject();
    try (Served server = serve(home)) {
      ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/berth").toString(), "gc", "--config",
          dir.resolve("config.yml").toString(), "--grace", "0s")
          .redirectErrorStream(true);
      builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
      builder.environment().put("BERTH_JAVA_OPTS", "-Xmx64m -XX:+PrintCommandLineFlags");
      Process gc = builder.start();
      String output = new String(gc.getInputStream().readAllBytes());
      assertThat(gc.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(gc.exitValue()).as(output).isZero();
      assertThat(output).contains("-XX:TieredStopAtLevel=1", "handing the run to it", "collected:");
    }
  }

  /** bin/, target/berth.jar and target/lib as the build leaves them, sources older than the jar. */
  private Path layOutProject() throws IOException {
    Path home = dir.resolve("berth");
    Files.createDirectories(home.resolve("bin"));
    for (String script : List.of("berth", "find-jdk", "java-options")) {
      Files.copy(PROJECT.resolve("bin").resolve(script), home.resolve("bin").resolve(script),
          StandardCopyOption.COPY_ATTRIBUTES);
    }
    Files.createDirectories(home.resolve("target/lib"));
    Files.copy(PROJECT.resolve("target/berth.jar"), home.resolve("target/berth.jar"));
    try (Stream<Path> libs = Files.list(PROJECT.resolve("target/lib"))) {
      for (Path lib : libs.toList()) {
        Files.createSymbolicLink(home.resolve("target/lib").resolve(lib.getFileName()), lib);
      }
    }
    FileTime longAgo = FileTime.from(Instant.parse("2001-01-01T00:00:00Z"));
    Files.writeString(home.resolve("pom.xml"), "<project/>\n");
    Files.setLastModifiedTime(home.resolve("pom.xml"), longAgo);
    Files.createDirectories(home.resolve("src/main"));
    Files.setLastModifiedTime(home.resolve("src/main"), longAgo);
    return home;
  }

  private Path awaitCache(Path home) throws Exception {
    Instant deadline = Instant.now().plus(TRAINING_WAIT);
    while (Instant.now().isBefore(deadline)) {
      try (Stream<Path> files = Files.list(home.resolve("target"))) {
        Optional<Path> cache = files.filter(f -> f.getFileName().toString().matches("berth-serve-[0-9]+\\.aot"))
            .findFirst();
        if (cache.isPresent()) {
          return cache.get();
        }
      }
      Path failed = home.resolve("target/berth-serve-training.log");
      try (Stream<Path> files = Files.list(home.resolve("target"))) {
        if (files.anyMatch(f -> f.getFileName().toString().endsWith(".aot.failed"))) {
          throw new AssertionError("the training run failed:\n" + Files.readString(failed));
        }
      }
      Thread.sleep(500);
    }
    throw new AssertionError("no AOT cache within " + TRAINING_WAIT);
  }

  private Served serve(Path home) throws Exception {
    int port = BerthProcess.freePort();
    Path config = dir.resolve("config.yml");
    Files.writeString(config, "version: 0.1\nhttp:\n  addr: 127.0.0.1:" + port + "\nstorage:\n  filesystem:\n"
        + "    rootdirectory: " + dir.resolve("data") + "\n");
    Path log = dir.resolve("serve.log");
    ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/berth").toString(), "serve", "--config",
        config.toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Served served = new Served(builder.start());
    BerthProcess.awaitOk(served.process(), log, URI.create("http://127.0.0.1:" + port + "/v2/"), Duration.ofSeconds(120));
    return served;
  }

  /** A bin/berth serve, which has replaced itself with the JVM. */
  private record Served(Process process) implements AutoCloseable {
    String javaCommandLine() throws IOException {
      return String.join(" ", Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "cmdline"))
          .stream().map(line -> line.replace('\0', ' ')).toList());
    }

    @Override
    public void close() throws Exception {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("bin/berth serve did not stop within 30 s of SIGTERM");
      }
    }
  }
}
