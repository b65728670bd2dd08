package dev.berth.auth;

import dev.berth.metadata.AccessStore;
import dev.berth.oci.RepositoryName;
import java.time.Clock;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who may do what. Open (no {@code auth} section, as Docker Registry without auth): everyone may
 * do everything. Otherwise: a system admin may do everything; a user has the actions of its role
 * in the repository's namespace; a robot account those of its role in its one namespace; anyone,
 * even anonymous, may pull from a public namespace; an htpasswd user, as in Docker Registry, may
 * do everything. A caller with a bearer token may do exactly what the token grants.
 */
public final class AccessControl {
  /** htpasswd users and the local admin token act in every namespace. */
  static final String EVERY_NAMESPACE = "*";
  public static final String ROBOT_PREFIX = "robot$";

  private final boolean enabled;
  private final AccessStore store;
  private final Optional<Htpasswd> htpasswd;
  private final Optional<TokenService> tokens;
  private final LoginThrottle throttle;
  private final Clock clock;
  private final Permissions permissions;

  private AccessControl(boolean enabled, AccessStore store, Optional<Htpasswd> htpasswd, Optional<TokenService> tokens,
      LoginThrottle throttle, Clock clock) {
    this.enabled = enabled;
    this.store = store;
    this.permissions = new Permissions(store);
    this.htpasswd = htpasswd;
    this.tokens = tokens;
    this.throttle = throttle;
    this.clock = clock;
  }

  /** The console still signs users in, so logins are throttled as with access control on. */
  public static AccessControl open(AccessStore store, LoginThrottle throttle, Clock clock) {
    return new AccessControl(false, store, Optional.empty(), Optional.empty(), throttle, clock);
  }

  public static AccessControl enforcing(AccessStore store, Optional<Htpasswd> htpasswd, TokenService tokens,
      LoginThrottle throttle, Clock clock) {
    return new AccessControl(true, store, htpasswd, Optional.of(tokens), throttle, clock);
  }

  public boolean enabled() {
    return enabled;
  }

  public Optional<TokenService> tokens() {
    return tokens;
  }

  public Permissions permissions() {
    return permissions;
  }

  /**
   * Reads the {@code Authorization} header. No header: anonymous. Wrong credentials or an invalid
   * token: {@link AccessDeniedException} (401), never a silent downgrade to anonymous.
   */
  public Caller authenticate(Optional<String> authorization, String remoteAddress) {
    if (authorization.isEmpty() || authorization.get().isBlank()) {
      return Caller.ANONYMOUS;
    }
    String header = authorization.get().trim();
    if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
      String[] credentials = decodeBasic(header.substring(6).trim());
      return Caller.of(login(credentials[0], credentials[1], remoteAddress)
          .orElseThrow(AccessDeniedException::badCredentials));
    }
    if (header.regionMatches(true, 0, "Bearer ", 0, 7) && tokens.isPresent()) {
      TokenService.Verified verified = tokens.get().verify(header.substring(7).trim())
          .orElseThrow(AccessDeniedException::badCredentials);
      Principal principal = new Principal(verified.subject(), verified.kind(), false, Map.of());
      return new Caller(principal, Optional.of(verified));
    }
    throw AccessDeniedException.badCredentials();
  }

  private static String[] decodeBasic(String encoded) {
    try {
      String decoded = new String(Base64.getDecoder().decode(encoded), java.nio.charset.StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw AccessDeniedException.badCredentials();
      }
      return new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    } catch (IllegalArgumentException e) {
      throw AccessDeniedException.badCredentials();
    }
  }

  /** Checks a user name and password (or robot name and secret); throttled after repeated failures. */
  public Optional<Principal> login(String name, String password, String remoteAddress) {
    if (!throttle.allows(name, remoteAddress)) {
      throw AccessDeniedException.throttled();
    }
    Optional<Principal> principal = name.startsWith(ROBOT_PREFIX) ? robot(name, password) : user(name, password);
    if (principal.isEmpty()) {
      throttle.failed(name, remoteAddress);
    }
    return principal;
  }

  private Optional<Principal> user(String name, String password) {
    Optional<AccessStore.UserRecord> user = store.findUser(name);
    if (user.isPresent()) {
      if (!Passwords.verify(password, user.get().passwordHash())) {
        return Optional.empty();
      }
      return Optional.of(principalOf(user.get()));
    }
    Optional<String> htpasswdHash = htpasswd.flatMap(h -> h.hashOf(name));
    if (htpasswdHash.isPresent() && Passwords.verify(password, htpasswdHash.get())) {
      return Optional.of(new Principal(name, Principal.Kind.USER, false, Map.of(EVERY_NAMESPACE, Role.MAINTAINER)));
    }
    Passwords.verifyNothing(password);
    return Optional.empty();
  }

  /**
   * The user as stored now: roles granted or taken away since a console session began count at
   * once. Empty when the user was removed.
   */
  public Optional<Principal> currentUser(String name) {
    return store.findUser(name).map(this::principalOf);
  }

  private Principal principalOf(AccessStore.UserRecord user) {
    Map<String, Role> roles = new HashMap<>();
    store.rolesOf(user.name()).forEach((namespace, role) -> Role.parse(role).ifPresent(r -> roles.put(namespace, r)));
    return new Principal(user.name(), Principal.Kind.USER, user.systemAdmin(), roles);
  }

  private Optional<Principal> robot(String name, String secret) {
    Optional<AccessStore.RobotRecord> robot = store.findRobot(name);
    boolean usable = robot.isPresent() && robot.get().revokedAt().isEmpty()
        && robot.get().expiresAt().map(clock.instant()::isBefore).orElse(true);
    if (!usable) {
      Passwords.verifyNothing(secret);
      return Optional.empty();
    }
    if (!Passwords.verify(secret, robot.get().secretHash())) {
      return Optional.empty();
    }
    Role role = Role.parse(robot.get().role()).orElse(Role.GUEST);
    return Optional.of(new Principal(name, Principal.Kind.ROBOT, false, Map.of(robot.get().namespace(), role)));
  }

  /** What the caller may do to the repository now. */
  public Set<Action> allowed(Caller caller, RepositoryName repository) {
    if (!enabled) {
      return EnumSet.allOf(Action.class);
    }
    if (caller.token().isPresent()) {
      return caller.token().get().actionsOn(repository);
    }
    return allowed(caller.principal(), repository);
  }

  /** What the principal's roles allow, ignoring any token; the basis for issuing tokens. */
  public Set<Action> allowed(Principal principal, RepositoryName repository) {
    return enabled ? permissions.on(principal, repository) : EnumSet.allOf(Action.class);
  }

  /**
   * Throws unless the caller may do every one of {@code actions}. An anonymous caller is told to
   * log in (with the scope to ask for); an authenticated one is denied, in the same words whether
   * or not the repository exists.
   */
  public void require(Caller caller, RepositoryName repository, Set<Action> actions) {
    Set<Action> allowed = allowed(caller, repository);
    if (allowed.containsAll(actions)) {
      return;
    }
    if (caller.principal().isAnonymous()) {
      Set<Action> ask = EnumSet.of(Action.PULL);
      ask.addAll(actions);
      throw AccessDeniedException.loginRequired(Optional.of(new Scope(repository, ask)));
    }
    Set<Action> refused = EnumSet.copyOf(actions);
    refused.removeAll(allowed);
    throw AccessDeniedException.denied(refused);
  }

  /** GET /v2/ with auth on: any authenticated caller; anonymous callers are told to log in. */
  public void requireAuthenticated(Caller caller) {
    if (enabled && caller.principal().isAnonymous() && caller.token().isEmpty()) {
      throw AccessDeniedException.loginRequired(Optional.empty());
    }
  }

  /** A token for the requested scopes, each cut down to what the principal may do. */
  public String issueToken(Principal principal, List<Scope> requested) {
    TokenService service = tokens.orElseThrow(() -> new IllegalStateException("tokens need auth enabled"));
    List<Scope> granted = requested.stream()
        .map(scope -> {
          Set<Action> actions = EnumSet.noneOf(Action.class);
          actions.addAll(scope.actions());
          actions.retainAll(allowed(principal, scope.repository()));
          return new Scope(scope.repository(), actions);
        })
        .toList();
    return service.issue(principal, granted);
  }
}
