package dev.berth.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The packaged {@code target/berth.jar}, run as operators run it: each command is its own JVM, so
 * two commands on one data directory really are two processes.
 */
public final class BerthJar {
  private static final Path BUILT = Path.of("target").toAbsolutePath();
  /** Short commands (gc, fsck) start faster without the optimising compiler. */
  private static final List<String> COMMAND_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
  private static final long COMMAND_TIMEOUT_SECONDS = 90;

  private static Path jar;

  private BerthJar() {}

  /** What a finished command left behind: its exit code and its stdout and stderr, interleaved. */
  public record Result(List<String> command, int exitCode, String output) {
    public List<String> lines() {
      return output.lines().toList();
    }

    @Override
    public String toString() {
      return "berth " + String.join(" ", command) + " exited " + exitCode + ":\n" + output;
    }
  }

  public static List<String> command(List<String> jvmOptions, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("--enable-native-access=ALL-UNNAMED");
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(args);
    return command;
  }

  /**
   * A private copy of the packaged jar and its {@code lib/}, taken once per test JVM, so that a
   * rebuild of {@code target/} while these tests run cannot pull classes out from under a process.
   */
  private static synchronized Path jar() throws IOException {
    if (jar != null) {
      return jar;
    }
    if (!Files.exists(BUILT.resolve("berth.jar"))) {
      throw new AssertionError("target/berth.jar is missing: run through 'mvn verify'");
    }
    Path copy = Files.createTempDirectory("berth-jar");
    Files.createDirectories(copy.resolve("lib"));
    try (Stream<Path> libs = Files.list(BUILT.resolve("lib"))) {
      for (Path lib : libs.toList()) {
        Files.copy(lib, copy.resolve("lib").resolve(lib.getFileName()));
      }
    }
    Files.copy(BUILT.resolve("berth.jar"), copy.resolve("berth.jar"));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(copy)));
    jar = copy.resolve("berth.jar");
    return jar;
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory; the OS cleans up after us
    }
  }

  /** Runs {@code berth <args>} in {@code workDir} to completion. */
  public static Result run(Path workDir, String... args) throws Exception {
    return run(workDir, java.util.Map.of(), args);
  }

  /** Runs {@code berth <args>} in {@code workDir} to completion, with {@code environment} added to ours. */
  public static Result run(Path workDir, java.util.Map<String, String> environment, String... args) throws Exception {
    Path out = Files.createTempFile(workDir, "berth-command", ".log");
    ProcessBuilder builder = new ProcessBuilder(command(COMMAND_JVM, List.of(args)))
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(out.toFile());
    builder.environment().putAll(environment);
    Process process = builder.start();
    if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError("berth " + String.join(" ", args) + " did not finish within "
          + COMMAND_TIMEOUT_SECONDS + " s:\n" + Files.readString(out));
    }
    return new Result(List.of(args), process.exitValue(), Files.readString(out));
  }
}
