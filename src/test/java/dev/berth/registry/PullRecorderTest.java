package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.metadata.InProcessDigestGuard;
import dev.berth.metadata.InventoryStore;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.oci.Reference;
import dev.berth.oci.RepositoryName;
import dev.berth.storage.fs.FilesystemBlobStore;
import dev.berth.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pull times reach the database on the recorder's period, while the server keeps running. */
class PullRecorderTest {
  private static final RepositoryName REPO = RepositoryName.of("team/app");

  @TempDir
  Path dir;

  @Test
  void pullsAreWrittenEveryPeriodWithTheLatestTime() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    try (SqlMetadataStore metadata = SqlMetadataStore.sqlite(dir.resolve("m.db"))) {
      Registry registry = Registry.create(metadata, new FilesystemBlobStore(dir.resolve("b")),
          new InProcessDigestGuard(), new RegistrySettings(true, RegistrySettings.DEFAULT_MAX_MANIFEST_BYTES), clock);
      byte[] index = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}"
          .getBytes(StandardCharsets.UTF_8);
      Manifests.Pushed pushed = registry.manifests().put(REPO, Reference.parse("v1"), Optional.empty(), index, "alice");
      try (PullRecorder pulls = registry.pulls().start(Duration.ofMillis(20))) {
        clock.advance(Duration.ofMinutes(1));
        registry.manifests().pulled(REPO, pushed.digest());
        clock.advance(Duration.ofMinutes(1));
        registry.manifests().pulled(REPO, pushed.digest());
        awaitLastPull(metadata.inventory(), clock.instant());

        clock.advance(Duration.ofMinutes(1));
        registry.manifests().pulled(REPO, pushed.digest());
        awaitLastPull(metadata.inventory(), clock.instant());
      }
    }
  }

  private static void awaitLastPull(InventoryStore store, Instant expected) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(10);
    Optional<Instant> last = Optional.empty();
    while (Instant.now().isBefore(deadline)) {
      last = store.manifestsOf(REPO).getFirst().lastPulledAt();
      if (last.equals(Optional.of(expected))) {
        return;
      }
      Thread.sleep(10);
    }
    assertThat(last).hasValue(expected);
  }
}
