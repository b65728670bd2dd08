package dev.berth.ui;

import dev.berth.auth.Principal;
import java.time.Instant;

/**
 * One signed-in administrator's console session, kept on the server only: the browser holds the
 * random id, never the principal.
 *
 * @param csrfToken what every form that changes something must send back (see {@link CsrfGuard})
 */
record Session(String id, Principal principal, String csrfToken, Instant expiresAt) {

  /** Who the audit log names for what this session does: the user, and where the request came from. */
  String actor(String remoteAddress) {
    return principal.name() + "@" + remoteAddress;
  }
}
