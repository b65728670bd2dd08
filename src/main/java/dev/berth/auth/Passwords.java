package dev.berth.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;

/**
 * bcrypt, as Docker Registry's htpasswd files use it. Verification against an unknown user still
 * hashes, against a fixed dummy, so response time does not reveal which names exist.
 */
public final class Passwords {
  private static final int COST = 10;
  private static final String DUMMY = hash("not a password of anyone");

  private Passwords() {}

  public static String hash(String password) {
    return BCrypt.withDefaults().hashToString(COST, password.toCharArray());
  }

  public static boolean verify(String password, String hash) {
    // The verifier reads the version ($2a$, $2b$, $2y$) from the hash itself.
    return BCrypt.verifyer().verify(password.getBytes(StandardCharsets.UTF_8), hash.getBytes(StandardCharsets.UTF_8)).verified;
  }

  /** Spends the time a real check would, for a name that does not exist. */
  public static void verifyNothing(String password) {
    verify(password, DUMMY);
  }
}
