package dev.berth.metadata;

import java.time.Instant;
import java.util.Optional;

/**
 * Console sessions, in the database every replica shares. A session is known by the hash of its
 * token only: whoever reads the database cannot present it. A session whose user is removed goes
 * with the user.
 */
public interface ConsoleSessionStore {

  /**
   * @param tokenHash the SHA-256 of the token the browser holds, in hex
   * @param flash why the form posted last was refused, for the page it redirected to; empty when none
   */
  record SessionRecord(String tokenHash, String username, String csrfToken, Instant expiresAt, String flash) {}

  void create(SessionRecord session);

  /** The session with this token hash, unless it has expired by {@code now}. One indexed lookup. */
  Optional<SessionRecord> find(String tokenHash, Instant now);

  /** Moves the expiry of a session that has not expired by {@code now} to {@code expiresAt}. */
  void extend(String tokenHash, Instant expiresAt, Instant now);

  void delete(String tokenHash);

  /** Leaves the message for the next page the session loads. */
  void setFlash(String tokenHash, String message);

  /** Clears the session's message if it is still {@code shown}: one left since by another request stays. */
  void clearFlash(String tokenHash, String shown);

  /** Forgets the sessions that have expired by {@code now}; returns how many. */
  int deleteExpired(Instant now);
}
