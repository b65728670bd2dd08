package dev.berth.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Docker Registry's {@code auth.htpasswd} file: {@code user:$2y$...} lines, bcrypt only. */
public final class Htpasswd {
  private final Map<String, String> hashes;

  private Htpasswd(Map<String, String> hashes) {
    this.hashes = Map.copyOf(hashes);
  }

  public static Htpasswd read(Path file) throws IOException {
    Map<String, String> hashes = new HashMap<>();
    int lineNumber = 0;
    for (String line : Files.readAllLines(file)) {
      lineNumber++;
      String trimmed = line.trim();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      int colon = trimmed.indexOf(':');
      String hash = colon < 0 ? "" : trimmed.substring(colon + 1);
      if (colon <= 0 || !hash.startsWith("$2")) {
        throw new IOException(file + ":" + lineNumber + ": only bcrypt entries (htpasswd -B) are supported");
      }
      hashes.put(trimmed.substring(0, colon), hash);
    }
    return new Htpasswd(hashes);
  }

  public Optional<String> hashOf(String user) {
    return Optional.ofNullable(hashes.get(user));
  }
}
