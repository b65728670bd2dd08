package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.config.Settings;
import dev.berth.registry.RegistrySettings;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A start that fails leaves nothing open: not the data directory's lock, not the stores opened beside it. */
class BerthServerTest {
  @TempDir Path root;

  private Settings settings(int port, Path database) {
    return new Settings("127.0.0.1", port, Duration.ofSeconds(5), root, new Settings.LocalBlobs(), true,
        RegistrySettings.DEFAULT_MAX_MANIFEST_BYTES, new Settings.Sqlite(database), "info", false,
        Settings.Gc.defaults(), true, Optional.empty(), Optional.empty(), Optional.empty());
  }

  private static boolean sqlitePoolThreadsAlive() {
    return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("berth-sqlite"));
  }

  @Test
  void storesOpenedWhileTheListenerFailsAreClosed() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Settings busy = settings(taken.getLocalPort(), root.resolve("berth/metadata.db"));
      assertThatThrownBy(() -> BerthServer.start(busy)).isInstanceOfSatisfying(StartFailure.class,
          e -> assertThat(e.reason()).isEqualTo(StartFailure.Reason.ADDRESS_IN_USE));
    }
    Instant deadline = Instant.now().plusSeconds(10);
    while (sqlitePoolThreadsAlive() && Instant.now().isBefore(deadline)) {
      Thread.sleep(20);
    }
    assertThat(sqlitePoolThreadsAlive()).as("the metadata pool was closed").isFalse();
    try (BerthServer server = BerthServer.start(settings(0, root.resolve("berth/metadata.db")))) {
      assertThat(server.port()).as("the data directory was released").isPositive();
    }
  }

  @Test
  void aMetadataStoreThatCannotOpenFailsTheStartAndReleasesTheDataDirectory() throws Exception {
    Path notADatabase = Files.createDirectories(root.resolve("a-directory.db"));
    assertThatThrownBy(() -> BerthServer.start(settings(0, notADatabase))).isInstanceOfSatisfying(StartFailure.class,
        e -> assertThat(e.reason()).isEqualTo(StartFailure.Reason.DATABASE_UNUSABLE));
    try (BerthServer server = BerthServer.start(settings(0, root.resolve("berth/metadata.db")))) {
      assertThat(server.port()).isPositive();
    }
  }
}
