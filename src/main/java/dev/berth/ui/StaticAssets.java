package dev.berth.ui;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

/**
 * The console's own stylesheet, script (copy buttons, confirmations; the policy allows no inline
 * script) and icon, read once from {@code ui-static/} on the classpath. Only the names
 * listed here are served, so a request path never becomes a resource path.
 */
final class StaticAssets {
  static final String PREFIX = "/ui/static/";

  record Asset(String contentType, byte[] bytes) {}

  private final Map<String, Asset> assets;

  StaticAssets() {
    assets = Map.of("console.css", load("console.css", "text/css; charset=utf-8"),
        "console.js", load("console.js", "text/javascript; charset=utf-8"),
        "favicon.svg", load("favicon.svg", "image/svg+xml"));
  }

  Optional<Asset> find(String path) {
    return Optional.ofNullable(assets.get(path.substring(PREFIX.length())));
  }

  private static Asset load(String name, String contentType) {
    try (InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream("ui-static/" + name)) {
      if (in == null) {
        throw new IllegalStateException("ui-static/" + name + " is missing from the classpath");
      }
      return new Asset(contentType, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
