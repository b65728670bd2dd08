package dev.berth.cli;

import dev.berth.testing.TestCertificates;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The packaged {@code berth.jar} run as its own process, as operators run it. */
final class BerthProcess implements AutoCloseable {
  private static final Path JAR = Path.of("target/berth.jar").toAbsolutePath();

  final Process process;
  final Path log;
  final int port;
  private final String scheme;

  private BerthProcess(Process process, Path log, int port, String scheme) {
    this.process = process;
    this.log = log;
    this.port = port;
    this.scheme = scheme;
  }

  static List<String> command(List<String> jvmOptions, String... args) {
    if (!Files.exists(JAR)) {
      throw new AssertionError("target/berth.jar is missing: run through 'mvn verify' (bin/test)");
    }
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("--enable-native-access=ALL-UNNAMED");
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(List.of(args));
    return command;
  }

  /** Runs a short command to completion, returning exit code and combined output. */
  static Result run(Path dir, String... args) throws Exception {
    return run(dir, java.util.Map.of(), args);
  }

  /** Runs a short command in {@code dir}, with {@code environment} added to this process's. */
  static Result run(Path dir, java.util.Map<String, String> environment, String... args) throws Exception {
    Path out = Files.createTempFile(dir, "berth", ".log");
    ProcessBuilder builder = new ProcessBuilder(command(List.of(), args)).directory(dir.toFile());
    builder.environment().putAll(environment);
    Process p = builder.redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("berth " + String.join(" ", args) + " did not finish");
    }
    return new Result(p.exitValue(), Files.readString(out));
  }

  record Result(int exitCode, String output) {}

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Starts {@code berth serve} with the given config text appended to an http.addr on a free port. */
  static BerthProcess serve(Path dir, List<String> jvmOptions, String extraConfig) throws Exception {
    return serve(dir, jvmOptions, extraConfig, "http", HttpClient.newHttpClient());
  }

  /** The same over HTTPS with these certificates ({@code http.tls}), awaited by a client that trusts their CA. */
  static BerthProcess serveTls(Path dir, TestCertificates certificates, String extraConfig) throws Exception {
    return serve(dir, List.of(), "  tls:\n    certificate: " + certificates.chain() + "\n    key: " + certificates.key()
        + "\n" + extraConfig, "https", HttpClient.newBuilder().sslContext(certificates.clientContext()).build());
  }

  private static BerthProcess serve(Path dir, List<String> jvmOptions, String extraConfig, String scheme,
      HttpClient readiness) throws Exception {
    int port = freePort();
    Path config = dir.resolve("config.yml");
    Files.writeString(config, "version: 0.1\nhttp:\n  addr: 127.0.0.1:" + port + "\n" + extraConfig);
    Path log = dir.resolve("server.log");
    Process process = new ProcessBuilder(command(jvmOptions, "serve", "--config", config.toString()))
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    BerthProcess berth = new BerthProcess(process, log, port, scheme);
    awaitOk(process, log, berth.uri("/v2/"), Duration.ofSeconds(60), readiness);
    return berth;
  }

  /** Polls {@code uri} until it answers 200; fails with the process's log if it exits or time runs out. */
  static void awaitOk(Process process, Path log, URI uri, Duration within) throws Exception {
    awaitOk(process, log, uri, within, HttpClient.newHttpClient());
  }

  private static void awaitOk(Process process, Path log, URI uri, Duration within, HttpClient client) throws Exception {
    Instant deadline = Instant.now().plus(within);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new AssertionError("berth exited " + process.exitValue() + ":\n" + Files.readString(log));
      }
      try {
        HttpResponse<Void> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new AssertionError("berth did not answer within " + within + ":\n" + Files.readString(log));
  }

  /** The URL of a path, or of a URL the server handed out (a {@code Location}), which stays as it is. */
  URI uri(String pathOrUrl) {
    return URI.create(pathOrUrl.startsWith("/") ? scheme + "://127.0.0.1:" + port + pathOrUrl : pathOrUrl);
  }

  /** SIGTERM, then waits for the process to exit. */
  int terminate(Duration wait) throws Exception {
    process.destroy();
    if (!process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("berth did not exit within " + wait + " of SIGTERM");
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
