package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.config.Settings;
import dev.berth.metadata.DigestGuard;
import dev.berth.metadata.sql.PostgresDigestGuard;
import dev.berth.oci.Digest;
import dev.berth.registry.RegistrySettings;
import dev.berth.testing.SharedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * database.maxconnections is what one process opens on PostgreSQL, in all: the metadata pool and
 * the digest guard's together, however many requests want one at once.
 */
class StoresConnectionsTest {
  private static final int MAX_CONNECTIONS = 6;
  private static final String APPLICATION = "berth-connections-test";

  @TempDir Path root;

  @Test
  void theMetadataPoolAndTheDigestGuardTogetherStayWithinMaxConnections() throws Exception {
    String url = SharedPostgres.newDatabase() + "&ApplicationName=" + APPLICATION;
    Settings settings = new Settings("127.0.0.1", 0, Duration.ofSeconds(5), root, new Settings.LocalBlobs(), true,
        RegistrySettings.DEFAULT_MAX_MANIFEST_BYTES, new Settings.Postgres(url, "postgres", "", MAX_CONNECTIONS),
        "info", false, Settings.Gc.defaults(), true, Optional.empty(), Optional.empty(), Optional.empty());
    AtomicBoolean stop = new AtomicBoolean();
    int most = 0;
    try (BerthServer.Stores stores = BerthServer.Stores.open(settings)) {
      List<CompletableFuture<Void>> load = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        Digest digest = Digest.sha256(("digest " + i % 8).getBytes(StandardCharsets.UTF_8));
        load.add(CompletableFuture.runAsync(() -> {
          for (int round = 0; round < 200 && !stop.get(); round++) {
            try (DigestGuard.Held held = stores.guard().hold(digest)) {
              stores.metadata().manifests().listRepositories(Optional.empty(), 10);
            }
          }
        }, r -> Thread.ofPlatform().start(r)));
      }
      for (int sample = 0; sample < 100 && load.stream().anyMatch(f -> !f.isDone()); sample++) {
        most = Math.max(most, connections(url));
        Thread.sleep(20);
      }
      stop.set(true);
      CompletableFuture.allOf(load.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      most = Math.max(most, connections(url));
    }
    int metadataPool = MAX_CONNECTIONS - PostgresDigestGuard.connectionsOf(MAX_CONNECTIONS);
    assertThat(most).as("connections open at once: the metadata pool's, and some of the guard's")
        .isGreaterThan(metadataPool).isLessThanOrEqualTo(MAX_CONNECTIONS);
  }

  private static int connections(String url) throws Exception {
    try (Connection c = SharedPostgres.connect(url.replace(APPLICATION, "observer"));
        PreparedStatement count = c.prepareStatement(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
      count.setString(1, APPLICATION);
      try (ResultSet result = count.executeQuery()) {
        result.next();
        return result.getInt(1);
      }
    }
  }
}
