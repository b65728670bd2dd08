package dev.berth.testing;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Digests computed independently of production code, as a client computes them. */
public final class Digests {
  private Digests() {}

  public static String sha256(byte[] content) {
    return "sha256:" + hex("SHA-256", content);
  }

  public static String sha512(byte[] content) {
    return "sha512:" + hex("SHA-512", content);
  }

  private static String hex(String algorithm, byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
