package dev.berth.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A private dockerd (Debian's {@code docker.io}) and the docker CLI (the first on PATH; the daemon
 * does the registry's side of login, push and pull) pointed at it, for tests: vfs storage, no
 * bridge, no iptables, its own daemon.json, data root, exec root, socket, pid file and CLI config
 * directory, so it touches nothing of the machine's (not {@code /etc/docker}, not {@code
 * ~/.docker}) and runs beside other daemons. dockerd needs root; when it cannot start, the
 * test fails with dockerd's own log, it does not skip.
 *
 * <p>No {@code --insecure-registry} flag: docker talks plain HTTP to registries on 127.0.0.0/8 by
 * default, which is where tests run Berth.
 */
public final class DockerDaemon implements AutoCloseable {
  private static final long STOP_SECONDS = 60;

  private final Path workDir;
  private final Path dataRoot;
  private final Path runDir;
  private final Path log;
  private final String cli;
  private final Process dockerd;
  private final Thread stopOnExit;

  private DockerDaemon(Path workDir, Path dataRoot, Path runDir, Path log, String cli, Process dockerd) {
    this.workDir = workDir;
    this.dataRoot = dataRoot;
    this.runDir = runDir;
    this.log = log;
    this.cli = cli;
    this.dockerd = dockerd;
    // Should the test JVM be told to stop before close() runs, dockerd and containerd still go.
    this.stopOnExit = new Thread(this::stop, "dockerd-stop");
    Runtime.getRuntime().addShutdownHook(stopOnExit);
  }

  /** Starts dockerd with its files under {@code dir} and waits until it answers the CLI. */
  public static DockerDaemon start(Path dir) throws IOException, InterruptedException {
    String dockerd = Tool.require("dockerd");
    String cli = Tool.require("docker");
    Files.createDirectories(dir);
    Path dataRoot = Files.createDirectories(dir.resolve("data"));
    Files.createDirectories(dir.resolve("config"));
    // A unix socket path has at most 107 bytes and containerd nests its sockets under the exec
    // root: both live in a short directory of their own rather than in a test's deep one.
    Path runDir = Files.createTempDirectory(Path.of("/tmp"), "dockerd");
    // The trust key would otherwise be written to /etc/docker/key.json.
    Path daemonJson = Files.writeString(dir.resolve("daemon.json"),
        "{\"deprecated-key-path\": \"" + dir.resolve("key.json") + "\"}");
    Path log = dir.resolve("dockerd.log");
    Process process = new ProcessBuilder(dockerd, "--config-file", daemonJson.toString(),
        "--storage-driver=vfs", "--iptables=false", "--ip-masq=false", "--bridge=none",
        "--data-root", dataRoot.toString(), "--exec-root", runDir.resolve("exec").toString(),
        "--pidfile", runDir.resolve("dockerd.pid").toString(), "-H", "unix://" + runDir.resolve("docker.sock"))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    DockerDaemon daemon = new DockerDaemon(dir, dataRoot, runDir, log, cli, process);
    try {
      daemon.awaitReady();
    } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
      daemon.close();
      throw e;
    }
    return daemon;
  }

  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      if (!dockerd.isAlive()) {
        throw new AssertionError("dockerd could not start (exit " + dockerd.exitValue() + "; it needs root); its log:\n"
            + Files.readString(log));
      }
      if (Files.exists(runDir.resolve("docker.sock")) && run(30, "version").exitCode() == 0) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("dockerd did not answer within 120 s:\n" + Files.readString(log));
      }
      Thread.sleep(200);
    }
  }

  /** A docker CLI command line talking to this daemon, with this daemon's CLI config directory. */
  public List<String> command(String... args) {
    List<String> command = new ArrayList<>(List.of(cli, "--host", "unix://" + runDir.resolve("docker.sock"),
        "--config", workDir.resolve("config").toString()));
    command.addAll(List.of(args));
    return command;
  }

  public Tool.Result run(String... args) throws IOException, InterruptedException {
    return run(300, args);
  }

  private Tool.Result run(long timeoutSeconds, String... args) throws IOException, InterruptedException {
    return Tool.run(workDir, command(args), timeoutSeconds);
  }

  /** Runs the CLI and fails the test, with docker's output, when it exits non-zero. */
  public String ok(String... args) throws IOException, InterruptedException {
    return Tool.ok(workDir, command(args));
  }

  /** {@code docker login} with the password on standard input, as users are told to do it. */
  public Tool.Result login(String registry, String user, String password) throws IOException, InterruptedException {
    return Tool.run(workDir, command("login", registry, "-u", user, "--password-stdin"), password, 120);
  }

  /** The CLI config directory ({@code config.json} holds what {@code docker login} stored). */
  public Path configDir() {
    return workDir.resolve("config");
  }

  @Override
  public void close() {
    stop();
    Runtime.getRuntime().removeShutdownHook(stopOnExit);
  }

  /**
   * Stops dockerd (it stops its containerd on the way out), then whatever of its process tree is
   * left, unmounts the data root should dockerd have died holding its mount, and removes the run
   * directory.
   */
  private synchronized void stop() {
    List<ProcessHandle> children = dockerd.descendants().toList();
    stop(dockerd.toHandle());
    children.forEach(DockerDaemon::stop);
    try {
      if (Files.readString(Path.of("/proc/mounts")).contains(" " + dataRoot + " ")) {
        new ProcessBuilder("umount", dataRoot.toString()).inheritIO().start().waitFor(STOP_SECONDS, TimeUnit.SECONDS);
      }
      if (Files.exists(runDir)) {
        try (Stream<Path> paths = Files.walk(runDir)) {
          for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(path);
          }
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void stop(ProcessHandle process) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      process.onExit().get(STOP_SECONDS, TimeUnit.SECONDS);
      return;
    } catch (TimeoutException | ExecutionException e) {
      // It did not stop on SIGTERM: killed below.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process.destroyForcibly();
    process.onExit().join();
  }
}
