package dev.berth.auth;

import java.util.Optional;

/**
 * The caller may not do what it asked. {@code unauthenticated} means logging in could help (the
 * HTTP layer answers 401 with a challenge naming {@code scope}); otherwise it is a plain denial.
 * The message never says whether the repository exists.
 */
public final class AccessDeniedException extends RuntimeException {
  private final boolean unauthenticated;
  private final transient Optional<Scope> scope;
  private final boolean throttled;

  private AccessDeniedException(String message, boolean unauthenticated, Optional<Scope> scope, boolean throttled) {
    super(message, null, false, false);
    this.unauthenticated = unauthenticated;
    this.scope = scope;
    this.throttled = throttled;
  }

  public static AccessDeniedException loginRequired(Optional<Scope> scope) {
    return new AccessDeniedException("authentication required", true, scope, false);
  }

  public static AccessDeniedException badCredentials() {
    return new AccessDeniedException("invalid credentials", true, Optional.empty(), false);
  }

  public static AccessDeniedException denied() {
    return new AccessDeniedException("requested access to the resource is denied", false, Optional.empty(), false);
  }

  public static AccessDeniedException throttled() {
    return new AccessDeniedException("too many failed logins; try again later", false, Optional.empty(), true);
  }

  public boolean unauthenticated() {
    return unauthenticated;
  }

  public boolean isThrottled() {
    return throttled;
  }

  public Optional<Scope> scope() {
    return scope;
  }
}
