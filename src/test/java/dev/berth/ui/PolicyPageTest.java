package dev.berth.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.auth.Users;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.testing.RunningRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy page of a namespace: the editor refusing an invalid document with every problem and
 * the text kept, a preview of the edited document per repository that saves and deletes nothing,
 * saving, a confirmed run and its decisions, and who may open it.
 */
class PolicyPageTest {
  private static final String ADMIN_PASSWORD = "admin-password-1";
  private static final String PASSWORD = "password-123";
  private static final String KEEP_ONE = """
      retention:
        rules:
          - repositories: ["**"]
            tags: ["v*"]
            keep: { mostRecentlyPushed: 1 }
      """;

  @TempDir
  static Path root;

  static RunningRegistry registry;
  static SqlMetadataStore store;
  static TestImages images;
  /** shop/app's images, oldest first; look/app's, which only previews see. */
  static final List<String> digests = new ArrayList<>();
  static final List<String> previewed = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    registry = RunningRegistry.startWithAuth(root, ADMIN_PASSWORD);
    store = SqlMetadataStore.sqlite(root.resolve("berth/metadata.db"));
    Users users = new Users(store.access(), Clock.systemUTC());
    users.add("owner", PASSWORD, false);
    users.add("dev", PASSWORD, false);
    store.access().setRole("shop", "owner", "admin");
    store.access().setRole("look", "owner", "admin");
    store.access().setRole("lock", "owner", "admin");
    store.access().setRole("shop", "dev", "developer");
    images = new TestImages(registry, "admin", ADMIN_PASSWORD);
    for (String tag : List.of("v1", "v2", "v3")) {
      digests.add(images.push("shop/app", tag, 3000, Map.of()));
      previewed.add(images.push("look/app", tag, 3000, Map.of()));
      Thread.sleep(5);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    store.close();
    registry.close();
  }

  private static ConsoleClient as(String user, String password) throws Exception {
    ConsoleClient client = new ConsoleClient(registry.uri("/"));
    assertThat(client.login(user, password).statusCode()).isEqualTo(303);
    return client;
  }

  @Test
  void anInvalidDocumentIsRefusedWithEveryProblemAndTheTextKept() throws Exception {
    ConsoleClient owner = as("owner", PASSWORD);
    String typed = "retention:\n  rules:\n    - repositories: [\"a//b\"]\n      tags: [\"v*\"]\n"
        + "      keep: { mostRecentlyPushed: -1 }\nquota: 20GB\n";
    HttpResponse<String> refused = owner.submit("/ui/policy?namespace=shop", "/ui/policy",
        Map.of("namespace", "shop", "document", typed, "action", "save"));

    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).contains("The policy is invalid; nothing was saved")
        .contains("retention.rules[0].repositories[0]").contains("retention.rules[0].keep").contains("quota: invalid size")
        .contains("quota: 20GB");
    assertThat(store.policies().find("shop")).isEmpty();
  }

  @Test
  void aPreviewShowsPerRepositoryWhatTheEditedDocumentKeepsAndDeletesAndChangesNothing() throws Exception {
    ConsoleClient owner = as("owner", PASSWORD);
    HttpResponse<String> preview = owner.submit("/ui/policy?namespace=look", "/ui/policy",
        Map.of("namespace", "look", "document", KEEP_ONE, "action", "preview"));

    assertThat(preview.statusCode()).isEqualTo(200);
    String page = preview.body();
    assertThat(page).contains("Preview of the document above (nothing was saved or deleted)")
        .contains("<h3>look/app</h3>").contains("1 kept, 2 would be deleted; the next GC would free")
        .contains("retention dry run: 3 images, 1 kept, 2 would be deleted");
    assertThat(page.split("would delete</td>", -1)).hasSize(3);
    assertThat(page).contains("<code>retention.rules[0]</code>").contains("not among the 1 most recently pushed");
    assertThat(page).contains(previewed.get(2).substring(7, 19)).contains(previewed.get(0).substring(7, 19));
    assertThat(store.policies().find("look")).isEmpty();
    assertThat(store.manifests().findManifest(dev.berth.oci.RepositoryName.of("look/app"),
        dev.berth.oci.Digest.parse(previewed.get(0)))).isPresent();
  }

  @Test
  void savingThenAConfirmedRunDeletesAndItsPageListsTheDecisions() throws Exception {
    ConsoleClient owner = as("owner", PASSWORD);
    HttpResponse<String> saved = owner.submit("/ui/policy?namespace=shop", "/ui/policy",
        Map.of("namespace", "shop", "document", "# keep the newest\n" + KEEP_ONE, "action", "save"));
    String page = owner.follow(saved).body();
    assertThat(page).contains("Policy set by owner at").contains("# keep the newest");

    HttpResponse<String> unconfirmed = owner.submit("/ui/policy?namespace=shop", "/ui/policy/run",
        Map.of("namespace", "shop"));
    assertThat(owner.follow(unconfirmed).body()).contains("Tick the box to confirm the run");

    HttpResponse<String> started = owner.submit("/ui/policy?namespace=shop", "/ui/policy/run",
        Map.of("namespace", "shop", "confirm", "on"));
    assertThat(started.headers().firstValue("Location").orElseThrow()).startsWith("/ui/retention/run?id=");
    String run = owner.follow(started).body();
    for (int i = 0; i < 50 && run.contains("<strong id=\"status\">running</strong>"); i++) {
      Thread.sleep(100);
      run = owner.follow(started).body();
    }
    assertThat(run).contains("<strong id=\"status\">succeeded</strong>").contains("(console)")
        .contains("retention: ").contains("2 deleted");
    assertThat(store.manifests().findManifest(dev.berth.oci.RepositoryName.of("shop/app"),
        dev.berth.oci.Digest.parse(digests.get(0)))).isEmpty();
    assertThat(owner.get("/ui/policy?namespace=shop").body()).contains("id=\"retention-runs\"")
        .contains("<td>console</td>");
  }

  @Test
  void theRepositoryPageShowsALockNamingTheRuleOnImmutableTagsAndNoDeleteLink() throws Exception {
    images.push("lock/app", "v1.0.0", 1000, Map.of());
    images.push("lock/app", "dev", 1000, Map.of());
    ConsoleClient owner = as("owner", PASSWORD);
    owner.submit("/ui/policy?namespace=lock", "/ui/policy", Map.of("namespace", "lock",
        "document", "immutable:\n  - repositories: [\"**\"]\n    tags: [\"v*.*.*\"]\n", "action", "save"));

    String page = owner.get("/ui/repository?name=lock%2Fapp").body();

    assertThat(page).contains("v1.0.0 <span class=\"lock\" role=\"img\" aria-label=\"immutable (immutable[0])\"")
        .doesNotContain("aria-label=\"delete tag v1.0.0\"").contains("aria-label=\"delete tag dev\"");
  }

  @Test
  void onlyWhoManagesTheNamespaceOpensIt() throws Exception {
    assertThat(as("dev", PASSWORD).get("/ui/policy?namespace=shop").statusCode()).isEqualTo(403);
    assertThat(as("dev", PASSWORD).get("/ui/policy?namespace=elsewhere").statusCode()).isEqualTo(404);
    assertThat(as("admin", ADMIN_PASSWORD).get("/ui/policy?namespace=shop").statusCode()).isEqualTo(200);
    assertThat(as("owner", PASSWORD).get("/ui/policy?namespace=Not%2FOne").statusCode()).isEqualTo(400);
    assertThat(as("owner", PASSWORD).get("/ui/namespace?name=shop").body())
        .contains("href=\"/ui/policy?namespace=shop\"");
  }
}
