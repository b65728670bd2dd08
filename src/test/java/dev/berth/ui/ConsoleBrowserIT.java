package dev.berth.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.LocatorAssertions;
import dev.berth.auth.Users;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.testing.RunningRegistry;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An administrator's afternoon in real headless Chromium: sign in, find the repository, delete a
 * tag after reading that another tag keeps the image, delete an image, dry-run GC, collect, and
 * read the bytes freed in the history; then the audit log and a robot account on its namespace's
 * page. And a maintainer of one namespace who sees only that namespace. Screenshots of each step go
 * to target/screenshots/.
 */
class ConsoleBrowserIT {
  private static final String ADMIN_PASSWORD = "admin-password-1";
  private static final String MAINTAINER_PASSWORD = "maintainer-password-1";
  private static final Path SCREENSHOTS = Paths.get("target", "screenshots");
  private static final Pattern EXACT_BYTES = Pattern.compile("\\((\\d+) bytes\\)");
  private static final LocatorAssertions.HasTextOptions PATIENTLY =
      new LocatorAssertions.HasTextOptions().setTimeout(30_000);

  @TempDir
  static Path root;

  static RunningRegistry registry;
  static Playwright playwright;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    registry = RunningRegistry.startWithAuth(root, ADMIN_PASSWORD);
    // The browser is Debian's; Playwright must not try to download its own.
    playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
        .setExecutablePath(Paths.get("/usr/bin/chromium"))
        .setArgs(List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync")));
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (playwright != null) {
      playwright.close();
    }
    registry.close();
  }

  @Test
  void deleteWithPreviewThenCollectGarbage() throws Exception {
    TestImages images = new TestImages(registry, "admin", ADMIN_PASSWORD);
    String shared = images.push("web/app", "v1", 64 * 1024, Map.of());
    images.tag("web/app", shared, "v2");
    images.push("web/app", "old", 256 * 1024, Map.of());

    Page page = browser.newPage();
    signIn(page, "admin", ADMIN_PASSWORD);
    screenshot(page, "01-dashboard");

    page.locator("header nav").getByText("Repositories").click();
    assertThat(page.locator("svg.chart")).isVisible();
    screenshot(page, "02-repositories");
    page.locator("table").getByText("web/app").click();
    assertThat(page.locator("h1")).hasText("web/app");
    screenshot(page, "03-repository");

    page.locator("a[aria-label='delete tag v1']").click();
    Locator warning = page.locator(".warning");
    assertThat(warning).containsText("The same image is also tagged v2.");
    screenshot(page, "04-delete-tag-preview");
    page.getByText("Delete", new Page.GetByTextOptions().setExact(true)).click();
    assertThat(page.locator(".notice")).containsText("Deleted tag v1. The image keeps its other tags, so no bytes are freed.");
    assertThat(page.locator("a[aria-label='delete tag v1']")).hasCount(0);
    assertThat(page.locator("a[aria-label='delete tag v2']")).hasCount(1);

    page.locator("a[aria-label='delete tag old']").click();
    assertThat(page.locator(".preview")).containsText("This is the only tag on image");
    page.getByText("Delete", new Page.GetByTextOptions().setExact(true)).click();
    assertThat(page.locator(".notice")).containsText("Deleted tag old. The image is now untagged");
    screenshot(page, "05-after-deletes");

    long dryRunFreed = collect(page, "Dry run", "06-dry-run");
    assertThat(dryRunFreed).isGreaterThan(256 * 1024);
    long freed = collect(page, "Collect garbage", "07-collection");
    assertThat(freed).isEqualTo(dryRunFreed);

    page.locator("header nav").getByText("Garbage collection").click();
    Locator collection = page.locator("table.runs tbody tr").filter(new Locator.FilterOptions().setHasText("collection"));
    assertThat(collection.locator(".freed")).containsText("(" + freed + " bytes)");
    screenshot(page, "08-history");
    assertThat(images.manifestStatus("web/app", "v2")).isEqualTo(200);

    page.locator("header nav").getByText("Dashboard").click();
    assertThat(page.locator("svg.chart")).isVisible();
    screenshot(page, "09-dashboard-after");

    page.locator("header nav").getByText("Audit log").click();
    Locator entry = page.locator("tbody tr").filter(new Locator.FilterOptions().setHasText("web/app:v1"));
    assertThat(entry.locator("td").nth(1)).hasText("admin@127.0.0.1");
    assertThat(entry.locator("td").nth(2)).hasText("tag.delete");
    screenshot(page, "10-audit");
    page.locator("header nav").getByText("Namespaces").click();
    page.locator("table.namespaces").getByText("web", new Locator.GetByTextOptions().setExact(true)).click();
    page.locator("form[action='/ui/namespace/robots'] input[name=name]").fill("ci");
    page.locator("form[action='/ui/namespace/robots'] input[name=expiresInDays]").fill("90");
    page.getByText("Create robot", new Page.GetByTextOptions().setExact(true)).click();
    assertThat(page.locator("#secret")).not().isEmpty();
    assertThat(page.locator("table.robots")).containsText("active until");
    screenshot(page, "11-namespace-robot-created");
  }

  /** A maintainer of one namespace sees that namespace's repositories and none of the registry-wide pages. */
  @Test
  void aMaintainerSeesOnlyTheirNamespace() throws Exception {
    TestImages images = new TestImages(registry, "admin", ADMIN_PASSWORD);
    images.push("mine/app", "v1", 1024, Map.of());
    images.push("theirs/app", "v1", 1024, Map.of());
    try (SqlMetadataStore store = SqlMetadataStore.sqlite(root.resolve("berth/metadata.db"))) {
      new Users(store.access(), Clock.systemUTC()).add("mia", MAINTAINER_PASSWORD, false);
      store.access().setRole("mine", "mia", "maintainer");
    }

    Page page = browser.newPage();
    signIn(page, "mia", MAINTAINER_PASSWORD);
    assertThat(page.locator("#repositories")).hasText("1");
    assertThat(page.locator("header nav")).not().containsText("Garbage collection");
    assertThat(page.locator("header nav")).not().containsText("Audit log");
    screenshot(page, "20-maintainer-dashboard");

    page.locator("header nav").getByText("Repositories").click();
    assertThat(page.locator("table")).containsText("mine/app");
    assertThat(page.locator("table")).not().containsText("theirs/app");
    screenshot(page, "21-maintainer-repositories");
    page.locator("table").getByText("mine/app").click();
    assertThat(page.locator("a[aria-label='delete tag v1']")).hasCount(1);

    page.navigate("http://" + registry.hostPort() + "/ui/repository?name=theirs/app");
    assertThat(page.locator("h1")).hasText("Not found");
    screenshot(page, "22-maintainer-other-namespace");
  }

  @Test
  void theArtifactPageFitsAPhoneAndItsCopyButtonsCopy() throws Exception {
    TestImages images = new TestImages(registry, "admin", ADMIN_PASSWORD);
    String repository = "narrow/a-repository-with-a-rather-long-name-for-a-phone";
    String image = images.push(repository, "1.0", 2048, Map.of("org.opencontainers.image.description", "narrow"));
    images.referrer(repository, image, "application/spdx+json", 64);
    for (int width : List.of(390, 1280)) {
      BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(width, 844));
      context.grantPermissions(List.of("clipboard-read", "clipboard-write"));
      Page page = context.newPage();
      signIn(page, "admin", ADMIN_PASSWORD);
      page.navigate("http://" + registry.hostPort() + Links.repository(repository));
      assertThat(page.locator("table.images")).containsText("1.0");
      assertThat(pageWidth(page)).as("repository page at %d px", width).isLessThanOrEqualTo(width);
      screenshot(page, "30-repository-" + width);
      page.locator("table.images a.digest").first().click();
      // The width is measured once the new page has its stylesheet: the heading alone can be there before.
      page.waitForLoadState(com.microsoft.playwright.options.LoadState.LOAD);
      assertThat(page.locator("h1")).containsText(image);
      assertThat(page.locator("#referrers + table")).containsText("application/spdx+json");
      assertThat(pageWidth(page)).as("artifact page at %d px", width).isLessThanOrEqualTo(width);
      screenshot(page, "31-artifact-" + width);
      Locator copy = page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
          new Page.GetByRoleOptions().setName("copy the pull command by tag 1.0"));
      copy.click();
      assertThat(copy).hasText("Copied");
      assertThat(page.evaluate("navigator.clipboard.readText()"))
          .isEqualTo("podman pull " + registry.hostPort() + "/" + repository + ":1.0");
      context.close();
    }
  }

  /** How wide the document lays out: wider than the viewport means the page scrolls sideways. */
  private static int pageWidth(Page page) {
    return ((Number) page.evaluate("document.documentElement.scrollWidth")).intValue();
  }

  private static void signIn(Page page, String user, String password) {
    page.navigate("http://" + registry.hostPort() + "/");
    assertThat(page).hasURL("http://" + registry.hostPort() + "/ui/login");
    page.getByLabel("User name").fill(user);
    page.getByLabel("Password").fill(password);
    page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
        new Page.GetByRoleOptions().setName("Sign in")).click();
    assertThat(page.locator("h1")).hasText("Dashboard");
  }

  /** Starts a run from the GC page (untagged images too, no grace) and waits for its report. */
  private static long collect(Page page, String button, String screenshot) {
    page.locator("header nav").getByText("Garbage collection").click();
    page.locator("input[name=deleteUntagged]").check();
    page.locator("input[name=grace]").fill("0s");
    page.getByText(button, new Page.GetByTextOptions().setExact(true)).click();
    // The run page reloads itself every second until the run has finished.
    assertThat(page.locator("#status")).hasText("succeeded", PATIENTLY);
    String freed = page.locator("#freed").textContent();
    screenshot(page, screenshot);
    Matcher m = EXACT_BYTES.matcher(freed);
    assertThat(m.find()).as(freed).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static void screenshot(Page page, String name) {
    page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
  }
}
