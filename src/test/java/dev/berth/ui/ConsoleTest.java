package dev.berth.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.auth.Users;
import dev.berth.metadata.PolicyStore;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.policy.ByteSize;
import dev.berth.ui.view.Paging;
import dev.berth.testing.RunningRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console over real HTTP against a real Berth: sessions, refusals, CSRF, escaping of pushed
 * text, deleting with a preview, a GC run started from a form, and the JSON twins of the pages.
 */
class ConsoleTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ADMIN_PASSWORD = "admin-password-1";
  private static final String PASSWORD = "password-123";
  private static final String SCRIPT = "<script>alert(1)</script>";

  @TempDir
  static Path root;

  static RunningRegistry registry;
  static SqlMetadataStore store;
  static TestImages images;

  @BeforeAll
  static void start() throws Exception {
    registry = RunningRegistry.startWithAuth(root, ADMIN_PASSWORD);
    store = SqlMetadataStore.sqlite(root.resolve("berth/metadata.db"));
    new Users(store.access(), Clock.systemUTC()).add("alice", PASSWORD, false);
    store.access().setRole("team", "alice", "maintainer");
    images = new TestImages(registry, "admin", ADMIN_PASSWORD);
  }

  @AfterAll
  static void stop() throws Exception {
    store.close();
    registry.close();
  }

  static ConsoleClient admin() throws Exception {
    ConsoleClient client = new ConsoleClient(registry.uri("/"));
    assertThat(client.login("admin", ADMIN_PASSWORD).statusCode()).isEqualTo(303);
    return client;
  }

  @Test
  void pagesNeedASessionAndSendToTheLoginPage() throws Exception {
    ConsoleClient anonymous = new ConsoleClient(registry.uri("/"));
    for (String page : new String[] {"/ui/", "/ui/repositories", "/ui/gc", "/ui/audit", "/ui/repository?name=team/app"}) {
      HttpResponse<String> r = anonymous.get(page);
      assertThat(r.statusCode()).as(page).isEqualTo(303);
      assertThat(r.headers().firstValue("Location")).as(page).hasValue("/ui/login");
    }
    assertThat(anonymous.get("/").headers().firstValue("Location")).hasValue("/ui/");
    assertThat(anonymous.get("/ui/login").body()).contains("<form class=\"login\"");
  }

  @Test
  void signingInSetsAStrictHttpOnlySessionCookieAndSigningOutEndsTheSession() throws Exception {
    ConsoleClient client = new ConsoleClient(registry.uri("/"));
    HttpResponse<String> login = client.login("admin", ADMIN_PASSWORD);
    assertThat(login.statusCode()).isEqualTo(303);
    assertThat(login.headers().firstValue("Location")).hasValue("/ui/");
    String cookie = ConsoleClient.sessionCookie(login).orElseThrow();
    assertThat(cookie).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict").contains("Path=/")
        .doesNotContainIgnoringCase("Secure;").matches("berth_session=[A-Za-z0-9_-]{43};.*");

    HttpResponse<String> dashboard = client.get("/ui/");
    assertThat(dashboard.statusCode()).isEqualTo(200);
    assertThat(dashboard.body()).contains("Storage used").contains("admin");
    assertThat(dashboard.headers().firstValue("Content-Security-Policy")).isPresent();

    HttpResponse<String> logout = client.submit("/ui/", "/ui/logout", Map.of());
    assertThat(logout.statusCode()).isEqualTo(303);
    assertThat(client.get("/ui/").headers().firstValue("Location")).hasValue("/ui/login");
  }

  @Test
  void wrongPasswordsAreRefusedWithoutASession() throws Exception {
    ConsoleClient client = new ConsoleClient(registry.uri("/"));
    HttpResponse<String> r = client.login("admin", "not-the-password");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("Wrong user name or password.");
    assertThat(ConsoleClient.sessionCookie(r)).isEmpty();
    assertThat(client.get("/ui/").statusCode()).isEqualTo(303);
  }

  @Test
  void aSignInFormFromAnotherSiteIsRefused() throws Exception {
    ConsoleClient client = new ConsoleClient(registry.uri("/"));
    HttpResponse<String> r = client.post("/ui/login", Map.of("username", "admin", "password", ADMIN_PASSWORD));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(ConsoleClient.sessionCookie(r)).isEmpty();
  }

  @Test
  void aMaintainerSeesOnlyTheirNamespaceAndNoRegistryWidePages() throws Exception {
    images.push("team/web", "v1", 100, Map.of());
    images.push("elsewhere/web", "v1", 100, Map.of());
    ConsoleClient alice = new ConsoleClient(registry.uri("/"));
    assertThat(alice.login("alice", PASSWORD).statusCode()).isEqualTo(303);

    String list = alice.get("/ui/repositories").body();
    assertThat(list).contains("team/web").doesNotContain("elsewhere/web").doesNotContain("list/big");
    String dashboard = alice.get("/ui/").body();
    assertThat(dashboard).contains("Your repositories").doesNotContain("Reclaimable by GC")
        .doesNotContain("href=\"/ui/gc\"").doesNotContain("href=\"/ui/audit\"");
    assertThat(alice.get("/ui/repository?name=team/web").body()).contains("aria-label=\"delete tag v1\"");
    assertThat(alice.get("/ui/gc").statusCode()).isEqualTo(403);
    assertThat(alice.get("/ui/repository?name=elsewhere/web").body())
        .isEqualTo(alice.get("/ui/repository?name=elsewhere/nothing").body().replace("elsewhere/nothing", "elsewhere/web"));
  }

  @Test
  void robotAccountsCannotSignIn() throws Exception {
    HttpResponse<String> robot = admin().submit("/ui/namespace?name=team", "/ui/namespace/robots",
        Map.of("namespace", "team", "name", "signin", "role", "guest"));
    ConsoleClient client = new ConsoleClient(registry.uri("/"));
    HttpResponse<String> r = client.login("robot$team+signin", secretOn(robot.body()));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("robot accounts and htpasswd users use the registry API");
    assertThat(ConsoleClient.sessionCookie(r)).isEmpty();
  }

  @Test
  void postsWithoutTheCsrfTokenAreRefusedAndChangeNothing() throws Exception {
    String digest = images.push("csrf/app", "v1", 300, Map.of());
    ConsoleClient client = admin();
    Map<String, String> delete = Map.of("repository", "csrf/app", "reference", "v1");
    int runs = JSON.readTree(images.admin("/api/v1/gc/runs").body()).path("runs").size();

    HttpResponse<String> noToken = client.post("/ui/delete", delete);
    assertThat(noToken.statusCode()).isEqualTo(403);
    assertThat(noToken.body()).contains("nothing was changed");
    Map<String, String> forged = new java.util.HashMap<>(delete);
    forged.put("csrf", "forged-token");
    assertThat(client.post("/ui/delete", forged).statusCode()).isEqualTo(403);
    assertThat(client.post("/ui/gc", Map.of("mode", "real", "grace", "0s")).statusCode()).isEqualTo(403);
    // A cross-site POST arrives without the SameSite=Strict cookie at all.
    assertThat(new ConsoleClient(registry.uri("/")).post("/ui/delete", delete).statusCode()).isEqualTo(403);

    assertThat(images.manifestStatus("csrf/app", "v1")).isEqualTo(200);
    assertThat(images.manifestStatus("csrf/app", digest)).isEqualTo(200);
    assertThat(JSON.readTree(images.admin("/api/v1/gc/runs").body()).path("runs")).hasSize(runs);
  }

  @Test
  void pushedTextIsEscaped() throws Exception {
    images.push("xss/app", "v1", 100, Map.of("org.opencontainers.image.description", SCRIPT, "x\"><b", "y"));
    ConsoleClient client = admin();
    String page = client.get("/ui/repository?name=xss/app").body();
    assertThat(page).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain(SCRIPT)
        .doesNotContain("x\"><b");
    assertThat(client.get("/ui/repositories?q=" + ConsoleClient.encode(SCRIPT)).body())
        .contains("value=\"&lt;script>alert(1)&lt;/script>\"").doesNotContain(SCRIPT);
    assertThat(client.get("/ui/repository?name=xss/app&deleted=" + ConsoleClient.encode(SCRIPT)).body())
        .contains("Deleted &lt;script&gt;").doesNotContain(SCRIPT);
    assertThat(client.get("/ui/repository?name=" + ConsoleClient.encode(SCRIPT)).body()).doesNotContain(SCRIPT);
  }

  @Test
  void repositoriesShowSizeTagsAndTheirImages() throws Exception {
    String digest = images.push("list/big", "v1", 4000, Map.of());
    images.tag("list/big", digest, "latest");
    images.push("list/small", "v1", 100, Map.of());
    ConsoleClient client = admin();

    String list = client.get("/ui/repositories?q=list/").body();
    assertThat(list).contains("list/big").contains("list/small").contains("<svg class=\"chart\"")
        .doesNotContain("xss/app");
    String page = client.get("/ui/repository?name=list/big").body();
    assertThat(page).contains("<th>Pushed</th><th>Last pulled</th>").contains("<td class=\"pulled\">")
        .contains(digest.substring(7, 19)).contains(">v1 <").contains(">latest <")
        .contains("/ui/delete?repository=list%2Fbig&amp;reference=latest");

    JsonNode repositories = JSON.readTree(images.admin("/api/v1/repositories?q=list/big").body()).path("repositories");
    assertThat(repositories).hasSize(1);
    assertThat(repositories.get(0).path("tags").asLong()).isEqualTo(2);
    assertThat(repositories.get(0).path("bytes").asLong()).isGreaterThan(4000);
    JsonNode imagesJson = JSON.readTree(images.admin("/api/v1/repositories/list/big/images").body()).path("images");
    assertThat(imagesJson).hasSize(1);
    assertThat(imagesJson.get(0).path("digest").asText()).isEqualTo(digest);
    assertThat(imagesJson.get(0).path("tags").toString()).isEqualTo("[\"latest\",\"v1\"]");
    assertThat(JSON.readTree(images.admin("/api/v1/storage").body()).path("liveBytes").asLong()).isGreaterThan(4100);
  }

  @Test
  void longListsArePaged() throws Exception {
    for (int i = 0; i < Paging.SIZE + 3; i++) {
      store.blobs().recordBlob(RepositoryName.of(String.format("many/r%03d", i)), Digest.sha256(new byte[] {(byte) i}), 1,
          Instant.now());
    }
    ConsoleClient client = admin();
    String first = client.get("/ui/repositories?q=many/").body();
    assertThat(first).contains("53 repositories").contains("many/r049").doesNotContain("many/r050")
        .contains("<a rel=\"next\" href=\"/ui/repositories?q=many%2F&amp;page=2\">");
    String second = client.get("/ui/repositories?q=many/&page=2").body();
    assertThat(second).contains("many/r050").contains("many/r052").doesNotContain("many/r049")
        .contains("rel=\"prev\"").doesNotContain("rel=\"next\"");
    assertThat(client.get("/ui/repositories?q=many/&page=banana").body()).contains("many/r000");
    assertThat(client.get("/ui/repositories?q=many/&page=2147483647").body()).contains("rel=\"prev\"")
        .contains("Nothing on this page.");
    assertThat(client.get("/ui/audit?page=999999").statusCode()).isEqualTo(200);
  }

  @Test
  void deletingATagShowsThePreviewFirstAndDeletesOnlyThatTag() throws Exception {
    String digest = images.push("del/app", "v1", 2000, Map.of());
    images.tag("del/app", digest, "v2");
    String other = images.push("del/app", "solo", 1500, Map.of());
    ConsoleClient client = admin();

    String preview = client.get("/ui/delete?repository=del/app&reference=v1").body();
    assertThat(preview).contains("The same image is also tagged v2.").contains("removes this tag only");

    HttpResponse<String> deleted = client.submit("/ui/delete?repository=del/app&reference=v1", "/ui/delete",
        Map.of("repository", "del/app", "reference", "v1"));
    assertThat(deleted.statusCode()).isEqualTo(303);
    assertThat(deleted.headers().firstValue("Location")).hasValue("/ui/repository?name=del%2Fapp&deleted=v1&outcome=tag-shared");
    assertThat(images.manifestStatus("del/app", "v1")).isEqualTo(404);
    assertThat(images.manifestStatus("del/app", "v2")).isEqualTo(200);
    assertThat(client.get("/ui/repository?name=del/app&deleted=v1").body()).contains("Deleted v1.");

    String imagePreview = client.get("/ui/delete?repository=del/app&reference=" + other).body();
    assertThat(imagePreview).contains("removes every tag on it: solo")
        .containsPattern("frees 1\\.5 KiB \\(15\\d\\d bytes\\); 0 bytes stay");
    assertThat(client.submit("/ui/delete?repository=del/app&reference=" + other, "/ui/delete",
        Map.of("repository", "del/app", "reference", other)).statusCode()).isEqualTo(303);
    assertThat(images.manifestStatus("del/app", other)).isEqualTo(404);

    JsonNode audit = JSON.readTree(images.admin("/api/v1/audit").body()).path("entries");
    assertThat(audit).anySatisfy(entry -> {
      assertThat(entry.path("target").asText()).isEqualTo("del/app:v1");
      assertThat(entry.path("action").asText()).isEqualTo("tag.delete");
      assertThat(entry.path("actor").asText()).isEqualTo("admin@127.0.0.1");
    });
    assertThat(audit).anySatisfy(entry -> assertThat(entry.path("target").asText()).isEqualTo("del/app@" + other));
  }

  @Test
  void deletingOneOfTwoTagsKeepsTheReferrersWithTheImage() throws Exception {
    String digest = images.push("refs/app", "latest", 1000, Map.of());
    images.tag("refs/app", digest, "v0004");
    String signature = images.referrer("refs/app", digest, "application/vnd.example.signature", 100);
    String sbom = images.referrer("refs/app", digest, "application/vnd.example.sbom", 200);

    String preview = text(admin().get("/ui/delete?repository=refs/app&reference=latest").body());
    assertThat(preview).contains("removes this tag only").doesNotContain("Going with it")
        .contains("The image and its 2 referrers stay.");
    assertThat(images.manifestStatus("refs/app", signature)).isEqualTo(200);
    assertThat(images.manifestStatus("refs/app", sbom)).isEqualTo(200);
  }

  @Test
  void deletingAnIndexSaysItsReferrersStayUntilTheNextCollectionAndThePageMarksThem() throws Exception {
    String amd = images.push("refidx/app", "amd", 700, Map.of());
    String arm = images.push("refidx/app", "arm", 800, Map.of());
    String index = images.index("refidx/app", "multi", java.util.List.of(amd, arm));
    String signature = images.referrer("refidx/app", index, "application/vnd.example.signature", 100);
    ConsoleClient client = admin();

    String preview = text(client.get("/ui/delete?repository=refidx/app&reference=" + index).body());
    assertThat(preview).contains("Its referrer stays, readable by digest, until the next garbage collection deletes it"
        + " (once it is older than the collection's grace period): ")
        .contains("application/vnd.example.signature " + signature);

    HttpResponse<String> deleted = client.submit("/ui/delete?repository=refidx/app&reference=" + index, "/ui/delete",
        Map.of("repository", "refidx/app", "reference", index));
    assertThat(deleted.statusCode()).isEqualTo(303);
    // As in Docker Registry, the referrer outlives its subject until a collection.
    assertThat(images.manifestStatus("refidx/app", index)).isEqualTo(404);
    assertThat(images.manifestStatus("refidx/app", signature)).isEqualTo(200);
    String after = text(client.get(deleted.headers().firstValue("Location").orElseThrow()).body());
    assertThat(after).contains("Deleted " + index + ".")
        .contains("Its referrer stays, readable by digest, until the next garbage collection deletes it"
            + " (once it is older than the collection's grace period).")
        .contains("referrer of " + index.substring(7, 19) + ", which is gone: the next garbage collection deletes it");
    JsonNode rows = JSON.readTree(images.admin("/api/v1/repositories/refidx/app/images").body()).path("images");
    assertThat(rows).anySatisfy(row -> {
      assertThat(row.path("digest").asText()).isEqualTo(signature);
      assertThat(row.path("missingSubject").asText()).isEqualTo(index);
    });

    finished(client, client.submit("/ui/gc", "/ui/gc", Map.of("mode", "real", "grace", "0s")));
    assertThat(images.manifestStatus("refidx/app", signature)).isEqualTo(404);
    assertThat(client.get("/ui/repository?name=refidx/app").body()).doesNotContain(signature.substring(7, 19));
  }

  @Test
  void deletingAnIndexSaysWhatACollectionOfUntaggedImagesThenFreesForTheChildrenItLeaves() throws Exception {
    String amd = images.push("untagidx/app", null, 5000, Map.of());
    String arm = images.push("untagidx/app", null, 6000, Map.of());
    String index = images.index("untagidx/app", "multi", java.util.List.of(amd, arm));
    ConsoleClient client = admin();

    String preview = text(client.get("/ui/delete?repository=untagidx/app&reference=" + index).body());
    assertThat(preview).contains("The next garbage collection frees 0 bytes")
        .contains("Left untagged (manifests this index lists): ").contains(amd).contains(arm)
        .containsPattern("A garbage collection that deletes untagged images then frees 10\\.\\d KiB \\(11\\d\\d\\d bytes\\) in all");
    JsonNode json = JSON.readTree(images.admin("/api/v1/repositories/untagidx/app/manifests/" + index
        + "/delete-preview").body());
    // Both layers, and the children's config (the same small blob for both).
    long configs = json.path("bytesFreedWithUntagged").asLong() - 11000;
    assertThat(configs).isBetween(1L, 200L);
    assertThat(json.path("bytesFreed").asLong()).isZero();
    assertThat(preview).contains("(" + (11000 + configs) + " bytes)");
  }

  @Test
  void afterDeletingATagThePageAndTheAuditSayWhetherTheImageKeptATagOrIsNowUntagged() throws Exception {
    String digest = images.push("tagbanner/app", "v1", 900, Map.of());
    images.tag("tagbanner/app", digest, "v2");
    ConsoleClient client = admin();

    HttpResponse<String> first = client.submit("/ui/delete?repository=tagbanner/app&reference=v1", "/ui/delete",
        Map.of("repository", "tagbanner/app", "reference", "v1"));
    String shared = text(client.get(first.headers().firstValue("Location").orElseThrow()).body());
    assertThat(shared).contains("Deleted tag v1. The image keeps its other tags, so no bytes are freed.")
        .doesNotContain("come back");

    HttpResponse<String> last = client.submit("/ui/delete?repository=tagbanner/app&reference=v2", "/ui/delete",
        Map.of("repository", "tagbanner/app", "reference", "v2"));
    String untagged = text(client.get(last.headers().firstValue("Location").orElseThrow()).body());
    assertThat(untagged).contains("Deleted tag v2. The image is now untagged: it stays until a garbage collection"
        + " that deletes untagged images (--delete-untagged) deletes it and frees its bytes.");

    JsonNode audit = JSON.readTree(images.admin("/api/v1/audit").body()).path("entries");
    assertThat(audit).anySatisfy(entry -> {
      assertThat(entry.path("target").asText()).isEqualTo("tagbanner/app:v1");
      assertThat(entry.path("detail").asText()).isEqualTo("tag removed; the image " + digest + " stays, tagged v2");
    });
    assertThat(audit).anySatisfy(entry -> {
      assertThat(entry.path("target").asText()).isEqualTo("tagbanner/app:v2");
      assertThat(entry.path("detail").asText()).isEqualTo("tag removed; the image " + digest
          + " is now untagged (a GC with --delete-untagged deletes it)");
    });
  }

  @Test
  void anImageAnIndexListsOffersNoDeleteAndARefusedDeleteLeadsBackToTheRepository() throws Exception {
    String child = images.push("listed/app", "child", 400, Map.of());
    String index = images.index("listed/app", "multi", java.util.List.of(child));
    ConsoleClient client = admin();

    String preview = client.get("/ui/delete?repository=listed/app&reference=" + child).body();
    assertThat(text(preview)).contains("An index lists this image (" + index + ")")
        .contains("the registry refuses to delete it until the index is deleted");
    assertThat(preview).doesNotContain("<button class=\"danger\"").doesNotContain("action=\"/ui/delete\"")
        .contains("href=\"/ui/repository?name=listed%2Fapp\"");

    HttpResponse<String> refused = client.submit("/ui/delete?repository=listed/app&reference=" + child, "/ui/delete",
        Map.of("repository", "listed/app", "reference", child));
    assertThat(refused.headers().firstValue("Location")).hasValue("/ui/repository?name=listed%2Fapp");
    HttpResponse<String> repository = client.follow(refused);
    assertThat(text(repository.body())).contains("Not deleted: an index in listed/app lists this image (" + index
        + "): delete the index first. Nothing was deleted.").doesNotContain("Back to the dashboard");
    assertThat(repository.body()).contains("<h1>listed/app</h1>");
    assertThat(images.manifestStatus("listed/app", child)).isEqualTo(200);
  }

  @Test
  void aDryRunStartedFromTheFormIsFollowedToItsReport() throws Exception {
    String untagged = images.push("gcui/app", "v1", 100, Map.of("build", "1"));
    images.push("gcui/app", "v1", 100, Map.of("build", "2"));
    ConsoleClient client = admin();
    HttpResponse<String> started = client.submit("/ui/gc", "/ui/gc",
        Map.of("mode", "dry", "deleteUntagged", "on", "grace", "0s"));
    assertThat(started.statusCode()).isEqualTo(303);
    String location = started.headers().firstValue("Location").orElseThrow();
    String page = finished(client, started);
    assertThat(page).contains("<strong id=\"status\">succeeded").contains("dry run").doesNotContain("http-equiv");
    assertThat(page).contains("Would remove").contains("would delete manifest gcui/app " + untagged + " ");
    assertThat(client.get("/ui/gc").body()).contains(location.replace("&", "&amp;"));
    String dashboard = client.get("/ui/").body();
    assertThat(dashboard).contains("by the dry run of").contains("Compute now (dry run)");
  }

  @Test
  void aRunSaysWhatTheGracePeriodKept() throws Exception {
    String digest = images.push("graceui/app", "v1", 300, Map.of());
    ConsoleClient client = admin();
    client.submit("/ui/delete?repository=graceui/app&reference=" + digest, "/ui/delete",
        Map.of("repository", "graceui/app", "reference", digest));

    String page = text(finished(client, client.submit("/ui/gc", "/ui/gc", Map.of("mode", "dry", "grace", "24h"))));
    // Other tests' garbage is young too: at least this image's config and layer.
    assertThat(page).containsPattern("(\\d{2,}|[2-9]) blobs( and \\d+ manifests?)? kept by the 24h grace period:"
        + " younger than that, a later run collects them if still unused\\.")
        .containsPattern("dry run: .*; \\d+ blobs( and \\d+ manifests?)? kept by the 24h grace period");
    // The history gives each run's trigger, options, duration and what the grace period kept.
    String history = text(client.get("/ui/gc").body());
    assertThat(history).containsPattern("dry run console succeeded admin@127\\.0\\.0\\.1 grace 24h \\d+\\.\\d s "
        + "[^a-z]*bytes\\)? \\d+ manifests, [1-9]\\d* blobs");
    assertThat(client.get("/ui/gc").body()).contains("data-confirm=\"Collect garbage for real?");
  }

  @Test
  void refusedFormsRedirectToAPageThatSaysWhyOnce() throws Exception {
    ConsoleClient client = admin();
    int runs = JSON.readTree(images.admin("/api/v1/gc/runs").body()).path("runs").size();
    HttpResponse<String> gc = client.submit("/ui/gc", "/ui/gc", Map.of("mode", "dry", "grace", "soon"));
    assertThat(gc.headers().firstValue("Location")).hasValue("/ui/gc");
    assertThat(text(client.follow(gc).body())).contains("Not started: invalid duration 'soon'");
    assertThat(client.get("/ui/gc").body()).doesNotContain("Not started");
    assertThat(JSON.readTree(images.admin("/api/v1/gc/runs").body()).path("runs")).hasSize(runs);

    HttpResponse<String> delete = client.submit("/ui/repositories", "/ui/delete",
        Map.of("repository", "Not Valid", "reference", "v1"));
    assertThat(delete.headers().firstValue("Location")).hasValue("/ui/repositories");
    assertThat(text(client.follow(delete).body()))
        .contains("Not deleted: the form named no valid repository and tag or digest.");

    HttpResponse<String> user = client.submit("/ui/users", "/ui/users", Map.of("name", "Not Valid", "password", ""));
    assertThat(user.headers().firstValue("Location")).hasValue("/ui/users");
    assertThat(text(client.follow(user).body())).contains("user names are 1-64 of a-z");
  }

  @Test
  void aSessionEndsWhenItsUserStopsBeingAnAdministrator() throws Exception {
    new Users(store.access(), Clock.systemUTC()).add("carol", PASSWORD, true);
    ConsoleClient client = new ConsoleClient(registry.uri("/"));
    assertThat(client.login("carol", PASSWORD).statusCode()).isEqualTo(303);
    assertThat(client.get("/ui/").statusCode()).isEqualTo(200);
    store.access().removeUser("carol");
    assertThat(client.get("/ui/").headers().firstValue("Location")).hasValue("/ui/login");
  }

  @Test
  void theNamespacePageShowsTheUsageAsABarAgainstTheQuotaOrAloneWithoutOne() throws Exception {
    images.push("metered/app", "v1", 2048, Map.of());
    store.policies().put(new PolicyStore.StoredPolicy("metered", "quota: 1MiB\n", Instant.EPOCH, "admin"));
    long used = JSON.readTree(images.admin("/api/v1/namespaces/metered/usage").body()).path("usageBytes").asLong();
    assertThat(used).isGreaterThan(2048);

    String metered = admin().get("/ui/namespace?name=metered").body();
    assertThat(metered).contains("<p id=\"usage\">" + ByteSize.readableExact(used)
            + " of the quota of 1.0 MiB (1048576 bytes) used (0%).</p>")
        .contains("<meter id=\"usage-bar\" min=\"0\" max=\"1048576\" value=\"" + used + "\"");
    assertThat(admin().get("/ui/namespace?name=unmetered").body())
        .contains("<p id=\"usage\">0 bytes used; no quota.</p>").doesNotContain("<meter");
  }

  @Test
  void usersRolesAndRobotsAreManagedFromForms() throws Exception {
    ConsoleClient client = admin();
    HttpResponse<String> added = client.submit("/ui/users", "/ui/users", Map.of("name", "bob", "password", ""));
    assertThat(added.statusCode()).isEqualTo(200);
    String password = secretOn(added.body());
    assertThat(new ConsoleClient(registry.uri("/")).login("bob", password).statusCode()).isEqualTo(303);

    assertThat(client.submit("/ui/namespace?name=team", "/ui/namespace/role",
        Map.of("user", "bob", "namespace", "team", "role", "developer")).statusCode()).isEqualTo(303);
    assertThat(client.get("/ui/users").body()).contains("<td>bob</td><td>no</td><td>team: developer</td>");
    assertThat(client.get("/ui/namespace?name=team").body()).contains("<td>bob</td><td>developer</td>");
    JsonNode bob = JSON.readTree(images.admin("/api/v1/users").body()).path("users");
    assertThat(bob).anySatisfy(u -> {
      assertThat(u.path("name").asText()).isEqualTo("bob");
      assertThat(u.path("roles").path("team").asText()).isEqualTo("developer");
    });

    HttpResponse<String> robot = client.submit("/ui/namespace?name=team", "/ui/namespace/robots",
        Map.of("namespace", "team", "name", "ci", "role", "developer", "expiresInDays", "30"));
    assertThat(robot.body()).contains("Created <strong>robot$team+ci</strong>").contains("active until");
    String secret = secretOn(robot.body());
    assertThat(images.basicStatus("/v2/", "robot$team+ci", secret)).isEqualTo(200);
    assertThat(client.submit("/ui/namespace?name=team", "/ui/namespace/robots/revoke",
        Map.of("namespace", "team", "login", "robot$team+ci")).statusCode()).isEqualTo(303);
    assertThat(images.basicStatus("/v2/", "robot$team+ci", secret)).isEqualTo(401);
    assertThat(client.get("/ui/users").body()).contains("revoked");

    // A refused form redirects to its page, which says why once: reloading it posts nothing again.
    HttpResponse<String> refused = client.submit("/ui/namespace?name=team", "/ui/namespace/role",
        Map.of("user", "bob", "namespace", "team", "role", "overlord"));
    assertThat(refused.statusCode()).isEqualTo(303);
    assertThat(refused.headers().firstValue("Location")).hasValue("/ui/namespace?name=team");
    assertThat(client.follow(refused).body()).contains("<p class=\"error\" role=\"alert\">unknown role overlord</p>");
    assertThat(client.follow(refused).body()).doesNotContain("unknown role overlord");
    HttpResponse<String> badExpiry = client.follow(client.submit("/ui/namespace?name=team", "/ui/namespace/robots",
        Map.of("namespace", "team", "name", "later", "role", "guest", "expiresInDays", "soon")));
    assertThat(badExpiry.body()).contains("expiry is a whole number of days");
    HttpResponse<String> badNamespace = client.follow(client.submit("/ui/namespace?name=team", "/ui/namespace/role",
        Map.of("user", "bob", "namespace", "Not A Namespace", "role", "guest")));
    assertThat(badNamespace.statusCode()).isEqualTo(400);
    assertThat(badNamespace.body()).contains("namespaces are 1-64 of a-z");
    assertThat(client.get("/ui/namespace?name=").statusCode()).isEqualTo(400);

    assertThat(client.submit("/ui/users", "/ui/users/remove", Map.of("name", "bob")).statusCode()).isEqualTo(303);
    assertThat(client.get("/ui/users").body()).doesNotContain("<td>bob</td>");
    assertThat(images.basicStatus("/v2/", "bob", password)).isEqualTo(401);
    HttpResponse<String> self = client.follow(client.submit("/ui/users", "/ui/users/remove", Map.of("name", "admin")));
    assertThat(self.body()).contains("you cannot remove yourself");
  }

  @Test
  void everyPageHasTheViewportTheColourSchemesAndTheIconWhichIsServedAsSvg() throws Exception {
    ConsoleClient anonymous = new ConsoleClient(registry.uri("/"));
    for (String page : List.of(anonymous.get("/ui/login").body(), admin().get("/ui/").body(),
        admin().get("/ui/no-such-page").body())) {
      assertThat(page).contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
          .contains("<meta name=\"color-scheme\" content=\"light dark\">")
          .contains("<link rel=\"icon\" href=\"/ui/static/favicon.svg\" type=\"image/svg+xml\">");
    }
    HttpResponse<String> icon = anonymous.get("/ui/static/favicon.svg");
    assertThat(icon.statusCode()).isEqualTo(200);
    assertThat(icon.headers().firstValue("Content-Type")).hasValue("image/svg+xml");
    assertThat(icon.body()).startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"");
    assertThat(anonymous.get("/ui/static/console.css").body()).contains("@media (prefers-color-scheme: dark)");
    assertThat(admin().get("/ui/repositories").body())
        .contains("<a href=\"/ui/repositories\" class=\"active\" aria-current=\"page\">Repositories</a>")
        .contains("<a href=\"/ui/\" class=\"\">Dashboard</a>");
  }

  @Test
  void destructiveAdminFormsAskFirstSayWhatTheyDidAndARefusedFormKeepsWhatWasTyped() throws Exception {
    ConsoleClient client = admin();
    new Users(store.access(), Clock.systemUTC()).add("dora", PASSWORD, false);
    store.access().setRole("conf", "dora", "developer");

    String namespace = client.get("/ui/namespace?name=conf").body();
    assertThat(namespace).contains("<form method=\"post\" action=\"/ui/namespace/role\" data-confirm=\"Remove dora from conf?\">")
        .contains("data-confirm=\"Make conf public? Anyone, without signing in, may then pull its images.\">Make public</button>");
    assertThat(client.get("/ui/users").body()).contains(
        "<form method=\"post\" action=\"/ui/users/remove\" data-confirm=\"Remove user dora? They lose their roles and are signed out.\">");

    // Refused: the form shows again what was typed, once; the password is never kept.
    HttpResponse<String> refusedRobot = client.follow(client.submit("/ui/namespace?name=conf", "/ui/namespace/robots",
        Map.of("namespace", "conf", "name", "Bad Name", "role", "maintainer", "expiresInDays", "12")));
    assertThat(refusedRobot.body()).contains("<input name=\"name\" required value=\"Bad Name\">")
        .contains("<option selected>maintainer</option>").contains("placeholder=\"empty: never\" value=\"12\">");
    assertThat(text(refusedRobot.body())).contains("robot names are");
    assertThat(client.get("/ui/namespace?name=conf").body()).doesNotContain("value=\"Bad Name\"");
    HttpResponse<String> refusedMember = client.follow(client.submit("/ui/namespace?name=conf", "/ui/namespace/role",
        Map.of("namespace", "conf", "user", "nobody-here", "role", "maintainer")));
    assertThat(refusedMember.body()).contains("<input name=\"user\" required value=\"nobody-here\">")
        .contains("<option selected>maintainer</option>");
    HttpResponse<String> refusedUser = client.follow(client.submit("/ui/users", "/ui/users",
        Map.of("name", "dora", "password", "a-secret-password", "systemAdmin", "on")));
    assertThat(refusedUser.body()).contains("user dora exists").contains("<input name=\"name\" required value=\"dora\">")
        .contains("name=\"systemAdmin\" value=\"on\" checked>").doesNotContain("a-secret-password");

    // Done: the page it leads to says what happened, once.
    HttpResponse<String> madePublic = client.submit("/ui/namespace?name=conf", "/ui/namespace/public",
        Map.of("namespace", "conf", "public", "on"));
    assertThat(madePublic.statusCode()).isEqualTo(303);
    assertThat(client.follow(madePublic).body())
        .contains("<p class=\"notice\" role=\"status\">conf is public: anyone may pull from it without signing in.</p>");
    assertThat(client.follow(madePublic).body()).doesNotContain("conf is public:");
    assertThat(client.follow(client.submit("/ui/namespace?name=conf", "/ui/namespace/role",
        Map.of("namespace", "conf", "user", "dora", "role", "none"))).body()).contains("Removed dora from conf.");
    client.submit("/ui/namespace?name=conf", "/ui/namespace/robots",
        Map.of("namespace", "conf", "name", "bot", "role", "guest", "expiresInDays", ""));
    assertThat(client.follow(client.submit("/ui/namespace?name=conf", "/ui/namespace/robots/revoke",
        Map.of("namespace", "conf", "login", "robot$conf+bot"))).body()).contains("Revoked robot robot$conf+bot.");
    assertThat(client.follow(client.submit("/ui/users", "/ui/users/remove", Map.of("name", "dora"))).body())
        .contains("Removed user dora.");
  }

  @Test
  void robotExpiryIsBoundedAndRobotNamesAreJudgedAsRobotNames() throws Exception {
    ConsoleClient client = admin();
    HttpResponse<String> forever = client.follow(client.submit("/ui/namespace?name=team", "/ui/namespace/robots",
        Map.of("namespace", "team", "name", "forever", "role", "guest", "expiresInDays", "99999999")));
    assertThat(text(forever.body())).contains("robot expiry is 1 to 3650 days, or none").doesNotContain("active until");
    HttpResponse<String> badName = client.follow(client.submit("/ui/namespace?name=team", "/ui/namespace/robots",
        Map.of("namespace", "team", "name", "Bad Name!", "role", "guest")));
    assertThat(text(badName.body())).contains("robot names are 1-64 of a-z").doesNotContain("user names");
    assertThat(client.get("/ui/users").body()).doesNotContain("robot$team+forever");
    // The CLI's --expires-in-days and the admin API create robots through the same rule.
    Users users = new Users(store.access(), Clock.systemUTC());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> users.createRobot("team", "cli", "guest", "test",
        java.util.Optional.of(Duration.ofDays(3651)))).hasMessage("robot expiry is 1 to 3650 days, or none");
    assertThat(users.createRobot("team", "decade", "guest", "test", java.util.Optional.of(Duration.ofDays(3650))))
        .isPresent();
  }

  @Test
  void aHiddenNamespaceIsNotFoundAsAMissingOneAndAPageBeyondTheAuditLogSaysSo() throws Exception {
    ConsoleClient alice = new ConsoleClient(registry.uri("/"));
    assertThat(alice.login("alice", PASSWORD).statusCode()).isEqualTo(303);
    HttpResponse<String> hidden = alice.get("/ui/namespace?name=elsewhere");
    assertThat(hidden.statusCode()).isEqualTo(404);
    assertThat(hidden.body()).contains("<title>Not found · Berth</title>").contains("<h1>Not found</h1>");
    assertThat(alice.get("/ui/namespace?name=nosuchnamespace").body().replace("nosuchnamespace", "elsewhere"))
        .isEqualTo(hidden.body().replace("nosuchnamespace", "elsewhere"));

    ConsoleClient client = admin();
    String beyond = text(client.get("/ui/audit?page=101").body());
    assertThat(beyond).contains("There is no page 101: the console shows the newest 100 pages of the log")
        .doesNotContain("Nothing yet");
    String past = text(client.get("/ui/audit?page=99").body());
    assertThat(past).contains("There is no page 99: the log has ").doesNotContain("Nothing yet");
  }

  @Test
  void aNamespaceAdminManagesMembersRobotsAndPublicAccessOfTheirNamespaceOnly() throws Exception {
    Users users = new Users(store.access(), Clock.systemUTC());
    users.add("nadia", PASSWORD, false);
    users.add("newcomer", PASSWORD, false);
    store.access().setRole("shop", "nadia", "admin");
    images.push("shop/cart", "v1", 100, Map.of());
    ConsoleClient nadia = new ConsoleClient(registry.uri("/"));
    assertThat(nadia.login("nadia", PASSWORD).statusCode()).isEqualTo(303);

    assertThat(nadia.get("/ui/namespaces").body()).contains("<a href=\"/ui/namespace?name=shop\">shop</a>");
    assertThat(nadia.submit("/ui/namespace?name=shop", "/ui/namespace/role",
        Map.of("namespace", "shop", "user", "newcomer", "role", "guest")).statusCode()).isEqualTo(303);
    assertThat(store.access().rolesOf("newcomer")).containsEntry("shop", "guest");
    assertThat(nadia.submit("/ui/namespace?name=shop", "/ui/namespace/role",
        Map.of("namespace", "team", "user", "newcomer", "role", "admin")).statusCode()).isEqualTo(404);
    assertThat(store.access().rolesOf("newcomer")).doesNotContainKey("team");

    assertThat(images.anonymousStatus("/v2/shop/cart/tags/list")).isEqualTo(401);
    assertThat(nadia.submit("/ui/namespace?name=shop", "/ui/namespace/public",
        Map.of("namespace", "shop", "public", "on")).statusCode()).isEqualTo(303);
    assertThat(nadia.get("/ui/namespace?name=shop").body()).contains("Public: anyone");
    assertThat(images.anonymousStatus("/v2/shop/cart/tags/list")).isEqualTo(200);
    assertThat(nadia.submit("/ui/namespace?name=shop", "/ui/namespace/public",
        Map.of("namespace", "shop", "public", "off")).statusCode()).isEqualTo(303);
    assertThat(images.anonymousStatus("/v2/shop/cart/tags/list")).isEqualTo(401);
  }

  @Test
  void everyUserChangesTheirOwnPasswordGivingTheCurrentOne() throws Exception {
    new Users(store.access(), Clock.systemUTC()).add("paula", PASSWORD, false);
    ConsoleClient paula = new ConsoleClient(registry.uri("/"));
    assertThat(paula.login("paula", PASSWORD).statusCode()).isEqualTo(303);

    HttpResponse<String> wrong = paula.follow(paula.submit("/ui/account", "/ui/account/password",
        Map.of("current", "not-it-at-all", "password", "new-password-1", "repeat", "new-password-1")));
    assertThat(wrong.body()).contains("The current password is wrong; nothing was changed.");
    HttpResponse<String> differ = paula.follow(paula.submit("/ui/account", "/ui/account/password",
        Map.of("current", PASSWORD, "password", "new-password-1", "repeat", "new-password-2")));
    assertThat(differ.body()).contains("The new password and its repetition differ.");
    HttpResponse<String> tooShort = paula.follow(paula.submit("/ui/account", "/ui/account/password",
        Map.of("current", PASSWORD, "password", "short", "repeat", "short")));
    assertThat(tooShort.body()).contains("at least 8 characters");
    assertThat(images.basicStatus("/v2/", "paula", PASSWORD)).isEqualTo(200);

    HttpResponse<String> changed = paula.submit("/ui/account", "/ui/account/password",
        Map.of("current", PASSWORD, "password", "new-password-1", "repeat", "new-password-1"));
    assertThat(changed.statusCode()).isEqualTo(303);
    assertThat(paula.get(changed.headers().firstValue("Location").orElseThrow()).body())
        .contains("Your password was changed.");
    assertThat(images.basicStatus("/v2/", "paula", PASSWORD)).isEqualTo(401);
    assertThat(images.basicStatus("/v2/", "paula", "new-password-1")).isEqualTo(200);
  }

  /** Follows a run the form started to its end; returns the run's page then. */
  static String finished(ConsoleClient client, HttpResponse<String> started) throws Exception {
    assertThat(started.statusCode()).as(started.body()).isEqualTo(303);
    String location = started.headers().firstValue("Location").orElseThrow();
    assertThat(location).startsWith("/ui/gc/run?id=");
    String page = client.get(location).body();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (page.contains("<strong id=\"status\">running") && Instant.now().isBefore(deadline)) {
      assertThat(page).contains("http-equiv=\"refresh\"");
      Thread.sleep(100);
      page = client.get(location).body();
    }
    assertThat(page).contains("<strong id=\"status\">succeeded");
    return page;
  }

  /**
   * The page as a reader sees it: inline tags dropped, the others a space, entities decoded, white
   * space collapsed.
   */
  static String text(String html) {
    return html.replaceAll("</?(code|strong|em|a|span|small)( [^>]*)?>", "").replaceAll("<[^>]*>", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
        .replace("&#39;", "'").replace("&amp;", "&").replaceAll("\\s+", " ");
  }

  private static String secretOn(String page) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("<code id=\"secret\">([^<]+)</code>").matcher(page);
    assertThat(m.find()).as(page).isTrue();
    return m.group(1);
  }
}
