package dev.berth.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.NanoTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures every request once it has completed: Prometheus metrics by route and status, and one
 * structured access-log line (logger {@code berth.access}).
 */
public final class ObservedHandler extends Handler.Wrapper {
  private static final Logger ACCESS = LoggerFactory.getLogger("berth.access");

  private final MeterRegistry meters;
  /** Looking a meter up in the registry costs more than the rest of a manifest GET; do it once per series. */
  private final ConcurrentMap<Series, Meters> series = new ConcurrentHashMap<>();

  private record Series(String route, String method, int status) {}

  private record Meters(Timer requests, Counter received, Counter sent) {}

  public ObservedHandler(Handler handler, MeterRegistry meters) {
    super(handler);
    this.meters = meters;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    long start = NanoTime.now();
    Request.addCompletionListener(request, failure -> record(request, response, start, failure));
    return super.handle(request, response, callback);
  }

  private void record(Request request, Response response, long start, Throwable failure) {
    long nanos = NanoTime.since(start);
    Object routeAttribute = request.getAttribute(Exchange.ROUTE_ATTRIBUTE);
    String route = routeAttribute == null ? "other" : routeAttribute.toString();
    int status = response.getStatus();
    long bytesIn = Request.getContentBytesRead(request);
    long bytesOut = Response.getContentBytesWritten(response);
    Meters m = series.computeIfAbsent(new Series(route, request.getMethod(), status), this::register);
    m.requests().record(nanos, TimeUnit.NANOSECONDS);
    if (bytesIn > 0) {
      m.received().increment(bytesIn);
    }
    if (bytesOut > 0) {
      m.sent().increment(bytesOut);
    }
    if (ACCESS.isInfoEnabled()) {
      ACCESS.info("method={} path=\"{}\" route={} status={} bytes_in={} bytes_out={} duration_ms={} remote={}{}",
          request.getMethod(), request.getHttpURI().getPathQuery(), route, status, bytesIn, bytesOut,
          nanos / 1_000 / 1_000.0, Request.getRemoteAddr(request),
          failure == null ? "" : " failure=\"" + failure.getClass().getSimpleName() + "\"");
    }
  }

  private Meters register(Series key) {
    return new Meters(
        Timer.builder("berth.http.requests")
            .description("HTTP requests by route, method and status")
            .tags("route", key.route(), "method", key.method(), "status", Integer.toString(key.status()))
            .register(meters),
        Counter.builder("berth.http.received.bytes").tags("route", key.route()).register(meters),
        Counter.builder("berth.http.sent.bytes").tags("route", key.route()).register(meters));
  }
}
