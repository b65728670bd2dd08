package dev.berth.http;

import static dev.berth.testing.ApiAssertions.assertError;
import static dev.berth.testing.ApiAssertions.assertHeadError;
import static dev.berth.testing.ManifestBuilder.OCI_INDEX;
import static dev.berth.testing.ManifestBuilder.OCI_MANIFEST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.BlobBackend;
import dev.berth.testing.Digests;
import dev.berth.testing.ManifestBuilder;
import dev.berth.testing.ManifestBuilder.Descriptor;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.RegistryClient.PushedManifest;
import dev.berth.testing.RegistryResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** {@code DELETE} of manifests, tags and blobs, with deletes enabled and disabled. */
class DeleteApiTest {
  @TempDir
  static Path root;
  static RegistryClient registry;

  /** On the filesystem here; again on S3 in {@code S3DeleteApiTest}. */
  @BeforeAll
  static void start(TestInfo test) throws Exception {
    registry = RegistryClient.start(root.resolve("enabled"), true, BlobBackend.of(test));
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  private static String repo() {
    return RegistryClient.uniqueRepo("deletes");
  }

  private static String manifestPath(String repo, String reference) {
    return "/v2/" + repo + "/manifests/" + reference;
  }

  private static void assertManifest(String repo, String reference, PushedManifest expected) {
    RegistryResponse r = registry.getManifest(repo, reference, expected.mediaType());
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    assertThat(r.body()).isEqualTo(expected.bytes());
  }

  private static void assertNoManifest(String repo, String reference) {
    assertError(registry.getManifest(repo, reference, OCI_MANIFEST, OCI_INDEX), 404, "MANIFEST_UNKNOWN");
    assertHeadError(registry.head(manifestPath(repo, reference)), 404);
  }

  private static List<String> tags(String repo) {
    RegistryResponse r = registry.get("/v2/" + repo + "/tags/list");
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    List<String> tags = new ArrayList<>();
    r.json().path("tags").forEach(t -> tags.add(t.asText()));
    return tags;
  }

  private static PushedManifest imageTagged(String repo, String... tags) {
    PushedManifest image = registry.pushImage(repo, tags[0]);
    for (String tag : tags) {
      registry.pushManifest(repo, tag, image.mediaType(), image.bytes());
    }
    return image;
  }

  // ---- manifests and tags

  @Test
  void deletingByDigestRemovesTheManifestAndEveryTagOnIt() {
    String repo = repo();
    PushedManifest image = imageTagged(repo, "a", "b", "c");
    PushedManifest keep = registry.pushImage(repo, "other");

    assertThat(registry.delete(manifestPath(repo, image.digest())).status()).isEqualTo(202);

    assertNoManifest(repo, image.digest());
    assertNoManifest(repo, "a");
    assertNoManifest(repo, "b");
    assertNoManifest(repo, "c");
    assertThat(tags(repo)).containsExactly("other");
    assertManifest(repo, "other", keep);
  }

  @Test
  void deletingTagARemovesOnlyTagAAndNeverTagB() {
    String repo = repo();
    PushedManifest image = imageTagged(repo, "a", "b");

    assertThat(registry.delete(manifestPath(repo, "a")).status()).isEqualTo(202);

    assertNoManifest(repo, "a");
    assertManifest(repo, "b", image);
    assertManifest(repo, image.digest(), image);
    assertThat(tags(repo)).containsExactly("b");
  }

  @Test
  void deletingTheLastTagLeavesTheManifestReachableByDigest() {
    String repo = repo();
    PushedManifest image = imageTagged(repo, "only");

    assertThat(registry.delete(manifestPath(repo, "only")).status()).isEqualTo(202);

    assertNoManifest(repo, "only");
    assertManifest(repo, image.digest(), image);
  }

  @Test
  void deletingAManifestInOneRepositoryLeavesTheSameManifestInAnother() {
    String repo = repo();
    String other = repo();
    ManifestBuilder manifest = registry.imageWithFreshBlobs(repo, OCI_MANIFEST);
    byte[] bytes = manifest.build();
    for (Descriptor blob : manifest.blobs()) {
      RegistryResponse mount = registry.mount(other, repo, blob.digest());
      assertThat(mount.status()).as("%s", mount).isEqualTo(201);
    }
    PushedManifest here = registry.pushManifest(repo, "t", OCI_MANIFEST, bytes);
    PushedManifest there = registry.pushManifest(other, "t", OCI_MANIFEST, bytes);

    assertThat(registry.delete(manifestPath(repo, here.digest())).status()).isEqualTo(202);

    assertNoManifest(repo, "t");
    assertManifest(other, "t", there);
    assertManifest(other, there.digest(), there);
  }

  @Test
  void deletedManifestCanBePushedAgain() {
    String repo = repo();
    PushedManifest image = imageTagged(repo, "again");
    assertThat(registry.delete(manifestPath(repo, image.digest())).status()).isEqualTo(202);

    registry.pushManifest(repo, "again", image.mediaType(), image.bytes());

    assertManifest(repo, "again", image);
  }

  @Test
  void deletingAnUnknownManifestOrTagIs404ManifestUnknown() {
    String repo = repo();
    registry.pushImage(repo, "exists");
    String unknown = Digests.sha256("never pushed".getBytes());

    assertError(registry.delete(manifestPath(repo, unknown)), 404, "MANIFEST_UNKNOWN");
    assertError(registry.delete(manifestPath(repo, "nosuchtag")), 404, "MANIFEST_UNKNOWN");
    assertThat(registry.delete(manifestPath(repo(), unknown)).status()).isEqualTo(404);
  }

  @Test
  void deletingWithAnInvalidReferenceIs400() {
    String repo = repo();
    registry.pushImage(repo, "exists");

    assertError(registry.delete(manifestPath(repo, "sha256:xyz")), 400, "DIGEST_INVALID");
    assertError(registry.delete(manifestPath(repo, "-bad")), 400, "TAG_INVALID");
    assertError(registry.delete("/v2/" + repo + "/blobs/sha256:xyz"), 400, "DIGEST_INVALID");
  }

  @Test
  void manifestStillListedByAnIndexCannotBeDeletedUntilTheIndexIs() {
    String repo = repo();
    PushedManifest child = registry.pushImage(repo, "child");
    PushedManifest index = registry.pushManifest(repo, "index",
        ManifestBuilder.index(OCI_INDEX).manifests(child.descriptor().platform("linux", "amd64")));

    RegistryResponse refused = registry.delete(manifestPath(repo, child.digest()));

    assertError(refused, 409, "MANIFEST_REFERENCED");
    assertThat(refused.text()).contains(index.digest());
    assertManifest(repo, child.digest(), child);
    assertManifest(repo, "child", child);

    assertThat(registry.delete(manifestPath(repo, index.digest())).status()).isEqualTo(202);
    assertThat(registry.delete(manifestPath(repo, child.digest())).status()).isEqualTo(202);
    assertNoManifest(repo, child.digest());
  }

  @Test
  void deletedReferrerLeavesTheReferrersList() {
    String repo = repo();
    PushedManifest subject = registry.pushImage(repo, "app");
    PushedManifest referrer = registry.pushManifest(repo, "sig",
        registry.imageWithFreshBlobs(repo, OCI_MANIFEST).subject(subject.descriptor()));
    RegistryResponse before = registry.get("/v2/" + repo + "/referrers/" + subject.digest());
    assertThat(before.json().path("manifests").size()).isEqualTo(1);

    assertThat(registry.delete(manifestPath(repo, referrer.digest())).status()).isEqualTo(202);

    RegistryResponse after = registry.get("/v2/" + repo + "/referrers/" + subject.digest());
    assertThat(after.status()).isEqualTo(200);
    assertThat(after.json().path("manifests").size()).isZero();
  }

  // ---- blobs

  @Test
  void deletingABlobUnlinksItFromThatRepositoryOnly() {
    String repo = repo();
    String other = repo();
    byte[] content = RegistryClient.randomBytes(99);
    String digest = registry.pushBlob(repo, content);
    registry.pushBlob(other, content);

    assertThat(registry.delete("/v2/" + repo + "/blobs/" + digest).status()).isEqualTo(202);

    assertHeadError(registry.head("/v2/" + repo + "/blobs/" + digest), 404);
    assertError(registry.get("/v2/" + repo + "/blobs/" + digest), 404, "BLOB_UNKNOWN");
    RegistryResponse stays = registry.get("/v2/" + other + "/blobs/" + digest);
    assertThat(stays.status()).isEqualTo(200);
    assertThat(stays.body()).isEqualTo(content);
  }

  @Test
  void blobThatAManifestUsesCannotBeDeletedUntilTheManifestIs() {
    String repo = repo();
    ManifestBuilder manifest = registry.imageWithFreshBlobs(repo, OCI_MANIFEST);
    PushedManifest image = registry.pushManifest(repo, "uses", manifest);
    String layer = manifest.blobs().getLast().digest();

    assertError(registry.delete("/v2/" + repo + "/blobs/" + layer), 409, "BLOB_REFERENCED");
    assertThat(registry.head("/v2/" + repo + "/blobs/" + layer).status()).isEqualTo(200);
    assertManifest(repo, "uses", image);

    assertThat(registry.delete(manifestPath(repo, image.digest())).status()).isEqualTo(202);
    assertThat(registry.delete("/v2/" + repo + "/blobs/" + layer).status()).isEqualTo(202);
    assertHeadError(registry.head("/v2/" + repo + "/blobs/" + layer), 404);
  }

  @Test
  void deletingAnUnknownBlobIs404BlobUnknown() {
    String repo = repo();
    registry.pushBlob(repo, "exists".getBytes());
    String digest = registry.pushBlob(repo, "deleted twice".getBytes());
    assertThat(registry.delete("/v2/" + repo + "/blobs/" + digest).status()).isEqualTo(202);

    assertError(registry.delete("/v2/" + repo + "/blobs/" + digest), 404, "BLOB_UNKNOWN");
    assertError(registry.delete("/v2/" + repo + "/blobs/" + Digests.sha256("never".getBytes())), 404,
        "BLOB_UNKNOWN");
  }

  // ---- deletes disabled

  @Nested
  class WhenDeletesAreDisabled {
    @TempDir
    Path disabledRoot;

    @Test
    void everyDeleteIs405UnsupportedAndChangesNothing() throws Exception {
      try (RegistryClient readOnly = RegistryClient.start(disabledRoot, false)) {
        String repo = repo();
        PushedManifest image = readOnly.pushImage(repo, "keep");
        readOnly.pushManifest(repo, "also", image.mediaType(), image.bytes());
        byte[] content = RegistryClient.randomBytes(10);
        String blob = readOnly.pushBlob(repo, content);

        assertError(readOnly.delete(manifestPath(repo, image.digest())), 405, "UNSUPPORTED");
        assertError(readOnly.delete(manifestPath(repo, "keep")), 405, "UNSUPPORTED");
        assertError(readOnly.delete("/v2/" + repo + "/blobs/" + blob), 405, "UNSUPPORTED");

        assertThat(readOnly.getManifest(repo, "keep", OCI_MANIFEST).body()).isEqualTo(image.bytes());
        assertThat(readOnly.getManifest(repo, image.digest(), OCI_MANIFEST).status()).isEqualTo(200);
        assertThat(readOnly.get("/v2/" + repo + "/blobs/" + blob).body()).isEqualTo(content);
      }
    }
  }
}
