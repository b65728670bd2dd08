package dev.berth.http;

import dev.berth.auth.AccessControl;
import dev.berth.auth.AccessDeniedException;
import dev.berth.auth.Action;
import dev.berth.auth.Caller;
import dev.berth.oci.RepositoryName;
import dev.berth.registry.ErrorCode;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * Where HTTP meets access control: reads the caller from the request, and turns a refusal into
 * the answer docker and podman expect: 401 with a {@code Bearer} challenge naming the token
 * endpoint and the scope to ask for, 403 DENIED, or 429 after too many failed logins.
 */
final class AuthGate {
  private final AccessControl access;
  private final Optional<String> realm;
  private final ExternalUrl externalUrl;

  /** @param realm the configured token endpoint; empty: this server's {@code /token} at its external URL */
  AuthGate(AccessControl access, Optional<String> realm, ExternalUrl externalUrl) {
    this.access = access;
    this.realm = realm;
    this.externalUrl = externalUrl;
  }

  AccessControl access() {
    return access;
  }

  Caller authenticate(Exchange ex) {
    return access.authenticate(Optional.ofNullable(ex.requestHeader(HttpHeader.AUTHORIZATION)),
        Request.getRemoteAddr(ex.request));
  }

  void require(Exchange ex, Caller caller, RepositoryName repository, Action... actions) {
    access.require(caller, repository, Set.of(actions));
  }

  boolean allows(Caller caller, RepositoryName repository, Action action) {
    return access.allowed(caller, repository).contains(action);
  }

  ErrorCode code(AccessDeniedException e) {
    if (e.isThrottled()) {
      return ErrorCode.TOOMANYREQUESTS;
    }
    return e.unauthenticated() ? ErrorCode.UNAUTHORIZED : ErrorCode.DENIED;
  }

  /**
   * The detail of a plain denial: the refused actions. docker (20.10) reads a DENIED that has
   * neither a detail nor a message of its own as a bare code and retries the request five times,
   * with growing pauses, before giving up; with a detail it gives up at once. Nothing here says
   * whether the repository exists.
   */
  Object detail(AccessDeniedException e) {
    if (e.refused().isEmpty()) {
      return null;
    }
    return Map.of("refused", e.refused().stream().sorted().map(Action::scopeName).toList());
  }

  /** The challenge of a 401, pointing the client at this server's token endpoint. */
  void challenge(Exchange ex, AccessDeniedException e) {
    if (!e.unauthenticated() || access.tokens().isEmpty()) {
      return;
    }
    String tokenRealm = realm.orElseGet(() -> externalUrl.resolve(ex.request, "/token"));
    StringBuilder header = new StringBuilder("Bearer realm=\"").append(tokenRealm)
        .append("\",service=\"").append(access.tokens().get().service()).append('"');
    e.scope().ifPresent(scope -> header.append(",scope=\"").append(scope.text()).append('"'));
    ex.header(HttpHeader.WWW_AUTHENTICATE, header.toString());
  }
}
