package dev.berth.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What the database keeps in place of a random secret (a console session's token) or of text it
 * should not hold in clear (the names and addresses of failed logins): its SHA-256, in hex. A
 * random token of 256 bits needs no salt and no slow hash: nothing can be guessed from its hash.
 */
public final class SecretHash {
  private SecretHash() {}

  public static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
