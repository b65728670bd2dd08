package dev.berth.ui;

import static dev.berth.ui.ConsoleTest.finished;
import static dev.berth.ui.ConsoleTest.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.auth.Users;
import dev.berth.metadata.PolicyStore.StoredPolicy;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.testing.RunningRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deleting several images of a repository at once from its page: the images picked, every
 * untagged one, or the whole repository, each after one combined preview whose figures the
 * registry's API and a following collection bear out, through the registry's audited delete, all or
 * nothing.
 */
class BulkDeleteTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ADMIN_PASSWORD = "admin-password-1";
  private static final String PASSWORD = "password-123";
  private static final Pattern HIDDEN_DIGEST = Pattern.compile("name=\"digest\" value=\"([^\"]+)\"");

  @TempDir
  static Path root;

  static RunningRegistry registry;
  static SqlMetadataStore store;
  static TestImages images;

  @BeforeAll
  static void start() throws Exception {
    registry = RunningRegistry.startWithAuth(root, ADMIN_PASSWORD);
    store = SqlMetadataStore.sqlite(root.resolve("berth/metadata.db"));
    new Users(store.access(), Clock.systemUTC()).add("dev", PASSWORD, false);
    store.access().setRole("team", "dev", "developer");
    store.policies().put(new StoredPolicy("locked", "immutable:\n  - repositories: [\"**\"]\n    tags: [\"v*\"]\n",
        Instant.EPOCH, "admin"));
    images = new TestImages(registry, "admin", ADMIN_PASSWORD);
  }

  @AfterAll
  static void stop() throws Exception {
    store.close();
    registry.close();
  }

  private static ConsoleClient signIn(String user, String password) throws Exception {
    ConsoleClient client = new ConsoleClient(registry.uri("/"));
    assertThat(client.login(user, password).statusCode()).isEqualTo(303);
    return client;
  }

  private static String selection(String repository, String... digests) {
    StringBuilder path = new StringBuilder("/ui/delete/many?repository=" + ConsoleClient.encode(repository));
    for (String digest : digests) {
      path.append("&digest=").append(ConsoleClient.encode(digest));
    }
    return path.toString();
  }

  /** Submits the preview's form as the browser does: its hidden fields, each digest among them. */
  private static HttpResponse<String> confirm(ConsoleClient client, String preview) throws Exception {
    List<Map.Entry<String, String>> fields = new ArrayList<>();
    fields.add(Map.entry("csrf", ConsoleClient.csrfOf(preview)));
    Matcher repository = Pattern.compile("name=\"repository\" value=\"([^\"]+)\"").matcher(preview);
    assertThat(repository.find()).as(preview).isTrue();
    fields.add(Map.entry("repository", repository.group(1)));
    Matcher scope = Pattern.compile("name=\"scope\" value=\"([^\"]+)\"").matcher(preview);
    assertThat(scope.find()).as(preview).isTrue();
    fields.add(Map.entry("scope", scope.group(1)));
    Matcher digest = HIDDEN_DIGEST.matcher(preview);
    while (digest.find()) {
      fields.add(Map.entry("digest", digest.group(1)));
    }
    return client.post("/ui/delete/many", fields);
  }

  private static long bytesFreedByAGc(ConsoleClient client) throws Exception {
    String run = finished(client, client.submit("/ui/gc", "/ui/gc", Map.of("mode", "real", "grace", "0s")));
    Matcher freed = Pattern.compile("<strong id=\"freed\">(?:[^<(]*\\()?(\\d+) bytes").matcher(run);
    assertThat(freed.find()).as(run).isTrue();
    return Long.parseLong(freed.group(1));
  }

  private static long previewBytes(String text, String sentence) {
    Matcher m = Pattern.compile(Pattern.quote(sentence) + " (?:[\\d.]+ \\w+ \\()?(\\d+) bytes").matcher(text);
    assertThat(m.find()).as(text).isTrue();
    return Long.parseLong(m.group(1));
  }

  @Test
  void twoSelectedImagesSharingALayerGoTogetherAndFreeWhatNeitherPreviewAloneWouldCount() throws Exception {
    ConsoleClient client = signIn("admin", ADMIN_PASSWORD);
    // The same tag twice: the same layer (seeded by repository and tag) under two configs; the
    // first push ends up untagged.
    String first = images.push("bulk/app", "x", "{\"os\":\"linux\",\"architecture\":\"amd64\",\"n\":1}", 4000, Map.of());
    String second = images.push("bulk/app", "x", "{\"os\":\"linux\",\"architecture\":\"amd64\",\"n\":2}", 4000, Map.of());
    images.tag("bulk/app", second, "y");
    String stays = images.push("bulk/app", "stays", 3000, Map.of());
    bytesFreedByAGc(client);

    String page = client.get("/ui/repository?name=bulk/app").body();
    assertThat(page).contains("<form method=\"get\" action=\"/ui/delete/many\">")
        .contains("<input type=\"checkbox\" name=\"digest\" value=\"" + first + "\" aria-label=\"select image " + first + "\">");
    String preview = client.get(selection("bulk/app", first, second)).body();
    String words = text(preview);
    assertThat(words).contains("Delete 2 selected images of bulk/app?").contains("The delete removes 2 tags with the images.")
        .contains(first + " untagged").contains(second + " x, y").doesNotContain(stays);
    long combined = previewBytes(words, "The next garbage collection frees");
    long alone = 0;
    for (String digest : List.of(first, second)) {
      alone += JSON.readTree(images.admin("/api/v1/repositories/bulk/app/manifests/" + digest + "/delete-preview").body())
          .path("bytesFreed").asLong();
    }
    assertThat(combined).as("the shared layer counts once both images go").isGreaterThan(alone + 4000 - 1);

    HttpResponse<String> deleted = confirm(client, preview);
    assertThat(deleted.statusCode()).isEqualTo(303);
    assertThat(deleted.headers().firstValue("Location")).hasValue("/ui/repository?name=bulk%2Fapp&deleted=2&outcome=images");
    assertThat(text(client.follow(deleted).body())).contains("Deleted 2 images. Their bytes come back with the next garbage collection.");
    assertThat(images.manifestStatus("bulk/app", first)).isEqualTo(404);
    assertThat(images.manifestStatus("bulk/app", second)).isEqualTo(404);
    assertThat(images.manifestStatus("bulk/app", "x")).isEqualTo(404);
    assertThat(images.manifestStatus("bulk/app", "stays")).isEqualTo(200);
    JsonNode audit = JSON.readTree(images.admin("/api/v1/audit").body()).path("entries");
    for (String digest : List.of(first, second)) {
      assertThat(audit).anySatisfy(entry -> {
        assertThat(entry.path("action").asText()).isEqualTo("manifest.delete");
        assertThat(entry.path("target").asText()).isEqualTo("bulk/app@" + digest);
      });
    }
    assertThat(bytesFreedByAGc(client)).isEqualTo(combined);
  }

  @Test
  void everyUntaggedImageGoesAfterAPreviewListingOnlyThose() throws Exception {
    ConsoleClient client = signIn("admin", ADMIN_PASSWORD);
    String a = images.push("untagged/app", null, 1100, Map.of());
    String b = images.push("untagged/app", null, 1200, Map.of());
    String tagged = images.push("untagged/app", "v1", 1300, Map.of());
    assertThat(client.get("/ui/repository?name=untagged/app").body())
        .contains("href=\"/ui/delete/many?repository=untagged%2Fapp&amp;scope=untagged\"");

    String preview = client.get("/ui/delete/many?repository=untagged/app&scope=untagged").body();
    assertThat(text(preview)).contains("Delete every untagged image of untagged/app (2)?").contains(a).contains(b)
        .doesNotContain(tagged).doesNotContain("The delete removes");
    HttpResponse<String> deleted = confirm(client, preview);
    assertThat(text(client.follow(deleted).body())).contains("Deleted 2 images.");
    assertThat(images.manifestStatus("untagged/app", a)).isEqualTo(404);
    assertThat(images.manifestStatus("untagged/app", b)).isEqualTo(404);
    assertThat(images.manifestStatus("untagged/app", tagged)).isEqualTo(200);

    HttpResponse<String> none = client.get("/ui/delete/many?repository=untagged/app&scope=untagged");
    assertThat(none.statusCode()).isEqualTo(303);
    assertThat(text(client.follow(none).body())).contains("untagged/app has no untagged images.");
  }

  @Test
  void aWholeRepositoryGoesIndexChildrenAndReferrersTogetherAndACollectionThenRemovesIt() throws Exception {
    ConsoleClient client = signIn("admin", ADMIN_PASSWORD);
    String amd = images.push("whole/app", null, 2100, Map.of());
    String arm = images.push("whole/app", null, 2200, Map.of());
    String index = images.index("whole/app", "multi", List.of(amd, arm));
    String signature = images.referrer("whole/app", index, "application/vnd.example.signature", 300);
    bytesFreedByAGc(client);

    String preview = client.get("/ui/delete/many?repository=whole/app&scope=repository").body();
    String words = text(preview);
    assertThat(words).contains("Delete repository whole/app?").contains("Deleted: 4 manifests")
        .contains(index + " multi").contains(amd).contains(arm).contains(signature)
        .doesNotContain("referrer stays").doesNotContain("Left untagged");
    long freed = previewBytes(words, "The next garbage collection frees");
    assertThat(freed).isGreaterThan(2100 + 2200 + 300);

    HttpResponse<String> deleted = confirm(client, preview);
    assertThat(deleted.headers().firstValue("Location")).hasValue("/ui/repository?name=whole%2Fapp&deleted=whole%2Fapp&outcome=repository");
    assertThat(text(client.follow(deleted).body())).contains("Deleted every image of whole/app.").contains("No images.");
    for (String digest : List.of(index, amd, arm, signature)) {
      assertThat(images.manifestStatus("whole/app", digest)).as(digest).isEqualTo(404);
    }
    assertThat(bytesFreedByAGc(client)).isEqualTo(freed);
    assertThat(client.get("/ui/repository?name=whole/app").statusCode()).isEqualTo(404);
  }

  @Test
  void thePreviewSetsAsideImagesWithAnImmutableTagNamingTheRuleAndDeletesTheRest() throws Exception {
    ConsoleClient client = signIn("admin", ADMIN_PASSWORD);
    String loose = images.push("locked/app", "latest", 500, Map.of());
    String pinned = images.push("locked/app", "v1", 600, Map.of());
    String preview = client.get(selection("locked/app", loose, pinned)).body();

    assertThat(text(preview)).contains("1 of these images carries an immutable tag and cannot be deleted; they stay,"
        + " and the delete below leaves them out: " + pinned + ": tag v1 is immutable (policy of namespace locked,"
        + " immutable[0])").contains("Delete 1 manifest");
    List<String> offered = new ArrayList<>();
    Matcher digest = HIDDEN_DIGEST.matcher(preview);
    while (digest.find()) {
      offered.add(digest.group(1));
    }
    assertThat(offered).containsExactly(loose);

    HttpResponse<String> deleted = confirm(client, preview);
    assertThat(deleted.statusCode()).isEqualTo(303);
    assertThat(images.manifestStatus("locked/app", loose)).isEqualTo(404);
    assertThat(images.manifestStatus("locked/app", pinned)).isEqualTo(200);
  }

  @Test
  void aSelectionOfImmutablyTaggedImagesOnlyIsRefusedAndAForcedDeleteChangesNothing() throws Exception {
    ConsoleClient client = signIn("admin", ADMIN_PASSWORD);
    String loose = images.push("locked/web", "latest", 500, Map.of());
    String pinned = images.push("locked/web", "v2", 600, Map.of());

    HttpResponse<String> onlyPinned = client.get(selection("locked/web", pinned));
    assertThat(onlyPinned.statusCode()).isEqualTo(303);
    assertThat(text(client.follow(onlyPinned).body())).contains("Nothing to delete: every one of those images carries"
        + " an immutable tag of the namespace's policy");

    // A form posted around the preview meets the registry's own refusal: all or nothing.
    HttpResponse<String> forced = client.submit("/ui/repository?name=locked/web", "/ui/delete/many",
        Map.of("repository", "locked/web", "digest", pinned));
    String page = text(client.follow(forced).body());
    assertThat(page).contains("Not deleted: the image carries the immutable tag v2; it cannot be deleted"
        + " (policy of namespace locked, immutable[0]: repositories [**], tags [v*]). Nothing was deleted.");
    assertThat(images.manifestStatus("locked/web", loose)).isEqualTo(200);
    assertThat(images.manifestStatus("locked/web", pinned)).isEqualTo(200);
  }

  @Test
  void imagesAnIndexThatStaysListsAreOfferedNoDeleteAndAForcedOneChangesNothing() throws Exception {
    ConsoleClient client = signIn("admin", ADMIN_PASSWORD);
    String child = images.push("keptidx/app", null, 700, Map.of());
    String other = images.push("keptidx/app", "other", 800, Map.of());
    String index = images.index("keptidx/app", "multi", List.of(child));

    String preview = client.get(selection("keptidx/app", child, other)).body();
    assertThat(text(preview)).contains("An index that stays lists some of these images (" + index + ")")
        .contains("listed by " + index);
    assertThat(preview).doesNotContain("action=\"/ui/delete/many\"");

    HttpResponse<String> forced = client.submit("/ui/repository?name=keptidx/app", "/ui/delete/many",
        Map.of("repository", "keptidx/app", "digest", child));
    assertThat(text(client.follow(forced).body())).contains("Not deleted: an index in keptidx/app lists this image ("
        + index + "): delete the index first. Nothing was deleted.");
    assertThat(images.manifestStatus("keptidx/app", child)).isEqualTo(200);
    assertThat(images.manifestStatus("keptidx/app", other)).isEqualTo(200);

    // With the index selected too, it goes first and its child after it.
    HttpResponse<String> together = confirm(client, client.get(selection("keptidx/app", child, index)).body());
    assertThat(together.statusCode()).isEqualTo(303);
    assertThat(images.manifestStatus("keptidx/app", child)).isEqualTo(404);
    assertThat(images.manifestStatus("keptidx/app", index)).isEqualTo(404);
  }

  @Test
  void aDeveloperSeesNoBoxesAndIsRefusedAndAFormWithoutTheTokenChangesNothing() throws Exception {
    String digest = images.push("team/bulk", "v1", 400, Map.of());
    ConsoleClient dev = signIn("dev", PASSWORD);
    assertThat(dev.get("/ui/repository?name=team/bulk").body()).doesNotContain("type=\"checkbox\"")
        .doesNotContain("/ui/delete/many");
    assertThat(dev.get(selection("team/bulk", digest)).statusCode()).isEqualTo(403);
    assertThat(dev.submit("/ui/repository?name=team/bulk", "/ui/delete/many",
        Map.of("repository", "team/bulk", "digest", digest)).statusCode()).isEqualTo(403);

    ConsoleClient admin = signIn("admin", ADMIN_PASSWORD);
    assertThat(admin.post("/ui/delete/many", Map.of("repository", "team/bulk", "digest", digest)).statusCode())
        .isEqualTo(403);
    HttpResponse<String> nothing = admin.get("/ui/delete/many?repository=team/bulk");
    assertThat(text(admin.follow(nothing).body())).contains("Select the images to delete first.");
    HttpResponse<String> bad = admin.get("/ui/delete/many?repository=team/bulk&digest=sha256:nope");
    assertThat(bad.statusCode()).isEqualTo(303);
    // A form larger than the console reads: read as no form, refused before anything runs, not a 500.
    List<Map.Entry<String, String>> huge = new ArrayList<>(List.of(
        Map.entry("csrf", ConsoleClient.csrfOf(admin.get("/ui/repository?name=team/bulk").body())),
        Map.entry("repository", "team/bulk")));
    for (int i = 0; i < WebExchange.MAX_FORM_BYTES / 64; i++) {
      huge.add(Map.entry("digest", digest));
    }
    assertThat(admin.post("/ui/delete/many", huge).statusCode()).isEqualTo(403);
    assertThat(images.manifestStatus("team/bulk", digest)).isEqualTo(200);
  }
}
