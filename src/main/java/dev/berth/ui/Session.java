package dev.berth.ui;

import dev.berth.auth.Principal;
import java.time.Instant;

/**
 * One signed-in user's console session, kept on the server only: the browser holds the random id,
 * never the principal.
 *
 * @param csrfToken what every form that changes something must send back (see {@link CsrfGuard})
 * @param flash on a GET, why the form posted just before was refused (see {@link SessionStore#flash});
 *     empty otherwise
 */
record Session(String id, Principal principal, String csrfToken, Instant expiresAt, String flash) {

  /** Who the audit log names for what this session does: the user, and where the request came from. */
  String actor(String remoteAddress) {
    return principal.name() + "@" + remoteAddress;
  }

  /** The same session for the principal as it is now (roles change while a session lives). */
  Session as(Principal current) {
    return new Session(id, current, csrfToken, expiresAt, flash);
  }

  Session withFlash(String message) {
    return new Session(id, principal, csrfToken, expiresAt, message);
  }
}
