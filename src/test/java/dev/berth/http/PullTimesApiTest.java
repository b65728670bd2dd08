package dev.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.testing.ManifestBuilder;
import dev.berth.testing.RegistryClient;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pull times over real HTTP: a manifest GET is remembered in memory and written in a batch (at the
 * latest when the server stops); a HEAD is not a pull.
 */
class PullTimesApiTest {

  @TempDir
  Path root;

  @Test
  void getsAreRecordedAtShutdownAndHeadsAreNot() throws Exception {
    Instant before = Instant.now();
    RegistryClient.PushedManifest pulled;
    RegistryClient.PushedManifest headed;
    RegistryClient.PushedManifest untouched;
    try (RegistryClient registry = RegistryClient.start(root, false)) {
      pulled = registry.pushImage("pull/app", "v1");
      headed = registry.pushImage("pull/app", "v2");
      untouched = registry.pushImage("pull/app", "v3");
      assertThat(registry.getManifest("pull/app", "v1", ManifestBuilder.OCI_MANIFEST).status()).isEqualTo(200);
      assertThat(registry.getManifest("pull/app", pulled.digest(), ManifestBuilder.OCI_MANIFEST).status())
          .isEqualTo(200);
      assertThat(registry.call("HEAD", "/v2/pull/app/manifests/v2")
          .header("Accept", ManifestBuilder.OCI_MANIFEST).send().status()).isEqualTo(200);
    }

    Map<Digest, Optional<Instant>> lastPulled = new HashMap<>();
    try (SqlMetadataStore store = SqlMetadataStore.sqlite(root.resolve("berth/metadata.db"))) {
      store.inventory().manifestsOf(RepositoryName.of("pull/app"))
          .forEach(m -> lastPulled.put(m.digest(), m.lastPulledAt()));
    }
    assertThat(lastPulled.get(Digest.parse(pulled.digest()))).hasValueSatisfying(at ->
        assertThat(at).isBetween(before, Instant.now()));
    assertThat(lastPulled.get(Digest.parse(headed.digest()))).isEmpty();
    assertThat(lastPulled.get(Digest.parse(untouched.digest()))).isEmpty();
  }
}
