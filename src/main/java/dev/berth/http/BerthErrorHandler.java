package dev.berth.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.RegistryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Every answer Jetty makes itself: to a request it refuses before any handler runs (an ambiguous
 * or malformed path, a URI or header block too large) and to a path no handler takes. Under
 * {@code /v2/} it is the spec's error JSON, like every other registry answer; the admin API gets
 * JSON too; anything else a short page of Berth's own. None of them echoes the request back.
 */
final class BerthErrorHandler extends ErrorHandler {
  private static final String JSON = "application/json";
  /** The path Jetty gives the stand-in request it makes for one it could not parse. */
  private static final String UNPARSED_REQUEST = "/badMessage";
  private final ObjectMapper json;

  BerthErrorHandler(ObjectMapper json) {
    this.json = json;
  }

  /** Jetty's default writes a body for GET, POST and HEAD only; a refused PATCH or PUT deserves one too. */
  @Override
  public boolean errorPageForMethod(String method) {
    return true;
  }

  @Override
  protected void generateResponse(Request request, Response response, int status, String message, Throwable cause,
      Callback callback) throws IOException {
    String path = request.getHttpURI().getPath();
    String contentType;
    byte[] body;
    if (UNPARSED_REQUEST.equals(path)) {
      contentType = JSON;
      body = unparsed(status);
    } else if (path != null && (path.equals("/v2") || path.startsWith("/v2/"))) {
      RegistryException error = status == HttpStatus.BAD_REQUEST_400
          ? PathRefusals.refusal(request.getMethod(), path)
          : new RegistryException(codeFor(status), HttpStatus.getMessage(status));
      status = status == HttpStatus.BAD_REQUEST_400 ? ErrorResponses.status(error.code()) : status;
      response.getHeaders().put("Docker-Distribution-API-Version", "registry/2.0");
      contentType = JSON;
      body = ErrorResponses.body(json, error.code(), error.getMessage(), null);
    } else if (path != null && path.startsWith("/api/")) {
      contentType = JSON;
      body = json.writeValueAsBytes(java.util.Map.of("error", HttpStatus.getMessage(status)));
    } else {
      contentType = "text/html;charset=utf-8";
      body = page(status);
    }
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, JSON);
    return ByteBuffer.wrap(unparsed(status));
  }

  /**
   * A request Jetty could not parse (a NUL byte or a broken percent-encoding in the path, a URI or
   * header block too large): no path to go by, so the registry's JSON whatever the path was. In a
   * registry request only the name and the reference vary, so a path that does not parse names no
   * valid repository.
   */
  private byte[] unparsed(int status) {
    ErrorCode code = status == HttpStatus.BAD_REQUEST_400 ? ErrorCode.NAME_INVALID : codeFor(status);
    String message = status == HttpStatus.BAD_REQUEST_400
        ? "the request could not be parsed: a NUL byte or a broken percent-encoding in its path, or a malformed line"
        : HttpStatus.getMessage(status);
    return ErrorResponses.body(json, code, message, null);
  }

  /** The spec's code for a status Jetty chose; the request line is all it had to go on. */
  private static ErrorCode codeFor(int status) {
    return switch (status) {
      case HttpStatus.UNAUTHORIZED_401 -> ErrorCode.UNAUTHORIZED;
      case HttpStatus.FORBIDDEN_403 -> ErrorCode.DENIED;
      case HttpStatus.PAYLOAD_TOO_LARGE_413 -> ErrorCode.SIZE_INVALID;
      // Only a name and a reference make a registry URI long.
      case HttpStatus.URI_TOO_LONG_414 -> ErrorCode.NAME_INVALID;
      case HttpStatus.RANGE_NOT_SATISFIABLE_416 -> ErrorCode.RANGE_INVALID;
      case HttpStatus.TOO_MANY_REQUESTS_429 -> ErrorCode.TOOMANYREQUESTS;
      case HttpStatus.SERVICE_UNAVAILABLE_503 -> ErrorCode.UNAVAILABLE;
      default -> status >= 500 ? ErrorCode.UNKNOWN : ErrorCode.UNSUPPORTED;
    };
  }

  private static byte[] page(int status) {
    String reason = HttpStatus.getMessage(status);
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + status + " " + reason
        + " · Berth</title></head><body><h1>" + reason + "</h1><p><a href=\"/ui/\">Berth console</a></p></body></html>")
        .getBytes(StandardCharsets.UTF_8);
  }
}
