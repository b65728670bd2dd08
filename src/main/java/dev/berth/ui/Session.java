package dev.berth.ui;

import dev.berth.auth.Principal;
import java.time.Instant;

/**
 * One signed-in user's console session, during one request: the browser holds the random id, never
 * the principal, and the database the id's hash, never the id.
 *
 * @param csrfToken what every form that changes something must send back (see {@link CsrfGuard})
 * @param flash on a GET, what the form posted just before left to be shown, not yet shown: an
 *     encoded {@link Flash} (see {@link SessionStore#flash}); empty otherwise
 */
record Session(String id, Principal principal, String csrfToken, Instant expiresAt, String flash) {

  /** Who the audit log names for what this session does: the user, and where the request came from. */
  String actor(String remoteAddress) {
    return principal.name() + "@" + remoteAddress;
  }

  Session withFlash(String message) {
    return new Session(id, principal, csrfToken, expiresAt, message);
  }
}
