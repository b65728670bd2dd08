package dev.berth.ui;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Cross-site request forgery: every form that changes something carries the session's token in a
 * hidden field, and every POST must send it back. Another site can make a browser POST here, but it
 * cannot read the token. (The session cookie is SameSite=Strict as well; the token does not rely
 * on browsers honouring that.)
 */
final class CsrfGuard {
  static final String FIELD = "csrf";

  private CsrfGuard() {}

  static boolean accepts(Session session, Optional<String> presented) {
    return matches(session.csrfToken(), presented);
  }

  /** Constant-time, so the comparison's timing does not reveal how much of a guess was right. */
  static boolean matches(String expected, Optional<String> presented) {
    return presented.isPresent() && MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), presented.get().getBytes(StandardCharsets.UTF_8));
  }
}
