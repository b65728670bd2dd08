package dev.berth.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * One request and its response, handled on a virtual thread: reads and writes block, and the
 * Jetty callback completes exactly once, when the handler is done.
 */
final class Exchange {
  static final String ROUTE_ATTRIBUTE = "berth.route";

  final Request request;
  final Response response;
  private final Callback callback;
  private final ObjectMapper json;
  private Fields query;
  private boolean completed;

  Exchange(Request request, Response response, Callback callback, ObjectMapper json) {
    this.request = request;
    this.response = response;
    this.callback = callback;
    this.json = json;
  }

  String method() {
    return request.getMethod();
  }

  boolean isHead() {
    return "HEAD".equals(request.getMethod());
  }

  void route(String name) {
    request.setAttribute(ROUTE_ATTRIBUTE, name);
  }

  Optional<String> query(String name) {
    if (query == null) {
      query = Request.extractQueryParameters(request);
    }
    return Optional.ofNullable(query.getValue(name));
  }

  String requestHeader(HttpHeader header) {
    return request.getHeaders().get(header);
  }

  Iterable<HttpField> requestHeaders() {
    return request.getHeaders();
  }

  long contentLength() {
    return request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
  }

  /** Who the audit log names for this request: the user, and where the request came from. */
  static String actor(Exchange ex, String user) {
    return user + "@" + Request.getRemoteAddr(ex.request);
  }

  boolean bodyMayBeUnread() {
    long length = contentLength();
    if (length >= 0) {
      return Request.getContentBytesRead(request) < length;
    }
    return request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
  }

  InputStream body() {
    return Content.Source.asInputStream(request);
  }

  Exchange header(String name, String value) {
    response.getHeaders().put(name, value);
    return this;
  }

  Exchange header(HttpHeader name, String value) {
    response.getHeaders().put(name, value);
    return this;
  }

  void empty(int status) throws IOException {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
    send(null);
  }

  /** Sends bytes; for HEAD only the headers, with the length the GET would have had. */
  void bytes(int status, String contentType, byte[] body) throws IOException {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, (long) body.length);
    send(isHead() ? null : ByteBuffer.wrap(body));
  }

  void json(int status, Object value) throws IOException {
    bytes(status, "application/json", json.writeValueAsBytes(value));
  }

  ObjectMapper mapper() {
    return json;
  }

  /** Sends the body with the status and headers already set; returns once it is written. */
  private void send(ByteBuffer body) throws IOException {
    write(true, body);
    complete();
  }

  /** Writes part of the body; returns once the bytes are written, so the buffer may be reused. */
  void write(boolean last, ByteBuffer part) throws IOException {
    try (Blocker.Callback blocker = Blocker.callback()) {
      response.write(last, part, blocker);
      blocker.block();
    }
  }

  /** Hands the rest of the response to an asynchronous writer that completes the callback itself. */
  Callback detach() {
    completed = true;
    return callback;
  }

  boolean isCompleted() {
    return completed;
  }

  void complete() {
    if (!completed) {
      completed = true;
      callback.succeeded();
    }
  }

  void fail(Throwable failure) {
    if (!completed) {
      completed = true;
      callback.failed(failure);
    }
  }
}
