package dev.berth.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's nginx as a child process of the test, in the foreground ({@code daemon off}), with its
 * prefix, configuration, logs and temporary files in a directory of the test's, listening on a
 * free port of 127.0.0.1.
 */
public final class Nginx implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final Path prefix;
  private final int port;

  private Nginx(Process process, Path prefix, int port) {
    this.process = process;
    this.prefix = prefix;
    this.port = port;
  }

  /**
   * Starts nginx with {@code server} as the one server block of its {@code http} section; the block
   * listens on {@code %PORT%}, which is replaced by the free port chosen here.
   */
  public static Nginx start(Path prefix, String server) throws Exception {
    String nginx = Tool.require("nginx");
    Files.createDirectories(prefix.resolve("logs"));
    Files.createDirectories(prefix.resolve("temp"));
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path config = prefix.resolve("nginx.conf");
    // Workers as root (ignored when the tests run unprivileged): the prefix is in a temporary
    // directory only its owner may enter, and the workers write their temporary files there.
    Files.writeString(config, """
        worker_processes 1;
        user root;
        error_log %1$s/logs/error.log info;
        pid %1$s/nginx.pid;
        events { worker_connections 256; }
        http {
          access_log %1$s/logs/access.log;
          client_body_temp_path %1$s/temp/body;
          proxy_temp_path %1$s/temp/proxy;
          fastcgi_temp_path %1$s/temp/fastcgi;
          uwsgi_temp_path %1$s/temp/uwsgi;
          scgi_temp_path %1$s/temp/scgi;
        %2$s
        }
        """.formatted(prefix, server.replace("%PORT%", Integer.toString(port))));
    Process process = new ProcessBuilder(nginx, "-p", prefix.toString(), "-c", config.toString(), "-g", "daemon off;")
        .redirectErrorStream(true)
        .redirectOutput(prefix.resolve("logs/stdout.log").toFile())
        .start();
    Nginx started = new Nginx(process, prefix, port);
    started.awaitListening();
    return started;
  }

  public int port() {
    return port;
  }

  /** {@code 127.0.0.1:<port>}. */
  public String hostPort() {
    return "127.0.0.1:" + port;
  }

  private void awaitListening() throws Exception {
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new AssertionError("nginx exited " + process.exitValue() + ":\n" + logs());
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    close();
    throw new AssertionError("nginx did not listen within " + START_TIMEOUT + ":\n" + logs());
  }

  public String logs() throws IOException {
    StringBuilder text = new StringBuilder();
    for (String log : List.of("stdout.log", "error.log")) {
      Path file = prefix.resolve("logs").resolve(log);
      if (Files.exists(file)) {
        text.append("---- ").append(log).append('\n').append(Files.readString(file));
      }
    }
    return text.toString();
  }

  /** SIGTERM is nginx's fast shutdown: the master stops its workers, then exits. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
