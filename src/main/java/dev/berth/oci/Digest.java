package dev.berth.oci;

import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A validated content digest such as {@code sha256:<64 lowercase hex>}. Once constructed, its hex
 * part is safe to use as a path component.
 */
public record Digest(DigestAlgorithm algorithm, String hex) implements Comparable<Digest> {

  private static final HexFormat HEX = HexFormat.of();

  public Digest {
    if (algorithm == null || hex == null) {
      throw new InvalidDigestException("digest is missing");
    }
    if (hex.length() != algorithm.hexLength() || !isLowerHex(hex)) {
      throw new InvalidDigestException(
          "invalid " + algorithm.prefix() + " digest: expected " + algorithm.hexLength() + " lowercase hex characters");
    }
  }

  /** Parses {@code algorithm:hex}; throws {@link InvalidDigestException} on anything else. */
  public static Digest parse(String text) {
    if (text == null || text.length() > 200) {
      throw new InvalidDigestException("invalid digest");
    }
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new InvalidDigestException("invalid digest: " + abbreviate(text));
    }
    String prefix = text.substring(0, colon);
    DigestAlgorithm algorithm = DigestAlgorithm.byPrefix(prefix)
        .orElseThrow(() -> new InvalidDigestException("unsupported digest algorithm: " + abbreviate(prefix)));
    return new Digest(algorithm, text.substring(colon + 1));
  }

  public static boolean isDigest(String text) {
    try {
      parse(text);
      return true;
    } catch (InvalidDigestException e) {
      return false;
    }
  }

  public static Digest of(MessageDigest finished, DigestAlgorithm algorithm) {
    return new Digest(algorithm, HEX.formatHex(finished.digest()));
  }

  public static Digest sha256(byte[] content) {
    MessageDigest md = DigestAlgorithm.SHA256.newMessageDigest();
    md.update(content);
    return of(md, DigestAlgorithm.SHA256);
  }

  public static Digest compute(DigestAlgorithm algorithm, byte[] content) {
    MessageDigest md = algorithm.newMessageDigest();
    md.update(content);
    return of(md, algorithm);
  }

  @Override
  public String toString() {
    return algorithm.prefix() + ":" + hex;
  }

  @Override
  public int compareTo(Digest o) {
    return toString().compareTo(o.toString());
  }

  private static boolean isLowerHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
