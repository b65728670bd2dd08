package dev.berth.http;

import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Refuses, before any route sees it, a request whose path is ambiguous once decoded (an encoded
 * slash, dot segment or NUL, a broken percent-encoding, an empty segment), that has dot segments
 * the server would resolve into another path, or path parameters it would drop. Routes only ever read the decoded path, so it must
 * be exactly what the client sent. The refusal goes through {@link BerthErrorHandler}, which words
 * it by the part of the path that is wrong.
 */
final class UriGuard extends Handler.Wrapper {
  UriGuard(Handler routes) {
    super(routes);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    HttpURI uri = request.getHttpURI();
    // Path parameters (";x") mean nothing here; decoded, Jetty would drop them from the path.
    if (uri.hasViolations() || PathRefusals.hasDotSegment(uri.getPath()) || uri.getPath().indexOf(';') >= 0) {
      Response.writeError(request, response, callback, HttpStatus.BAD_REQUEST_400, "the path is not valid");
      return true;
    }
    return super.handle(request, response, callback);
  }
}
