package dev.berth.ui;

import dev.berth.auth.Principal;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Console sessions in memory, expiring after a period without requests. A restart signs everyone
 * out, which for an administrators' console is the safe side.
 */
final class SessionStore {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int TOKEN_BYTES = 32;

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  /** Per session id, the refusal a form's POST left for the page it redirected to. */
  private final Map<String, String> flashes = new ConcurrentHashMap<>();
  private final Duration idleTimeout;
  private final Clock clock;

  SessionStore(Duration idleTimeout, Clock clock) {
    this.idleTimeout = idleTimeout;
    this.clock = clock;
  }

  /** 256 random bits, URL-safe: unguessable as a session id and as a CSRF token. */
  static String randomToken() {
    byte[] bytes = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  Session create(Principal principal) {
    // Dropping expired sessions here keeps the map bounded by the logins of one idle period.
    sessions.values().removeIf(this::expired);
    flashes.keySet().retainAll(sessions.keySet());
    Session session = new Session(randomToken(), principal, randomToken(), clock.instant().plus(idleTimeout), "");
    sessions.put(session.id(), session);
    return session;
  }

  /** The live session with this id, its expiry pushed back by this use. */
  Optional<Session> find(String id) {
    Session found = sessions.get(id);
    if (found == null) {
      return Optional.empty();
    }
    if (expired(found)) {
      sessions.remove(id, found);
      return Optional.empty();
    }
    Session touched =
        new Session(found.id(), found.principal(), found.csrfToken(), clock.instant().plus(idleTimeout), "");
    sessions.replace(id, found, touched);
    return Optional.of(touched);
  }

  void remove(String id) {
    sessions.remove(id);
    flashes.remove(id);
  }

  /**
   * Post/redirect/get: a refused form's POST leaves why here and redirects to a page, whose GET
   * shows it once ({@link #takeFlash}), so reloading that page re-submits nothing.
   */
  void flash(Session session, String message) {
    flashes.put(session.id(), message);
  }

  /** The message a refused form left, removed as it is read; empty when there is none. */
  String takeFlash(Session session) {
    String message = flashes.remove(session.id());
    return message == null ? "" : message;
  }

  private boolean expired(Session session) {
    return !clock.instant().isBefore(session.expiresAt());
  }
}
