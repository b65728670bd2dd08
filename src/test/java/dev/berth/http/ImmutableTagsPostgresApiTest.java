package dev.berth.http;

import static dev.berth.testing.ApiAssertions.assertError;
import static dev.berth.testing.ManifestBuilder.OCI_MANIFEST;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.config.Settings;
import dev.berth.metadata.PolicyStore.StoredPolicy;
import dev.berth.server.BerthServer;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.RegistryClient.PushedManifest;
import dev.berth.testing.RunningRegistry;
import dev.berth.testing.SharedPostgres;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server on PostgreSQL honours a namespace's immutable tags from its next request after another
 * process on the database set the policy, and stops once it is removed: nothing of it is held in memory.
 */
class ImmutableTagsPostgresApiTest {
  private static final String POLICY = """
      immutable:
        - repositories: ["**"]
          tags: ["v*.*.*"]
      """;

  @TempDir Path dir;

  @Test
  void aPolicySetOrRemovedBesideTheServerHoldsAtItsNextRequest() throws Exception {
    Settings.Postgres database = new Settings.Postgres(SharedPostgres.newDatabase(), "postgres", "", 4);
    try (RegistryClient registry = RegistryClient.of(
            RunningRegistry.with(dir).deleteEnabled(true).database(database).start());
        BerthServer.Stores beside = BerthServer.Stores.open(registry.registry().settings())) {
      String repo = "locked/app";
      PushedManifest first = registry.pushImage(repo, "v1.0.0");
      PushedManifest second = registry.pushImage(repo, "v1.0.0");

      beside.metadata().policies().put(new StoredPolicy("locked", POLICY, Instant.EPOCH, "admin"));
      JsonNode error = assertError(registry.putManifest(repo, "v1.0.0", OCI_MANIFEST, first.bytes()), 403, "DENIED");
      assertThat(error.path("message").asText()).isEqualTo("tag v1.0.0 is immutable and points at " + second.digest()
          + "; a push cannot move it (policy of namespace locked, immutable[0]: repositories [**], tags [v*.*.*])");

      assertThat(beside.metadata().policies().remove("locked")).isTrue();
      registry.pushManifest(repo, "v1.0.0", OCI_MANIFEST, first.bytes());
      assertThat(registry.getManifest(repo, "v1.0.0", OCI_MANIFEST).body()).isEqualTo(first.bytes());
    }
  }
}
