package dev.berth.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.config.Settings;
import dev.berth.metadata.PolicyStore.StoredPolicy;
import dev.berth.server.BerthServer;
import dev.berth.testing.RunningRegistry;
import dev.berth.testing.SharedPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On PostgreSQL, where each manifest's delete locks its row: a combined delete takes an index and
 * the manifests it lists in one transaction, whatever order the form names them in, and an
 * immutable tag among them rolls every one of them back.
 */
class BulkDeletePostgresTest {
  private static final String ADMIN_PASSWORD = "admin-password-1";

  @TempDir Path dir;

  @Test
  void anIndexAndItsChildrenGoTogetherAndAnImmutableTagKeepsTheWholeSelection() throws Exception {
    Settings.Postgres database = new Settings.Postgres(SharedPostgres.newDatabase(), "postgres", "", 4);
    try (RunningRegistry registry = RunningRegistry.with(dir).auth(ADMIN_PASSWORD).database(database).start();
        BerthServer.Stores beside = BerthServer.Stores.open(registry.settings())) {
      beside.metadata().policies().put(new StoredPolicy("pinned",
          "immutable:\n  - repositories: [\"**\"]\n    tags: [\"v*\"]\n", Instant.EPOCH, "admin"));
      TestImages images = new TestImages(registry, "admin", ADMIN_PASSWORD);
      ConsoleClient client = new ConsoleClient(registry.uri("/"));
      assertThat(client.login("admin", ADMIN_PASSWORD).statusCode()).isEqualTo(303);

      String amd = images.push("multi/app", null, 900, Map.of());
      String arm = images.push("multi/app", null, 950, Map.of());
      String index = images.index("multi/app", "latest", List.of(amd, arm));
      // A child alone: the index that stays lists it.
      HttpResponse<String> deleted = client.submit("/ui/repository?name=multi/app", "/ui/delete/many",
          Map.of("repository", "multi/app", "digest", amd));
      assertThat(deleted.statusCode()).isEqualTo(303);
      assertThat(ConsoleTest.text(client.follow(deleted).body())).contains("Not deleted: an index in multi/app");
      // Children first: each waits for the index, deleted later in the same transaction.
      List<Map.Entry<String, String>> fields = List.of(
          Map.entry("csrf", ConsoleClient.csrfOf(client.get("/ui/repository?name=multi/app").body())),
          Map.entry("repository", "multi/app"), Map.entry("digest", amd), Map.entry("digest", arm),
          Map.entry("digest", index));
      HttpResponse<String> together = client.post("/ui/delete/many", fields);
      assertThat(together.headers().firstValue("Location")).hasValue("/ui/repository?name=multi%2Fapp&deleted=3&outcome=images");
      for (String digest : List.of(amd, arm, index)) {
        assertThat(images.manifestStatus("multi/app", digest)).isEqualTo(404);
      }

      String loose = images.push("pinned/app", "latest", 500, Map.of());
      String pinned = images.push("pinned/app", "v1", 600, Map.of());
      HttpResponse<String> refused = client.post("/ui/delete/many", List.of(
          Map.entry("csrf", ConsoleClient.csrfOf(client.get("/ui/repository?name=pinned/app").body())),
          Map.entry("repository", "pinned/app"), Map.entry("digest", loose), Map.entry("digest", pinned)));
      assertThat(ConsoleTest.text(client.follow(refused).body()))
          .contains("Not deleted: the image carries the immutable tag v1; it cannot be deleted (policy of namespace pinned");
      assertThat(images.manifestStatus("pinned/app", loose)).isEqualTo(200);
      assertThat(images.manifestStatus("pinned/app", "latest")).isEqualTo(200);
      assertThat(images.manifestStatus("pinned/app", pinned)).isEqualTo(200);
    }
  }
}
