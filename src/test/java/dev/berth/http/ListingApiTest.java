package dev.berth.http;

import static dev.berth.testing.ApiAssertions.assertError;
import static dev.berth.testing.ManifestBuilder.OCI_MANIFEST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.BlobBackend;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.RegistryClient.PushedManifest;
import dev.berth.testing.RegistryResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code GET /v2/<name>/tags/list} and {@code GET /v2/_catalog}, with pagination. */
class ListingApiTest {
  /** Pushed in this order; listed in lexical order. */
  private static final List<String> TAGS = List.of("v2", "latest", "1.0", "v10", "alpha", "v1", "beta_1", "1.0-rc");
  private static final List<String> SORTED = TAGS.stream().sorted().toList();
  /** Repositories of the catalog tests, in no particular order. */
  private static final List<String> REPOSITORIES = List.of("zeta", "alpha/two", "m/x/y", "alpha/one", "beta", "alpha");

  @TempDir
  static Path root;
  static RegistryClient registry;
  static String tagged;

  /** On the filesystem here; again on S3 in {@code S3ListingApiTest}. */
  @BeforeAll
  static void start(TestInfo test) throws Exception {
    registry = RegistryClient.start(root, false, BlobBackend.of(test));
    tagged = RegistryClient.uniqueRepo("listing");
    PushedManifest image = registry.pushImage(tagged, TAGS.getFirst());
    for (String tag : TAGS) {
      registry.pushManifest(tagged, tag, OCI_MANIFEST, image.bytes());
    }
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  private static List<String> tags(RegistryResponse r) {
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    List<String> tags = new ArrayList<>();
    r.json().path("tags").forEach(t -> tags.add(t.asText()));
    return tags;
  }

  private static RegistryResponse tagPage(String query) {
    return registry.get("/v2/" + tagged + "/tags/list" + query);
  }

  // ---- tags

  @Test
  void tagsAreListedInLexicalOrder() {
    RegistryResponse r = tagPage("");

    assertThat(tags(r)).isEqualTo(SORTED);
    assertThat(r.json().path("name").asText()).isEqualTo(tagged);
    assertThat(r.hasHeader("Link")).isFalse();
  }

  @Test
  void firstPageOfNHasALinkToTheNext() {
    RegistryResponse r = tagPage("?n=3");

    assertThat(tags(r)).isEqualTo(SORTED.subList(0, 3));
    assertThat(r.header("Link"))
        .isEqualTo("</v2/" + tagged + "/tags/list?last=" + SORTED.get(2) + "&n=3>; rel=\"next\"");
  }

  @Test
  void pageAfterLastStartsAfterIt() {
    RegistryResponse r = tagPage("?n=2&last=" + SORTED.get(2));

    assertThat(tags(r)).isEqualTo(SORTED.subList(3, 5));
    assertThat(r.header("Link"))
        .isEqualTo("</v2/" + tagged + "/tags/list?last=" + SORTED.get(4) + "&n=2>; rel=\"next\"");
  }

  @Test
  void pageThatReachesTheEndHasNoLink() {
    int remaining = SORTED.size() - 5;
    RegistryResponse exact = tagPage("?n=" + remaining + "&last=" + SORTED.get(4));
    RegistryResponse wider = tagPage("?n=100&last=" + SORTED.get(4));
    RegistryResponse all = tagPage("?n=" + SORTED.size());

    assertThat(tags(exact)).isEqualTo(SORTED.subList(5, SORTED.size()));
    assertThat(exact.hasHeader("Link")).isFalse();
    assertThat(tags(wider)).isEqualTo(SORTED.subList(5, SORTED.size()));
    assertThat(wider.hasHeader("Link")).isFalse();
    assertThat(tags(all)).isEqualTo(SORTED);
    assertThat(all.hasHeader("Link")).isFalse();
  }

  @Test
  void lastWithoutNListsEverythingAfterIt() {
    assertThat(tags(tagPage("?last=" + SORTED.get(5)))).isEqualTo(SORTED.subList(6, SORTED.size()));
    assertThat(tags(tagPage("?last=" + SORTED.getLast()))).isEmpty();
  }

  @Test
  void lastNeedNotBeAnExistingTag() {
    // "b" sorts between "alpha" and "beta_1".
    assertThat(tags(tagPage("?n=2&last=b"))).containsExactly("beta_1", "latest");
  }

  @Test
  void followingTheLinkChainCollectsEveryTagOnce() {
    assertThat(registry.allTags(tagged, 3)).isEqualTo(SORTED);
    assertThat(registry.allTags(tagged, 1)).isEqualTo(SORTED);
  }

  /** The spec: when n is zero the list MUST be empty and there MUST NOT be a Link header. */
  @Test
  void nOfZeroIsAnEmptyListWithoutLink() {
    RegistryResponse r = tagPage("?n=0");

    assertThat(tags(r)).isEmpty();
    assertThat(r.hasHeader("Link")).isFalse();
  }

  @Test
  void repositoryWithoutTagsHasAnEmptyList() {
    String repo = RegistryClient.uniqueRepo("listing");
    registry.pushBlob(repo, "just a blob".getBytes());

    RegistryResponse r = registry.get("/v2/" + repo + "/tags/list");

    assertThat(tags(r)).isEmpty();
    assertThat(r.json().path("name").asText()).isEqualTo(repo);
  }

  @Test
  void unknownRepositoryIs404NameUnknown() {
    assertError(registry.get("/v2/" + RegistryClient.uniqueRepo("listing") + "/tags/list"), 404, "NAME_UNKNOWN");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "abc", "1.5", "99999999999"})
  void invalidNIs400PaginationNumberInvalid(String n) {
    assertError(tagPage("?n=" + n), 400, "PAGINATION_NUMBER_INVALID");
    assertError(registry.get("/v2/_catalog?n=" + n), 400, "PAGINATION_NUMBER_INVALID");
  }

  // ---- catalog (each test on its own registry, so that it knows every repository)

  private static List<String> repositories(RegistryResponse r) {
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    List<String> names = new ArrayList<>();
    r.json().path("repositories").forEach(n -> names.add(n.asText()));
    return names;
  }

  private static RegistryClient catalogRegistry(Path dir) throws Exception {
    RegistryClient fresh = RegistryClient.start(dir, false);
    for (String repo : REPOSITORIES) {
      fresh.pushBlob(repo, repo.getBytes());
    }
    // An upload never completed does not make a repository.
    fresh.startUpload("abandoned");
    return fresh;
  }

  @Test
  void catalogListsRepositoriesInLexicalOrder(@TempDir Path dir) throws Exception {
    try (RegistryClient fresh = catalogRegistry(dir)) {
      RegistryResponse r = fresh.get("/v2/_catalog");

      assertThat(repositories(r)).isEqualTo(REPOSITORIES.stream().sorted().toList());
      assertThat(r.hasHeader("Link")).isFalse();
    }
  }

  @Test
  void catalogPaginatesWithLinkHeaders(@TempDir Path dir) throws Exception {
    List<String> sorted = REPOSITORIES.stream().sorted().toList();
    try (RegistryClient fresh = catalogRegistry(dir)) {
      RegistryResponse first = fresh.get("/v2/_catalog?n=2");
      assertThat(repositories(first)).isEqualTo(sorted.subList(0, 2));
      String next = RegistryClient.nextLink(first);
      assertThat(next).startsWith("/v2/_catalog?").contains("n=2");
      assertThat(URLDecoder.decode(next, StandardCharsets.UTF_8)).contains("last=" + sorted.get(1));

      List<String> all = new ArrayList<>(repositories(first));
      while (next != null) {
        RegistryResponse page = fresh.get(next);
        all.addAll(repositories(page));
        next = RegistryClient.nextLink(page);
      }
      assertThat(all).isEqualTo(sorted);

      RegistryResponse afterLast = fresh.get("/v2/_catalog?n=2&last=" + sorted.get(3));
      assertThat(repositories(afterLast)).isEqualTo(sorted.subList(4, 6));
      assertThat(afterLast.hasHeader("Link")).isFalse();
    }
  }

  @Test
  void catalogWithNOfZeroIsAnEmptyListWithoutLink(@TempDir Path dir) throws Exception {
    try (RegistryClient fresh = catalogRegistry(dir)) {
      RegistryResponse r = fresh.get("/v2/_catalog?n=0");

      assertThat(repositories(r)).isEmpty();
      assertThat(r.hasHeader("Link")).isFalse();
    }
  }
}
