package dev.berth.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.RunningRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository's page with more images than fit on one, pushed through the /v2 API in no particular
 * order: the tagged / untagged filter, the version-aware order by tag, the totals of each page and
 * the link from each row to the image's own page.
 */
class RepositoryPageTest {
  private static final String ADMIN_PASSWORD = "admin-password-1";
  private static final String REPOSITORY = "/ui/repository?name=team%2Fmany";
  /** 1.0 to 1.51, then two tags that are no versions, then three untagged images: 57 in all. */
  private static final int VERSIONS = 52;

  @TempDir
  static Path root;

  static RunningRegistry registry;
  static TestImages images;
  static ConsoleClient admin;
  static String untagged;

  @BeforeAll
  static void start() throws Exception {
    registry = RunningRegistry.startWithAuth(root, ADMIN_PASSWORD);
    images = new TestImages(registry, "admin", ADMIN_PASSWORD);
    List<String> tags = new ArrayList<>();
    for (int i = 0; i < VERSIONS; i++) {
      tags.add("1." + i);
    }
    tags.add("latest");
    tags.add("edge");
    Collections.shuffle(tags, new Random(7));
    for (String tag : tags) {
      images.push("team/many", tag, 10, Map.of());
    }
    for (int i = 0; i < 3; i++) {
      untagged = images.push("team/many", null, 20 + i, Map.of());
    }
    admin = new ConsoleClient(registry.uri("/"));
    assertThat(admin.login("admin", ADMIN_PASSWORD).statusCode()).isEqualTo(303);
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  private static String page(String query) throws Exception {
    var response = admin.get(REPOSITORY + query);
    assertThat(response.statusCode()).as(query).isEqualTo(200);
    return response.body();
  }

  private static int count(String text, String needle) {
    return (int) Pattern.compile(Pattern.quote(needle)).matcher(text).results().count();
  }

  @Test
  void everyPageSaysWhichRowsOfHowManyItShows() throws Exception {
    String first = page("");
    assertThat(first).contains("57 images: 54 tagged, 3 untagged").contains("<span>page 1: 1-50 of 57</span>")
        .contains("<a rel=\"next\" href=\"" + REPOSITORY + "&amp;page=2\">");
    assertThat(count(first, "<td><a class=\"digest\"")).isEqualTo(50);
    String second = page("&page=2");
    assertThat(second).contains("<span>page 2: 51-57 of 57</span>").doesNotContain("rel=\"next\"");
    assertThat(count(second, "<td><a class=\"digest\"")).isEqualTo(7);
    // Newest first by default: the untagged images were pushed last.
    assertThat(first.indexOf("<em>untagged</em>")).isLessThan(first.indexOf("class=\"tag\""));
  }

  @Test
  void byTagVersionsComeInNumericOrderThenOtherTagsThenUntaggedImages() throws Exception {
    String first = page("&sort=tag");
    List<Integer> positions = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      positions.add(first.indexOf("class=\"tag\">1." + i + " <"));
    }
    assertThat(positions).doesNotContain(-1).isSorted();
    assertThat(first.indexOf(">1.9 <")).isLessThan(first.indexOf(">1.10 <"));
    assertThat(first).doesNotContain(">1.50 <").doesNotContain(">latest <")
        .contains("<a rel=\"next\" href=\"" + REPOSITORY + "&amp;sort=tag&amp;page=2\">")
        .contains("<a href=\"" + REPOSITORY + "&amp;sort=tag\" class=\"active\" aria-current=\"page\">by tag</a>")
        .contains("<a href=\"" + REPOSITORY + "\" class=\"\">newest first</a>");
    String second = page("&sort=tag&page=2");
    assertThat(second).contains("<span>page 2: 51-57 of 57</span>")
        .contains("<a rel=\"prev\" href=\"" + REPOSITORY + "&amp;sort=tag&amp;page=1\">");
    int v50 = second.indexOf(">1.50 <");
    int v51 = second.indexOf(">1.51 <");
    int edge = second.indexOf(">edge <");
    int latest = second.indexOf(">latest <");
    int firstUntagged = second.indexOf("<em>untagged</em>");
    assertThat(List.of(v50, v51, edge, latest, firstUntagged)).doesNotContain(-1).isSorted();
  }

  @Test
  void theFilterShowsOnlyTaggedOrOnlyUntaggedImagesAndKeepsTheOrder() throws Exception {
    String untaggedOnly = page("&show=untagged");
    assertThat(count(untaggedOnly, "<em>untagged</em>")).isEqualTo(3);
    assertThat(untaggedOnly).doesNotContain("class=\"tag\"").doesNotContain("rel=\"next\"")
        .contains("57 images: 54 tagged, 3 untagged")
        .contains("<a href=\"" + REPOSITORY + "&amp;show=untagged\" class=\"active\" aria-current=\"page\">untagged</a>");
    String tagged = page("&show=tagged&sort=tag");
    assertThat(tagged).contains("<span>page 1: 1-50 of 54</span>").doesNotContain("<em>untagged</em>")
        .contains("<a rel=\"next\" href=\"" + REPOSITORY + "&amp;show=tagged&amp;sort=tag&amp;page=2\">")
        .contains("<a href=\"" + REPOSITORY + "&amp;sort=tag\" class=\"\">all</a>");
    assertThat(page("&show=tagged&sort=tag&page=2")).contains("51-54 of 54").contains(">latest <")
        .doesNotContain("<em>untagged</em>");
    // Unknown values are the defaults.
    assertThat(page("&show=some&sort=size")).contains("<span>page 1: 1-50 of 57</span>");
  }

  @Test
  void eachRowLinksToTheImagesOwnPage() throws Exception {
    String href = Links.artifact("team/many", untagged);
    assertThat(page("&show=untagged")).contains("<a class=\"digest\" href=\"" + href.replace("&", "&amp;") + "\"");
    assertThat(admin.get(href).body()).contains("<h1 class=\"digest\">team/many@<wbr>" + untagged + "</h1>");
  }
}
