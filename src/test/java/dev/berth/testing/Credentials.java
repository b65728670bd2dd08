package dev.berth.testing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** {@code Authorization} header values, as clients send them. */
public final class Credentials {
  private Credentials() {}

  public static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
