package dev.berth.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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
    String status = Integer.toString(response.getStatus());
    long bytesIn = Request.getContentBytesRead(request);
    long bytesOut = Response.getContentBytesWritten(response);
    Timer.builder("berth.http.requests")
        .description("HTTP requests by route, method and status")
        .tags("route", route, "method", request.getMethod(), "status", status)
        .register(meters)
        .record(nanos, TimeUnit.NANOSECONDS);
    Counter.builder("berth.http.received.bytes").tags("route", route).register(meters).increment(bytesIn);
    Counter.builder("berth.http.sent.bytes").tags("route", route).register(meters).increment(bytesOut);
    if (ACCESS.isInfoEnabled()) {
      ACCESS.info("method={} path=\"{}\" route={} status={} bytes_in={} bytes_out={} duration_ms={} remote={}{}",
          request.getMethod(), request.getHttpURI().getPathQuery(), route, status, bytesIn, bytesOut,
          String.format("%.3f", nanos / 1e6), Request.getRemoteAddr(request),
          failure == null ? "" : " failure=\"" + failure.getClass().getSimpleName() + "\"");
    }
  }
}
