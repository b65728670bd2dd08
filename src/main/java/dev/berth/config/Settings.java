package dev.berth.config;

import java.nio.file.Path;
import java.time.Duration;

/** Validated configuration, ready to wire the server with. */
public record Settings(
    String host,
    int port,
    Duration drainTimeout,
    Path rootDirectory,
    boolean deleteEnabled,
    int maxManifestBytes,
    Database database,
    String logLevel,
    boolean accessLog) {

  public sealed interface Database permits Sqlite, Postgres {}

  public record Sqlite(Path file) implements Database {}

  public record Postgres(String url, String user, String password, int maxConnections) implements Database {}
}
