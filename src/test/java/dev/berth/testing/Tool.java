package dev.berth.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs an external client (skopeo, podman, docker) and fails loudly, with its output, when it fails. */
public final class Tool {
  private Tool() {}

  public record Result(int exitCode, String output) {}

  /**
   * Fails the test (never skips it) when the tool is not installed: bin/test installs it. Looks on
   * the PATH, then in the sbin directories, which hold nginx and are not on every user's PATH.
   */
  public static String require(String name) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin") + ":/usr/sbin:/sbin";
    for (String dir : path.split(":")) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new AssertionError(name + " is not installed; run the tests through bin/test, which installs it");
  }

  public static Result run(Path workDir, List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
    return run(workDir, command, null, timeoutSeconds);
  }

  /** With {@code stdin} as the tool's standard input, for secrets kept off the command line. */
  public static Result run(Path workDir, List<String> command, String stdin, long timeoutSeconds)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile(workDir, "tool", ".log");
    ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command))
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    if (stdin != null) {
      Path input = Files.createTempFile(workDir, "tool", ".in");
      Files.writeString(input, stdin);
      builder.redirectInput(input.toFile());
    }
    Process process = builder.start();
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " timed out:\n" + Files.readString(log));
    }
    return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  public static String ok(Path workDir, List<String> command) throws IOException, InterruptedException {
    Result result = run(workDir, command, 300);
    if (result.exitCode() != 0) {
      throw new AssertionError(String.join(" ", command) + " exited " + result.exitCode() + ":\n" + result.output());
    }
    return result.output();
  }
}
