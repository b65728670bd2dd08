package dev.berth.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import dev.berth.testing.Chromium;
import dev.berth.testing.RunningRegistry;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A namespace admin's policy in real headless Chromium: from the namespace's page to its policy,
 * a typo refused with the text kept, a preview of the corrected document (nothing saved), saving,
 * a confirmed run, and its decisions. Screenshots go to target/screenshots/policy-*.png.
 */
class PolicyBrowserIT {
  private static final String ADMIN_PASSWORD = "admin-password-1";
  private static final Path SCREENSHOTS = Paths.get("target", "screenshots");

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
  void editPreviewSaveAndRunAPolicy() throws Exception {
    TestImages images = new TestImages(registry, "admin", ADMIN_PASSWORD);
    for (String tag : List.of("v1", "v2", "v3")) {
      images.push("shop/app", tag, 8 * 1024, Map.of());
      Thread.sleep(5);
    }

    Page page = browser.newPage();
    page.navigate("http://" + registry.hostPort() + "/ui/login");
    page.getByLabel("User name").fill("admin");
    page.getByLabel("Password").fill(ADMIN_PASSWORD);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
    page.navigate("http://" + registry.hostPort() + "/ui/namespace?name=shop");
    page.locator("#policy-link").click();
    assertThat(page.locator("h1")).hasText("Policy of shop");
    assertThat(page.locator("#policy-state")).containsText("This namespace has no policy");

    String typo = "retention:\n  rules:\n    - repositories: [\"**\"]\n      tags: [\"v*\"]\n      keep: { mostRecentlyPushd: 1 }\n";
    page.locator("#document").fill(typo);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save")).click();
    assertThat(page.locator("#problems")).containsText("retention.rules[0].keep");
    assertThat(page.locator("#document")).hasValue(typo);
    screenshot(page, "policy-1-refused");

    page.locator("#document").fill(typo.replace("Pushd", "Pushed"));
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Preview")).click();
    Locator preview = page.locator("#preview");
    assertThat(preview).containsText("retention dry run: 3 images, 1 kept, 2 would be deleted");
    assertThat(preview.locator("table.decisions tbody tr")).hasCount(3);
    assertThat(preview.locator("tr.going")).hasCount(2);
    assertThat(page.locator("#policy-state")).containsText("This namespace has no policy");
    screenshot(page, "policy-2-preview");

    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save")).click();
    assertThat(page.locator("#policy-state")).containsText("Policy set by admin");
    page.getByLabel("Delete what the saved policy does not keep", new Page.GetByLabelOptions().setExact(false)).check();
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Run retention")).click();
    assertThat(page.locator("#status")).hasText("succeeded",
        new com.microsoft.playwright.assertions.LocatorAssertions.HasTextOptions().setTimeout(30_000));
    assertThat(page.locator("#decisions-summary")).containsText("retention: 3 images, 1 kept, 2 deleted");
    screenshot(page, "policy-3-run");
    org.assertj.core.api.Assertions.assertThat(images.manifestStatus("shop/app", "v1")).isEqualTo(404);
    org.assertj.core.api.Assertions.assertThat(images.manifestStatus("shop/app", "v3")).isEqualTo(200);

    page.navigate("http://" + registry.hostPort() + "/ui/policy?namespace=shop");
    assertThat(page.locator("#retention-runs tbody tr")).hasCount(1);
    assertThat(page.locator("#retention-runs")).containsText("console");
  }

  private static void screenshot(Page page, String name) {
    page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
  }
}
