package dev.berth.ui;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.FormFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/** One console request and its response, on a virtual thread: reads and writes block. */
final class WebExchange {
  /** Pages may not be framed, and load scripts, styles and forms from this origin only. */
  private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
      + "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  /**
   * A bulk delete's confirmation carries a digest per manifest, up to {@link DeleteController#MAX_AT_ONCE}
   * of them (about 85 bytes each, in one field of many values).
   */
  static final int MAX_FORM_BYTES = 1 << 20;

  private final Request request;
  private final Response response;
  private final Callback callback;
  private Fields query;
  private Fields form;

  WebExchange(Request request, Response response, Callback callback) {
    this.request = request;
    this.response = response;
    this.callback = callback;
  }

  /** The request itself, for what only Jetty's view of it tells (the external URL the client used). */
  Request request() {
    return request;
  }

  String path() {
    return Request.getPathInContext(request);
  }

  String method() {
    return request.getMethod();
  }

  String remoteAddress() {
    return Request.getRemoteAddr(request);
  }

  boolean secure() {
    return request.isSecure();
  }

  Optional<String> query(String name) {
    if (query == null) {
      query = Request.extractQueryParameters(request);
    }
    return Optional.ofNullable(query.getValue(name));
  }

  /** Every value of a repeated query parameter, in order. */
  List<String> queryAll(String name) {
    query(name);
    return query.getValuesOrEmpty(name);
  }

  /** Every value of a repeated form field, in order; empty for any other body. */
  List<String> fieldAll(String name) {
    field(name);
    return form.getValuesOrEmpty(name);
  }

  /** A field of the urlencoded form this POST carries; empty for any other body. */
  Optional<String> field(String name) {
    if (form == null) {
      try {
        form = FormFields.getFields(request, FormFields.MAX_FIELDS_DEFAULT, MAX_FORM_BYTES);
      } catch (RuntimeException e) {
        // Too many fields or bytes: read as no form at all, which the CSRF check refuses before anything runs.
        form = new Fields();
      }
    }
    return Optional.ofNullable(form.getValue(name));
  }

  Optional<String> cookie(String name) {
    return Request.getCookies(request).stream().filter(c -> c.getName().equals(name)).map(HttpCookie::getValue)
        .findFirst();
  }

  void setCookie(HttpCookie cookie) {
    Response.addCookie(response, cookie);
  }

  void html(int status, String page) throws IOException {
    response.getHeaders().put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    // Pages show what an administrator may delete; no cache should keep them.
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    bytes(status, "text/html; charset=utf-8", page.getBytes(StandardCharsets.UTF_8));
  }

  /** 303: the browser follows with a GET, so reloading the result does not repeat a POST. */
  void redirect(String location) throws IOException {
    response.getHeaders().put(HttpHeader.LOCATION, location);
    bytes(303, "text/plain; charset=utf-8", new byte[0]);
  }

  void bytes(int status, String contentType, byte[] body) throws IOException {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, (long) body.length);
    try (Blocker.Callback blocker = Blocker.callback()) {
      response.write(true, ByteBuffer.wrap(body), blocker);
      blocker.block();
    }
    callback.succeeded();
  }

  void fail(Throwable failure) {
    callback.failed(failure);
  }
}
