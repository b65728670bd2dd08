package dev.berth.ui;

import dev.berth.auth.Principal;
import dev.berth.auth.SecretHash;
import dev.berth.metadata.ConsoleSessionStore;
import dev.berth.metadata.ConsoleSessionStore.SessionRecord;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Function;

/**
 * Console sessions, expiring after a period without requests, kept in the metadata database so
 * that every replica on it knows them and a restart signs nobody out. The database holds the hash
 * of a session's token, never the token; a session follows its user as stored now (see {@link
 * #find}).
 */
final class SessionStore {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int TOKEN_BYTES = 32;
  /**
   * A request writes the session's new expiry only when that moves it by more than this, so that
   * pages loaded in a row cost one write a minute rather than one each: a session then ends after
   * between the idle timeout less this and the idle timeout without requests.
   */
  static final Duration EXTENSION_STEP = Duration.ofMinutes(1);

  private final ConsoleSessionStore store;
  private final Duration idleTimeout;
  private final Clock clock;
  /** The user of that name as stored now; empty once removed. */
  private final Function<String, Optional<Principal>> users;

  SessionStore(ConsoleSessionStore store, Duration idleTimeout, Clock clock,
      Function<String, Optional<Principal>> users) {
    this.store = store;
    this.idleTimeout = idleTimeout;
    this.clock = clock;
    this.users = users;
  }

  /** 256 random bits, URL-safe: unguessable as a session id and as a CSRF token. */
  static String randomToken() {
    byte[] bytes = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  Session create(Principal principal) {
    Instant now = clock.instant();
    // Forgetting expired sessions here keeps the table bounded by the logins of one idle period.
    store.deleteExpired(now);
    Session session = new Session(randomToken(), principal, randomToken(), now.plus(idleTimeout), "");
    store.create(new SessionRecord(SecretHash.sha256(session.id()), principal.name(), session.csrfToken(),
        session.expiresAt(), ""));
    return session;
  }

  /**
   * The live session with this id, its expiry pushed back by this use, and with its user as stored
   * now: a role granted or taken away counts from the next request, and a removed user's session
   * ends. Its flash, if any, is left in place until {@link #takeFlash}.
   */
  Optional<Session> find(String id) {
    Instant now = clock.instant();
    String hash = SecretHash.sha256(id);
    Optional<SessionRecord> found = store.find(hash, now);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    SessionRecord row = found.get();
    // Removing a user removed its sessions too; this one was found just before.
    Optional<Principal> principal = users.apply(row.username());
    if (principal.isEmpty()) {
      return Optional.empty();
    }
    Instant expiresAt = now.plus(idleTimeout);
    if (row.expiresAt().isBefore(expiresAt.minus(EXTENSION_STEP))) {
      store.extend(hash, expiresAt, now);
    } else {
      expiresAt = row.expiresAt();
    }
    return Optional.of(new Session(id, principal.get(), row.csrfToken(), expiresAt, row.flash()));
  }

  void remove(String id) {
    store.delete(SecretHash.sha256(id));
  }

  /**
   * Post/redirect/get: a form's POST leaves why it was refused, or what it did, here and redirects
   * to a page, whose GET shows it once ({@link #takeFlash}), so reloading that page re-submits nothing.
   */
  void flash(Session session, String message) {
    store.setFlash(SecretHash.sha256(session.id()), message);
  }

  /** The session with the message a refused form left (empty when none), which no later page shows again. */
  Session takeFlash(Session session) {
    if (!session.flash().isEmpty()) {
      store.clearFlash(SecretHash.sha256(session.id()), session.flash());
    }
    return session;
  }
}
