package dev.berth.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.auth.AccessDeniedException;
import dev.berth.auth.Caller;
import dev.berth.auth.Principal;
import dev.berth.auth.Scope;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * {@code GET /token}: Docker's token endpoint. Checks Basic credentials (none: anonymous) and
 * returns a signed token granting, of each requested {@code scope}, only the actions the caller
 * holds. Wrong credentials are a 401, never a silently anonymous token.
 */
final class TokenHandler extends Handler.Abstract {
  private final AuthGate gate;
  private final ObjectMapper json;

  TokenHandler(AuthGate gate, ObjectMapper json) {
    super(InvocationType.BLOCKING);
    this.gate = gate;
    this.json = json;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    if (!Request.getPathInContext(request).equals("/token") || gate.access().tokens().isEmpty()) {
      return false;
    }
    Exchange ex = new Exchange(request, response, callback, json);
    ex.route("token");
    try {
      Caller caller = gate.authenticate(ex);
      if (caller.token().isPresent()) {
        throw AccessDeniedException.badCredentials();
      }
      Principal principal = caller.principal();
      List<Scope> scopes = new ArrayList<>();
      Fields query = Request.extractQueryParameters(request);
      for (String value : Optional.ofNullable(query.getValues("scope")).orElse(List.of())) {
        for (String scope : value.split(" ")) {
          Scope.parse(scope).ifPresent(scopes::add);
        }
      }
      String token = gate.access().issueToken(principal, scopes);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("token", token);
      body.put("access_token", token);
      body.put("expires_in", gate.access().tokens().get().lifetime().toSeconds());
      body.put("issued_at", Instant.now().toString());
      ex.json(200, body);
    } catch (AccessDeniedException e) {
      respond(ex, gate.code(e) == dev.berth.registry.ErrorCode.TOOMANYREQUESTS ? 429 : 401, e.getMessage());
    } catch (IOException | RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(TokenHandler.class).error("token request failed", e);
      respond(ex, 500, "internal error");
    }
    return true;
  }

  private void respond(Exchange ex, int status, String message) {
    try {
      ex.header(org.eclipse.jetty.http.HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"berth\"");
      ex.json(status, Map.of("errors", List.of(Map.of("code", status == 429 ? "TOOMANYREQUESTS" : "UNAUTHORIZED",
          "message", message))));
    } catch (IOException | RuntimeException e) {
      ex.fail(e);
    }
  }
}
