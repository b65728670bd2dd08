package dev.berth.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** {@code /healthz} for load balancers and {@code /metrics} for Prometheus. */
public final class OpsHandler extends Handler.Abstract.NonBlocking {
  private final PrometheusMeterRegistry prometheus;

  public OpsHandler(PrometheusMeterRegistry prometheus) {
    this.prometheus = prometheus;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    switch (path) {
      case "/healthz" -> {
        request.setAttribute(Exchange.ROUTE_ATTRIBUTE, "healthz");
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        Content.Sink.write(response, true, "{\"status\":\"ok\"}", callback);
        return true;
      }
      case "/metrics" -> {
        request.setAttribute(Exchange.ROUTE_ATTRIBUTE, "metrics");
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        response.write(true, StandardCharsets.UTF_8.encode(prometheus.scrape()), callback);
        return true;
      }
      default -> {
        return false;
      }
    }
  }
}
