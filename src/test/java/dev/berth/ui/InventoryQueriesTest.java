package dev.berth.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.cleanup.Inventory;
import dev.berth.metadata.InventoryStore;
import dev.berth.metadata.ManifestRecord;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaType;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import dev.berth.testing.SharedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the console and the admin API read about storage, on both real databases: sizes per
 * repository (distinct linked blobs), images with their tags, referrers and index platforms,
 * totals, and storage samples.
 */
class InventoryQueriesTest {
  private static final RepositoryName APP = new RepositoryName("team/app");
  private static final RepositoryName BARE = new RepositoryName("team/bare");
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir
  static Path root;


  private static SqlMetadataStore open(String database) {
    Supplier<SqlMetadataStore> opener = switch (database) {
      case "sqlite" -> () -> SqlMetadataStore.sqlite(root.resolve("inventory.db"));
      default -> () -> SqlMetadataStore.postgres(SharedPostgres.newDatabase(), "postgres", "", 16);
    };
    return opener.get();
  }

  private static Digest blob(SqlMetadataStore store, RepositoryName repository, String name, long size) {
    Digest digest = Digest.sha256(name.getBytes(StandardCharsets.UTF_8));
    store.blobs().recordBlob(repository, digest, size, T0);
    return digest;
  }

  private static Digest manifest(SqlMetadataStore store, String payload, MediaType type, List<Digest> blobs,
      List<Digest> children, Optional<Digest> subject, Optional<String> artifactType, Map<String, String> annotations,
      Optional<String> tag, Instant at) throws Exception {
    byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
    Digest digest = Digest.sha256(bytes);
    store.manifests().putManifest(new ManifestRecord(APP, digest, type, bytes, blobs, children, subject, artifactType, annotations),
        tag.map(Tag::new), at);
    return digest;
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void sizesImagesAndTotals(String database) throws Exception {
    try (SqlMetadataStore store = open(database)) {
      Digest config = blob(store, APP, "config", 100);
      Digest layer = blob(store, APP, "layer", 200);
      Digest signature = blob(store, APP, "signature", 10);
      blob(store, BARE, "bare", 1000);
      String imagePayload = "{\"schemaVersion\":2,\"layers\":[\"image\"]}";
      Digest image = manifest(store, imagePayload, MediaType.OCI_MANIFEST, List.of(config, layer), List.of(),
          Optional.empty(), Optional.empty(), Map.of("note", "<b>pushed</b>"), Optional.of("v1"), T0);
      manifest(store, imagePayload, MediaType.OCI_MANIFEST, List.of(config, layer), List.of(), Optional.empty(),
          Optional.empty(), Map.of(), Optional.of("v2"), T0.plusSeconds(5));
      manifest(store, "{\"signature\":1}", MediaType.OCI_MANIFEST, List.of(signature), List.of(), Optional.of(image),
          Optional.of("application/vnd.example.sig"), Map.of(), Optional.empty(), T0.plusSeconds(10));
      Digest child = manifest(store, "{\"child\":1}", MediaType.OCI_MANIFEST, List.of(config), List.of(),
          Optional.empty(), Optional.empty(), Map.of(), Optional.empty(), T0.plusSeconds(20));
      String indexPayload = "{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"" + child
          + "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}}]}";
      Digest index = manifest(store, indexPayload, MediaType.OCI_INDEX, List.of(), List.of(child), Optional.empty(),
          Optional.empty(), Map.of(), Optional.of("multi"), T0.plusSeconds(30));

      List<InventoryStore.RepositoryUsage> usage = store.inventory().repositoryUsage();
      assertThat(usage).extracting(u -> u.name().value()).containsExactly("team/app", "team/bare");
      assertThat(usage.get(0).bytes()).isEqualTo(310);
      assertThat(usage.get(0).tags()).isEqualTo(3);
      assertThat(usage.get(0).manifests()).isEqualTo(4);
      assertThat(usage.get(0).lastPush()).hasValue(T0.plusSeconds(30));
      assertThat(usage.get(1).bytes()).isEqualTo(1000);
      assertThat(usage.get(1).lastPush()).isEmpty();

      Inventory inventory = new Inventory(store.inventory(), store.manifests(), store.collector(), store.history(), Clock.systemUTC());
      assertThat(inventory.repositories("BARE")).extracting(u -> u.name().value()).containsExactly("team/bare");
      List<Inventory.Image> images = inventory.images(APP).orElseThrow();
      assertThat(images).extracting(Inventory.Image::digest).containsExactly(index, image);
      Inventory.Image multi = images.get(0);
      assertThat(multi.platforms()).containsExactly("linux/arm64/v8");
      assertThat(multi.size()).isEqualTo(indexPayload.length() + "{\"child\":1}".length() + 100);
      Inventory.Image tagged = images.get(1);
      assertThat(tagged.tags()).extracting(Tag::value).containsExactly("v1", "v2");
      assertThat(tagged.size()).isEqualTo(imagePayload.length() + 300);
      assertThat(tagged.annotations()).containsEntry("note", "<b>pushed</b>");
      assertThat(tagged.referrers()).singleElement().satisfies(r -> {
        assertThat(r.artifactType()).isEqualTo("application/vnd.example.sig");
        assertThat(r.size()).isEqualTo("{\"signature\":1}".length() + 10);
      });
      assertThat(inventory.images(new RepositoryName("team/none"))).isEmpty();

      InventoryStore.StorageTotals totals = store.inventory().totals();
      assertThat(totals).isEqualTo(new InventoryStore.StorageTotals(1310, 4, 2, 4));

      store.inventory().recordStorageSample(new InventoryStore.StorageSample(T0, 5));
      store.inventory().recordStorageSample(new InventoryStore.StorageSample(T0, 6));
      store.inventory().recordStorageSample(new InventoryStore.StorageSample(T0.plusSeconds(60), 7));
      assertThat(store.inventory().storageSamples(T0.plusSeconds(1)))
          .containsExactly(new InventoryStore.StorageSample(T0.plusSeconds(60), 7));
      assertThat(store.inventory().storageSamples(T0)).extracting(InventoryStore.StorageSample::bytes).containsExactly(5L, 7L);
    }
  }
}
