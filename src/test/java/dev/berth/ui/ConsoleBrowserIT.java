package dev.berth.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.deque.html.axecore.playwright.AxeBuilder;
import com.deque.html.axecore.results.AxeResults;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.LoadState;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.ColorScheme;
import dev.berth.auth.Users;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.testing.Chromium;
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
 * page. And a maintainer of one namespace who sees only that namespace; a bulk delete and a
 * confirmed removal; axe-core on every screen. Screenshots of each step go to target/screenshots/.
 */
class ConsoleBrowserIT {
  private static final String ADMIN_PASSWORD = "admin-password-1";
  private static final String MAINTAINER_PASSWORD = "maintainer-password-1";
  private static final Path SCREENSHOTS = Paths.get("target", "screenshots");
  private static final Page.GetByLabelOptions EXACTLY = new Page.GetByLabelOptions().setExact(true);
  private static final Pattern EXACT_BYTES = Pattern.compile("\\((\\d+) bytes\\)");
  private static final LocatorAssertions.HasTextOptions PATIENTLY =
      new LocatorAssertions.HasTextOptions().setTimeout(30_000);

  @TempDir
  static Path root;

  static RunningRegistry registry;
  static Chromium chromium;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    registry = RunningRegistry.startWithAuth(root, ADMIN_PASSWORD);
    chromium = Chromium.launch();
    browser = chromium.browser();
  }

  @AfterAll
  static void stop() throws Exception {
    if (chromium != null) {
      chromium.close();
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

  /**
   * The GC schedule edited at phone and desktop width: a bad expression refused with what was typed
   * kept, then saved, its next times shown, the page narrower than the screen and axe-clean; then
   * switched off again.
   */
  @Test
  void theGcScheduleIsEditedAtPhoneAndDesktopWidth() throws Exception {
    for (int width : List.of(390, 1280)) {
      BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(width, 844));
      Page page = context.newPage();
      signIn(page, "admin", ADMIN_PASSWORD);
      page.locator("header nav").getByText("Garbage collection").click();
      page.getByLabel("Cron expression (UTC)").fill("every night");
      page.getByLabel("run on this schedule").check();
      page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save schedule")).click();
      assertThat(page.locator("p.error")).containsText("Schedule not saved: invalid cron expression");
      assertThat(page.getByLabel("Cron expression (UTC)")).hasValue("every night");
      assertThat(page.getByLabel("run on this schedule")).isChecked();

      String cron = width == 390 ? "30 2 * * 0" : "45 1 * * 6";
      page.getByLabel("Cron expression (UTC)").fill(cron);
      page.locator("input[name=scheduleUntagged]").check();
      page.locator("input[name=scheduleGrace]").fill("12h");
      page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save schedule")).click();
      assertThat(page.locator("p.notice"))
          .hasText("Schedule saved: " + cron + " (on), untagged images too, grace 12h.");
      assertThat(page.locator(".next-runs")).containsText("Next runs: ");
      assertThat(page.locator("#cron-help")).containsText("Set by admin@");
      fitsAndPassesAxe(page, "/ui/gc (schedule saved)", width, "60-gc-schedule-" + width);
      context.close();
    }
    Page page = browser.newPage();
    signIn(page, "admin", ADMIN_PASSWORD);
    page.locator("header nav").getByText("Garbage collection").click();
    page.getByLabel("run on this schedule").uncheck();
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save schedule")).click();
    assertThat(page.locator(".next-runs")).hasText("The schedule is off: no run starts by itself.");
    page.context().close();
  }

  /** The audit log's filters, used as a person would: a user, then a namespace and an action, then clear. */
  @Test
  void theAuditLogFiltersByUserNamespaceActionAndDays() throws Exception {
    TestImages images = new TestImages(registry, "admin", ADMIN_PASSWORD);
    images.push("audited/app", "1.0", 1000, Map.of());
    images.push("elsewhere/app", "1.0", 1000, Map.of());
    for (int width : List.of(390, 1280)) {
      BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(width, 844));
      Page page = context.newPage();
      signIn(page, "admin", ADMIN_PASSWORD);
      page.locator("header nav").getByText("Audit log").click();
      page.getByLabel("Namespace", EXACTLY).fill("audited");
      page.getByLabel("Action", EXACTLY).selectOption("manifest.push");
      String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
      page.getByLabel("From", EXACTLY).fill(today);
      page.getByLabel("Until", EXACTLY).fill(today);
      page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Filter")).click();
      Locator rows = page.locator("table.audit tbody tr");
      assertThat(rows).hasCount(1);
      assertThat(rows).containsText("audited/app:1.0@sha256:");
      assertThat(page.getByLabel("Namespace", EXACTLY)).hasValue("audited");
      fitsAndPassesAxe(page, "/ui/audit (filtered)", width, "61-audit-filtered-" + width);

      page.getByLabel("Namespace", EXACTLY).fill("");
      page.getByLabel("User", EXACTLY).fill("nobody-at-all");
      page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Filter")).click();
      assertThat(rows).hasText("No entry matches these filters.");
      page.getByText("Clear", new Page.GetByTextOptions().setExact(true)).click();
      assertThat(page.getByLabel("User", EXACTLY)).hasValue("");
      assertThat(rows.first()).not().hasText("No entry matches these filters.");
      context.close();
    }
  }

  /**
   * Every screen of the console, signed in as a system administrator (who sees them all), at phone
   * and desktop width, in the light and the dark colour scheme: axe-core finds no serious or critical
   * violation (contrast included), and no page scrolls sideways.
   */
  @Test
  void everyScreenPassesAxeAtPhoneAndDesktopWidthInLightAndDark() throws Exception {
    TestImages images = new TestImages(registry, "admin", ADMIN_PASSWORD);
    String repository = "axe/app";
    String amd = images.push(repository, null, 1500, Map.of("org.opencontainers.image.title", "amd"));
    String arm = images.push(repository, null, 1600, Map.of());
    String index = images.index(repository, "1.0", List.of(amd, arm));
    images.referrer(repository, index, "application/vnd.example.signature", 64);
    images.push(repository, "2.0", 1700, Map.of());
    String run;
    {
      Page page = browser.newPage();
      signIn(page, "admin", ADMIN_PASSWORD);
      run(page, "Dry run");
      run = page.url().substring(page.url().indexOf("/ui/gc/run"));
      page.context().close();
    }
    String base = "http://" + registry.hostPort();
    List<String> screens = List.of("/ui/", "/ui/repositories", Links.repository(repository),
        Links.artifact(repository, index), Links.delete(repository, "2.0"), Links.delete(repository, index),
        Links.deleteMany(repository, DeleteController.Scope.REPOSITORY), "/ui/gc", run, "/ui/audit", "/ui/users",
        "/ui/namespaces", Links.namespace("axe"), Links.policy("axe"), "/ui/account", "/ui/no-such-page");
    List<String> violations = new java.util.ArrayList<>();
    for (ColorScheme scheme : List.of(ColorScheme.LIGHT, ColorScheme.DARK)) {
      for (int width : List.of(390, 1280)) {
        BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(width, 844)
            .setColorScheme(scheme));
        Page page = context.newPage();
        page.navigate(base + "/ui/login");
        violations.addAll(axe(page, "/ui/login", scheme, width));
        signIn(page, "admin", ADMIN_PASSWORD);
        for (String screen : screens) {
          page.navigate(base + screen);
          page.waitForLoadState(com.microsoft.playwright.options.LoadState.LOAD);
          violations.addAll(axe(page, screen, scheme, width));
          assertThat(pageWidth(page)).as("%s at %d px", screen, width).isLessThanOrEqualTo(width);
        }
        screenshot(page, "41-axe-last-" + scheme.name().toLowerCase(java.util.Locale.ROOT) + "-" + width);
        context.close();
      }
    }
    assertThat(violations).isEmpty();
  }

  /** The page as loaded is no wider than the screen and axe-clean; its screenshot is kept. */
  private static void fitsAndPassesAxe(Page page, String screen, int width, String screenshot) {
    page.waitForLoadState(LoadState.LOAD);
    assertThat(pageWidth(page)).as("%s at %d px", screen, width).isLessThanOrEqualTo(width);
    screenshot(page, screenshot);
    assertThat(axe(page, screen, ColorScheme.LIGHT, width)).isEmpty();
  }

  /** axe-core's serious and critical violations on the page as it is, one line each. */
  private static List<String> axe(Page page, String screen, ColorScheme scheme, int width) {
    AxeResults results = new AxeBuilder(page).analyze();
    assertThat(results.getErrorMessage()).as(screen).isNull();
    assertThat(results.getPasses()).as("axe ran its rules on %s", screen).isNotEmpty();
    return results.getViolations().stream()
        .filter(rule -> "serious".equals(rule.getImpact()) || "critical".equals(rule.getImpact()))
        .map(rule -> screen + " (" + scheme + ", " + width + " px): " + rule.getId() + " " + rule.getImpact() + " on "
            + rule.getNodes().stream().map(n -> n.getHtml() + " " + n.getFailureSummary()).toList())
        .toList();
  }

  /**
   * Several images selected on the repository page go after one combined preview; removing a member
   * asks first, and the page then says it was done.
   */
  @Test
  void bulkDeleteAndAConfirmedRemoval() throws Exception {
    TestImages images = new TestImages(registry, "admin", ADMIN_PASSWORD);
    String one = images.push("bulk/web", "one", 1000, Map.of());
    String two = images.push("bulk/web", "two", 1100, Map.of());
    images.push("bulk/web", "three", 1200, Map.of());
    try (SqlMetadataStore store = SqlMetadataStore.sqlite(root.resolve("berth/metadata.db"))) {
      new Users(store.access(), Clock.systemUTC()).add("nell", MAINTAINER_PASSWORD, false);
      store.access().setRole("bulk", "nell", "guest");
    }
    Page page = browser.newPage();
    signIn(page, "admin", ADMIN_PASSWORD);
    page.navigate("http://" + registry.hostPort() + Links.repository("bulk/web"));
    page.getByLabel("select image " + one).check();
    page.getByLabel("select image " + two).check();
    page.getByText("Delete the selected images…").click();
    assertThat(page.locator("h1")).hasText("Delete 2 selected images of bulk/web?");
    assertThat(page.locator(".preview")).containsText("The delete removes 2 tags with the images.");
    screenshot(page, "50-bulk-preview");
    page.getByText("Delete 2 manifests", new Page.GetByTextOptions().setExact(true)).click();
    assertThat(page.locator(".notice")).containsText("Deleted 2 images.");
    assertThat(page.locator("table.images")).containsText("three");
    assertThat(page.locator("table.images")).not().containsText("one");
    screenshot(page, "51-bulk-after");

    page.navigate("http://" + registry.hostPort() + Links.namespace("bulk"));
    List<String> asked = new java.util.ArrayList<>();
    page.onceDialog(dialog -> {
      asked.add(dialog.message());
      dialog.dismiss();
    });
    page.getByLabel("remove nell from bulk").click();
    assertThat(page.locator("table.members")).containsText("nell");
    assertThat(asked).containsExactly("Remove nell from bulk?");
    page.onceDialog(dialog -> dialog.accept());
    page.getByLabel("remove nell from bulk").click();
    assertThat(page.locator(".notice")).hasText("Removed nell from bulk.");
    assertThat(page.locator("table.members")).not().containsText("nell");
    screenshot(page, "52-member-removed");
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

  /** {@link #run}, and the exact bytes its report says it freed. */
  private static long collect(Page page, String button, String screenshot) {
    run(page, button);
    String freed = page.locator("#freed").textContent();
    screenshot(page, screenshot);
    Matcher m = EXACT_BYTES.matcher(freed);
    assertThat(m.find()).as(freed).isTrue();
    return Long.parseLong(m.group(1));
  }

  /** Starts a run from the GC page (untagged images too, no grace) and waits until it has finished. */
  private static void run(Page page, String button) {
    page.locator("header nav").getByText("Garbage collection").click();
    page.locator("input[name=deleteUntagged]").check();
    page.locator("input[name=grace]").fill("0s");
    if (button.equals("Collect garbage")) {
      // A real run asks first.
      page.onceDialog(dialog -> {
        assertThat(dialog.message()).startsWith("Collect garbage for real?");
        dialog.accept();
      });
    }
    page.getByText(button, new Page.GetByTextOptions().setExact(true)).click();
    // The run page reloads itself every second until the run has finished.
    assertThat(page.locator("#status")).hasText("succeeded", PATIENTLY);
  }

  private static void screenshot(Page page, String name) {
    page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
  }
}
