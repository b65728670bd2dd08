package dev.berth.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.auth.Users;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.testing.RunningRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The artifact page over real HTTP against a real Berth, with images pushed through the /v2 API: an
 * image whose config carries a platform, entrypoint, environment, labels and history, a signature
 * referring to it, and an index of two platform images.
 */
class ArtifactPageTest {
  private static final String ADMIN_PASSWORD = "admin-password-1";
  private static final String PASSWORD = "password-123";
  private static final String SIGNATURE = "application/vnd.dev.cosign.artifact.sig.v1+json";
  private static final String CONFIG = """
      {"architecture":"arm64","os":"linux","variant":"v8","created":"2026-03-01T10:00:00Z",
       "config":{"Entrypoint":["/bin/web"],"Cmd":["--port","8080"],"Env":["PATH=/usr/bin","MODE=<b>prod</b>"],
                 "WorkingDir":"/srv","Labels":{"org.opencontainers.image.source":"https://example.com/web"}},
       "rootfs":{"type":"layers","diff_ids":[]},
       "history":[{"created":"2026-03-01T09:00:00Z","created_by":"/bin/sh -c #(nop) ADD file:base in /"},
                  {"created_by":"ENV MODE=prod","empty_layer":true,"comment":"buildkit.dockerfile.v0"}]}
      """;

  @TempDir
  static Path root;

  static RunningRegistry registry;
  static SqlMetadataStore store;
  static TestImages images;
  static String image;
  static String signature;
  static String index;
  static List<String> children;

  @BeforeAll
  static void start() throws Exception {
    registry = RunningRegistry.startWithAuth(root, ADMIN_PASSWORD);
    store = SqlMetadataStore.sqlite(root.resolve("berth/metadata.db"));
    Users users = new Users(store.access(), Clock.systemUTC());
    users.add("gus", PASSWORD, false);
    store.access().setRole("team", "gus", "guest");
    users.add("mia", PASSWORD, false);
    store.access().setRole("team", "mia", "maintainer");
    users.add("outsider", PASSWORD, false);
    images = new TestImages(registry, "admin", ADMIN_PASSWORD);
    image = images.push("team/web", "1.0", CONFIG, 300, Map.of("org.example.note", "first"));
    images.tag("team/web", image, "latest");
    signature = images.referrer("team/web", image, SIGNATURE, 64);
    children = List.of(images.push("team/web", null, 120, Map.of()), images.push("team/web", null, 140, Map.of()));
    index = images.index("team/web", "multi", children);
    images.push("other/web", "1.0", 100, Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    store.close();
    registry.close();
  }

  private static ConsoleClient login(String user, String password) throws Exception {
    ConsoleClient client = new ConsoleClient(registry.uri("/"));
    assertThat(client.login(user, password).statusCode()).isEqualTo(303);
    return client;
  }

  private static String page(String digest) {
    return Links.artifact("team/web", digest);
  }

  @Test
  void anImageShowsItsPullCommandsConfigLayersAndReferrers() throws Exception {
    HttpResponse<String> response = login("mia", PASSWORD).get(page(image));
    assertThat(response.statusCode()).isEqualTo(200);
    String body = response.body();
    String host = registry.hostPort();
    assertThat(body).contains(image)
        .contains("<code class=\"command\">podman pull " + host + "/team/web:1.0</code>")
        .contains("<code class=\"command\">podman pull " + host + "/team/web:latest</code>")
        .contains("<code class=\"command\">podman pull " + host + "/team/web@" + image + "</code>")
        .contains("data-copy=\"podman pull " + host + "/team/web@" + image + "\"")
        .contains("<script src=\"/ui/static/console.js\" defer></script>")
        .contains("application/vnd.oci.image.manifest.v1+json")
        .contains("<dt>Platform</dt><dd>linux/arm64/v8</dd>")
        .contains("<dt>Created</dt><dd>2026-03-01T10:00:00Z</dd>")
        .contains("<code>/bin/web</code>").contains("<code>--port 8080</code>").contains("<code>/srv</code>")
        .contains("PATH=/usr/bin").contains("MODE=&lt;b&gt;prod&lt;/b&gt;").doesNotContain("<b>prod")
        .contains("org.opencontainers.image.source = https://example.com/web")
        .contains("/bin/sh -c #(nop) ADD file:base in /").contains("ENV MODE=prod</code> <small>(no layer)</small>")
        .contains("buildkit.dockerfile.v0")
        .contains("org.example.note = first")
        .contains("application/vnd.oci.image.layer.v1.tar+gzip").contains("300 bytes")
        .contains("<td>" + SIGNATURE + "</td><td><a class=\"digest\" href=\""
            + page(signature).replace("&", "&amp;") + "\">" + signature + "</a>")
        .contains("href=\"/ui/delete?repository=team%2Fweb&amp;reference=1.0\"")
        .contains("href=\"/ui/delete?repository=team%2Fweb&amp;reference=" + Links.encode(image) + "\"")
        .contains("<dd class=\"pulled\">never</dd>");
    // The tags come in version order, the digest's command last.
    assertThat(body.indexOf("/team/web:1.0<")).isLessThan(body.indexOf("/team/web:latest<"));
    assertThat(body.indexOf("/team/web:latest<")).isLessThan(body.indexOf("/team/web@"));
  }

  @Test
  void thePullCommandsNameTheHostClientsAreToldToUse(@TempDir Path elsewhere) throws Exception {
    try (RunningRegistry configured = RunningRegistry.with(elsewhere).auth(ADMIN_PASSWORD)
        .externalUrl("https://registry.example.com:8443").start()) {
      String pushed = new TestImages(configured, "admin", ADMIN_PASSWORD).push("team/app", "v1", 10, Map.of());
      ConsoleClient admin = new ConsoleClient(configured.uri("/"));
      assertThat(admin.login("admin", ADMIN_PASSWORD).statusCode()).isEqualTo(303);
      assertThat(admin.get(Links.artifact("team/app", pushed)).body())
          .contains("<code class=\"command\">podman pull registry.example.com:8443/team/app:v1</code>")
          .contains("<code class=\"command\">podman pull registry.example.com:8443/team/app@" + pushed + "</code>")
          .doesNotContain(configured.hostPort());
    }
  }

  @Test
  void anIndexListsItsChildrenWithPlatformsEachLinkedToItsOwnPage() throws Exception {
    ConsoleClient admin = login("admin", ADMIN_PASSWORD);
    String body = admin.get(page(index)).body();
    assertThat(body).contains("application/vnd.oci.image.index.v1+json").contains("Manifests of this index")
        .contains("<code class=\"command\">podman pull " + registry.hostPort() + "/team/web:multi</code>")
        .doesNotContain("<h2 id=\"config\">").doesNotContain("<h2 id=\"layers\">");
    for (int i = 0; i < children.size(); i++) {
      assertThat(body).contains("<tr><td>linux/arch" + i + "</td><td><a class=\"digest\" href=\""
          + page(children.get(i)).replace("&", "&amp;") + "\">" + children.get(i) + "</a>");
    }
    String child = admin.get(page(children.getFirst())).body();
    assertThat(child).contains("<em>untagged</em>").contains("<dt>Listed by</dt>")
        .contains("href=\"" + page(index).replace("&", "&amp;") + "\">" + index + "</a>")
        .contains("<dt>Platform</dt><dd>linux/amd64</dd>")
        .contains("<code class=\"command\">podman pull " + registry.hostPort() + "/team/web@" + children.getFirst());
  }

  @Test
  void aReferrerLinksToItsSubjectAndShowsItsArtifactType() throws Exception {
    String body = login("admin", ADMIN_PASSWORD).get(page(signature)).body();
    assertThat(body).contains("<dt>Artifact type</dt><dd>" + SIGNATURE + "</dd>")
        .contains("<dt>Refers to</dt><dd><a class=\"digest\" href=\"" + page(image).replace("&", "&amp;") + "\">")
        .contains("config application/vnd.oci.empty.v1+json, 2 bytes")
        .doesNotContain("<h2 id=\"config\">");
  }

  @Test
  void aConfigThatIsNoJsonObjectIsSaidSoInsteadOfShown() throws Exception {
    ConsoleClient admin = login("admin", ADMIN_PASSWORD);
    for (var config : Map.of("not json {", "The config blob is not valid JSON.",
        "[\"an array\"]", "The config blob is not a JSON object.").entrySet()) {
      String pushed = images.push("team/odd", "t" + config.getKey().length(), config.getKey(), 10, Map.of());
      HttpResponse<String> response = admin.get(Links.artifact("team/odd", pushed));
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("<p class=\"note\">" + config.getValue() + "</p>")
          .doesNotContain("<h2 id=\"config\">").contains("<h2 id=\"layers\">");
    }
  }

  @Test
  void aGuestSeesThePageWithoutDeleteActions() throws Exception {
    HttpResponse<String> response = login("gus", PASSWORD).get(page(image));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("podman pull").contains("<dt>Platform</dt>")
        .doesNotContain("/ui/delete").doesNotContain("delete image").doesNotContain("delete tag");
  }

  @Test
  void aRepositoryOneMayNotPullAndAnUnknownOrMalformedDigestAreNotFound() throws Exception {
    ConsoleClient outsider = login("outsider", PASSWORD);
    HttpResponse<String> hidden = outsider.get(page(image));
    assertThat(hidden.statusCode()).isEqualTo(404);
    assertThat(hidden.body()).isEqualTo(outsider.get(Links.artifact("nowhere/web", image)).body());
    ConsoleClient admin = login("admin", ADMIN_PASSWORD);
    String unknown = "sha256:" + "0".repeat(64);
    // A digest of another repository is not this one's.
    for (String path : List.of(page(unknown), Links.artifact("other/web", image), page("sha256:nothex"), page(""),
        "/ui/artifact",
        "/ui/artifact?repository=Not..Valid&digest=" + image)) {
      HttpResponse<String> r = admin.get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(r.body()).as(path).contains("There is no such image.").doesNotContain("Exception");
    }
  }

  @Test
  void theScriptForCopyButtonsIsServedFromTheConsoleItself() throws Exception {
    HttpResponse<String> script = login("gus", PASSWORD).get("/ui/static/console.js");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
    assertThat(script.body()).contains("navigator.clipboard");
  }
}
