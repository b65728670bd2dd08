package dev.berth.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.berth.auth.AccessControl;
import dev.berth.config.Settings;
import dev.berth.config.TlsKeyStore;
import dev.berth.registry.Registry;
import dev.berth.registry.RegistrySettings;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

/**
 * The Jetty server: virtual threads, one connector (plain HTTP, or HTTPS), and the handler chain
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

  /**
   * @param settings where to listen, the drain timeout, the external URL and the token realm
   * @param tls when present, HTTPS only (TLS 1.2 and 1.3, HTTP/2 by ALPN, HTTP/1.1 otherwise)
   */
  public static HttpServer start(Settings settings, Optional<TlsKeyStore> tls, Registry registry,
      RegistrySettings registrySettings, AccessControl access, Handler admin, PrometheusMeterRegistry prometheus)
      throws Exception {
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
    ServerConnector connector = tls.isPresent()
        ? new ServerConnector(server, 1, 1, secure(tls.get(), http, http11))
        : new ServerConnector(server, 1, 1, http11);
    connector.setHost(settings.host());
    connector.setPort(settings.port());
    connector.setIdleTimeout(Duration.ofMinutes(5).toMillis());
    server.addConnector(connector);

    ObjectMapper json = JsonMapper.builder().build();
    ExternalUrl externalUrl = new ExternalUrl(settings.externalUrl());
    AuthGate gate = new AuthGate(access, settings.auth().flatMap(Settings.Auth::realm), externalUrl);
    Handler.Sequence routes = new Handler.Sequence(
        new OpsHandler(prometheus),
        admin,
        new TokenHandler(gate, json),
        new V2Handler(registry, registrySettings, gate, externalUrl, json, server.getByteBufferPool()));
    server.setHandler(new GracefulHandler(new ObservedHandler(new UriGuard(routes), prometheus)));
    server.setErrorHandler(new BerthErrorHandler(json));
    server.setStopTimeout(settings.drainTimeout().toMillis());
    server.setStopAtShutdown(false);
    server.start();
    return new HttpServer(server, connector);
  }

  /**
   * TLS in front of ALPN, which picks HTTP/2 or HTTP/1.1 (also for clients that offer no ALPN).
   * A plain-HTTP request to this port fails the TLS handshake and the connection is closed: the
   * registry is never served in clear text there.
   */
  private static ConnectionFactory[] secure(TlsKeyStore tls, HttpConfiguration http, HttpConnectionFactory http11) {
    SslContextFactory.Server context = new SslContextFactory.Server();
    context.setKeyStore(tls.keyStore());
    context.setKeyStorePassword(new String(tls.password()));
    context.setKeyManagerPassword(new String(tls.password()));
    context.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    // A registry is one host: a client that reached it under a name the certificate lacks (and
    // chose not to verify it) gets its answer, as from Docker Registry, not Jetty's 400.
    secure.setSniHostCheck(false);
    http.addCustomizer(secure);
    HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(http);
    // Without arguments it negotiates the connector's other protocols as Jetty maps them to ALPN
    // names; given the factory's name "HTTP/1.1", a client offering only "http/1.1" was cut off.
    ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
    alpn.setDefaultProtocol(http11.getProtocol());
    return new ConnectionFactory[] {new SslConnectionFactory(context, alpn.getProtocol()), alpn, h2, http11};
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
