package dev.berth.gc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testing.BerthJar;
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
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code berth serve} on a {@link DataDir}, as its own process: started, stopped with SIGTERM, or
 * killed with SIGKILL at any moment and started again on the same directory.
 */
final class ServerProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  /** Tests restart servers often and load them lightly: start fast rather than peak fast. */
  private static final List<String> SERVER_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  private final Process process;
  private final Path log;
  private final int port;

  private ServerProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /**
   * Starts a server on {@code dir} and returns once it answers {@code /v2/} and has published its
   * admin address and token (a crashed predecessor's {@code server.json} does not count).
   */
  static ServerProcess start(DataDir dir) throws Exception {
    int port = freePort();
    dir.configureServerPort(port);
    ServerProcess server = launch(dir, dir.config(), port);
    server.awaitReady(dir);
    return server;
  }

  /** Runs {@code berth serve} with {@code config} in the foreground, expecting it to exit by itself. */
  static BerthJar.Result serveExpectingExit(DataDir dir, Path config) throws Exception {
    return BerthJar.run(dir.work(), "serve", "--config", config.toString());
  }

  private static ServerProcess launch(DataDir dir, Path config, int port) throws IOException {
    Path log = dir.work().resolve("server.log");
    Files.writeString(log, "---- berth serve on port " + port + "\n",
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    Process process = new ProcessBuilder(BerthJar.command(SERVER_JVM,
            List.of("serve", "--config", config.toString())))
        .directory(dir.work().toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    return new ServerProcess(process, log, port);
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private void awaitReady(DataDir dir) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    for (int attempt = 0; attempt < 1200 && Instant.now().isBefore(deadline); attempt++) {
      if (!process.isAlive()) {
        throw new AssertionError("berth serve exited " + process.exitValue() + ":\n" + log());
      }
      if (answers(client) && publishedByMe(dir.root())) {
        return;
      }
      Thread.sleep(50);
    }
    close();
    throw new AssertionError("berth serve was not ready within " + START_TIMEOUT + ":\n" + log());
  }

  private boolean answers(HttpClient client) throws InterruptedException {
    try {
      HttpResponse<Void> r = client.send(HttpRequest.newBuilder(base().resolve("/v2/"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException notYet) {
      return false;
    }
  }

  private boolean publishedByMe(Path root) {
    try {
      JsonNode published = JSON.readTree(root.resolve("berth/server.json").toFile());
      return published.path("pid").asLong() == process.pid()
          && published.path("url").asText().endsWith(":" + port);
    } catch (IOException notYet) {
      return false;
    }
  }

  URI base() {
    return URI.create("http://127.0.0.1:" + port);
  }

  String log() throws IOException {
    return Files.readString(log);
  }

  /** SIGKILL: no shutdown hook, no draining, no closing of anything. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("berth serve survived SIGKILL for " + STOP_TIMEOUT);
    }
  }

  /** SIGTERM, and the exit code once the server has drained and closed its stores. */
  int stop() throws Exception {
    process.destroy();
    if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("berth serve did not stop within " + STOP_TIMEOUT + " of SIGTERM:\n" + log());
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
