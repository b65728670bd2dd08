package dev.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.config.Settings;
import dev.berth.metadata.PolicyStore.StoredPolicy;
import dev.berth.server.BerthServer;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.RunningRegistry;
import dev.berth.testing.SharedPostgres;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several servers on one PostgreSQL database (READ COMMITTED), taking pushes into one namespace with
 * a quota at once: together they never leave its usage above the quota, and every push they refuse
 * is refused with 403 DENIED.
 */
class QuotaPostgresApiTest {
  private static final int REPLICAS = 3;

  @TempDir Path dir;

  @Test
  void concurrentPushesThroughSeveralReplicasNeverTogetherExceedTheQuota() throws Exception {
    Settings.Postgres database = new Settings.Postgres(SharedPostgres.newDatabase(), "postgres", "", 4);
    List<RegistryClient> replicas = new ArrayList<>();
    try {
      for (int i = 0; i < REPLICAS; i++) {
        replicas.add(RegistryClient.of(RunningRegistry.with(dir.resolve("replica-" + i)).database(database).start()));
      }
      try (BerthServer.Stores beside = BerthServer.Stores.open(replicas.getFirst().registry().settings())) {
        beside.metadata().policies().put(
            new StoredPolicy("race", "quota: " + QuotaRace.QUOTA + "B\n", Instant.EPOCH, "admin"));

        QuotaRace.Outcome outcome = QuotaRace.run(replicas, "race");

        assertThat(beside.metadata().usage().usage("race"))
            .isEqualTo(outcome.acceptedBytes()).isLessThanOrEqualTo(QuotaRace.QUOTA);
      }
    } finally {
      for (RegistryClient replica : replicas) {
        replica.close();
      }
    }
  }
}
