package dev.berth.auth;

import java.util.Optional;
import java.util.Set;

/**
 * The caller may not do what it asked. {@code unauthenticated} means logging in could help (the
 * HTTP layer answers 401 with a challenge naming {@code scope}); otherwise it is a plain denial.
 * The message never says whether the repository exists.
 */
public final class AccessDeniedException extends RuntimeException {
  private final boolean unauthenticated;
  private final transient Optional<Scope> scope;
  private final boolean throttled;
  private final transient Set<Action> refused;

  private AccessDeniedException(String message, boolean unauthenticated, Optional<Scope> scope, boolean throttled,
      Set<Action> refused) {
    super(message, null, false, false);
    this.unauthenticated = unauthenticated;
    this.scope = scope;
    this.throttled = throttled;
    this.refused = Set.copyOf(refused);
  }

  public static AccessDeniedException loginRequired(Optional<Scope> scope) {
    return new AccessDeniedException("authentication required", true, scope, false, Set.of());
  }

  public static AccessDeniedException badCredentials() {
    return new AccessDeniedException("invalid credentials", true, Optional.empty(), false, Set.of());
  }

  /** An authenticated caller may not do the {@code refused} actions. */
  public static AccessDeniedException denied(Set<Action> refused) {
    return new AccessDeniedException("requested access to the resource is denied", false, Optional.empty(), false,
        refused);
  }

  public static AccessDeniedException throttled() {
    return new AccessDeniedException("too many failed logins; try again later", false, Optional.empty(), true,
        Set.of());
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

  /** What a plain denial refused; empty for the other kinds. */
  public Set<Action> refused() {
    return refused;
  }
}
