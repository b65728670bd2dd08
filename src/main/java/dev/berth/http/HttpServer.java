package dev.berth.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.berth.auth.AccessControl;
import dev.berth.registry.Registry;
import dev.berth.registry.RegistrySettings;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

/**
 * The Jetty server: virtual threads, one connector, and the handler chain
 * graceful-drain → metrics and access log → ops endpoints, then the /v2 API.
 */
public final class HttpServer implements AutoCloseable {
  private static final int UPLOAD_READ_BUFFER = 256 * 1024;
  // Jetty's default pool keeps nothing above 64 KiB: every request would allocate and zero a fresh
  // direct read buffer (half the CPU of a manifest GET, and RSS growing until the next GC).
  private static final int LARGEST_POOLED_BUFFER = 1024 * 1024;
  private static final long POOLED_MEMORY_LIMIT = 64L * 1024 * 1024;

  private final Server server;
  private final ServerConnector connector;

  private HttpServer(Server server, ServerConnector connector) {
    this.server = server;
    this.connector = connector;
  }

  public static HttpServer start(String host, int port, Duration drainTimeout, Registry registry,
      RegistrySettings settings, AccessControl access, java.util.Optional<String> realm, Handler admin,
      PrometheusMeterRegistry prometheus) throws Exception {
    VirtualThreadPool threads = new VirtualThreadPool();
    threads.setName("berth-http");
    Server server = new Server(threads, null,
        new ArrayByteBufferPool.Quadratic(0, LARGEST_POOLED_BUFFER, Integer.MAX_VALUE,
            POOLED_MEMORY_LIMIT, POOLED_MEMORY_LIMIT));
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    // Jetty parses every URI it can, whatever it violates; UriGuard then refuses each violation with
    // the path in hand, so the refusal says which part of it is wrong. Refused while parsing, the
    // path would be lost.
    http.setUriCompliance(UriCompliance.UNSAFE);
    HttpConnectionFactory http11 = new HttpConnectionFactory(http);
    // Uploads arrive in reads of this size; larger reads mean fewer wake-ups per gigabyte pushed.
    http11.setInputBufferSize(UPLOAD_READ_BUFFER);
    ServerConnector connector = new ServerConnector(server, 1, 1, http11);
    connector.setHost(host);
    connector.setPort(port);
    connector.setIdleTimeout(Duration.ofMinutes(5).toMillis());
    server.addConnector(connector);

    ObjectMapper json = JsonMapper.builder().build();
    AuthGate gate = new AuthGate(access, realm);
    Handler.Sequence routes = new Handler.Sequence(
        new OpsHandler(prometheus),
        admin,
        new TokenHandler(gate, json),
        new V2Handler(registry, settings, gate, json, server.getByteBufferPool()));
    server.setHandler(new GracefulHandler(new ObservedHandler(new UriGuard(routes), prometheus)));
    server.setErrorHandler(new BerthErrorHandler(json));
    server.setStopTimeout(drainTimeout.toMillis());
    server.setStopAtShutdown(false);
    server.start();
    return new HttpServer(server, connector);
  }

  public int port() {
    return connector.getLocalPort();
  }

  /** Stops accepting, lets in-flight requests finish within the drain timeout, then stops. */
  @Override
  public void close() throws Exception {
    server.stop();
  }
}
