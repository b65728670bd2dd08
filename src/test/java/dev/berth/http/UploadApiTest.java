package dev.berth.http;

import static dev.berth.testing.ApiAssertions.assertError;
import static dev.berth.testing.ApiAssertions.assertHeadError;
import static dev.berth.testing.ApiAssertions.assertStatus;
import static dev.berth.testing.RegistryClient.withQuery;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.BlobBackend;
import dev.berth.testing.Digests;
import dev.berth.testing.RawHttp;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.RegistryResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code /v2/<name>/blobs/uploads/}: sessions, chunks, completion, cancellation and mounts. */
class UploadApiTest {
  private static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

  @TempDir
  static Path root;
  static RegistryClient registry;

  /** On the filesystem here; again on S3 in {@code S3UploadApiTest}. */
  @BeforeAll
  static void start(TestInfo test) throws Exception {
    registry = RegistryClient.start(root, false, BlobBackend.of(test));
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  private static String repo() {
    return RegistryClient.uniqueRepo("uploads");
  }

  private static String blobPath(String repo, String digest) {
    return "/v2/" + repo + "/blobs/" + digest;
  }

  private static RegistryResponse put(String location, String digest) {
    return registry.call("PUT", withQuery(location, "digest", digest)).send();
  }

  private static void assertStored(String repo, byte[] content) {
    RegistryResponse r = registry.get(blobPath(repo, Digests.sha256(content)));
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    assertThat(r.body()).isEqualTo(content);
  }

  // ---- starting a session

  @Test
  void postStartsASessionWithLocationUuidAndEmptyRange() {
    String repo = repo();

    RegistryResponse r = registry.call("POST", "/v2/" + repo + "/blobs/uploads/").send();

    assertThat(r.status()).isEqualTo(202);
    assertThat(r.header("Location")).matches(Pattern.quote(registry.url("/v2/" + repo + "/blobs/uploads/")) + UUID_PATTERN);
    assertThat(r.header("Docker-Upload-UUID")).matches(UUID_PATTERN);
    assertThat(r.header("Location")).endsWith("/" + r.header("Docker-Upload-UUID"));
    assertThat(r.header("Range")).isEqualTo("0-0");
  }

  @Test
  void postWithContentLengthZeroAsTheSpecAsksForChunkedUploads() throws Exception {
    String repo = repo();

    RawHttp.Response r = RawHttp.send(registry.port(), "POST", "/v2/" + repo + "/blobs/uploads/",
        Map.of("Content-Length", "0"), null);

    assertThat(r.status()).isEqualTo(202);
    assertThat(r.header("Location")).hasValueSatisfying(
        location -> assertThat(location).matches(Pattern.quote(registry.url("/v2/" + repo + "/blobs/uploads/")) + UUID_PATTERN));
  }

  /** Sizes on both sides of an object store's direct-write limit (1 MiB on S3), which stages larger ones. */
  @ParameterizedTest
  @ValueSource(ints = {1000, 1 << 20, (1 << 20) + 1})
  void monolithicPostWithDigestCreatesTheBlob(int size) {
    String repo = repo();
    byte[] content = RegistryClient.randomBytes(size);
    String digest = Digests.sha256(content);

    RegistryResponse r = registry.call("POST", withQuery("/v2/" + repo + "/blobs/uploads/", "digest", digest))
        .header("Content-Type", "application/octet-stream")
        .body(content)
        .send();

    assertThat(r.status()).isEqualTo(201);
    assertThat(r.header("Location")).isEqualTo(registry.url(blobPath(repo, digest)));
    assertThat(r.header("Docker-Content-Digest")).isEqualTo(digest);
    assertStored(repo, content);
  }

  @ParameterizedTest
  @ValueSource(ints = {100, (1 << 20) + 1})
  void monolithicPostWithWrongDigestStoresNothing(int size) {
    String repo = repo();
    registry.pushBlob(repo, "repository exists".getBytes());
    byte[] content = RegistryClient.randomBytes(size);
    String claimed = Digests.sha256("something else".getBytes());

    RegistryResponse r = registry.call("POST", withQuery("/v2/" + repo + "/blobs/uploads/", "digest", claimed))
        .body(content)
        .send();

    assertError(r, 400, "DIGEST_INVALID");
    assertHeadError(registry.head(blobPath(repo, claimed)), 404);
    assertHeadError(registry.head(blobPath(repo, Digests.sha256(content))), 404);
  }

  // ---- chunks

  @Test
  void chunksWithContentRangeAdvanceTheRange() {
    String repo = repo();
    byte[] content = RegistryClient.randomBytes(200);
    String location = registry.startUpload(repo);

    RegistryResponse first = registry.patchChunk(location, Arrays.copyOfRange(content, 0, 100), 0);
    assertThat(first.status()).isEqualTo(202);
    assertThat(first.header("Range")).isEqualTo("0-99");
    assertThat(first.header("Location")).isNotNull();
    assertThat(first.header("Docker-Upload-UUID")).matches(UUID_PATTERN);

    RegistryResponse second = registry.patchChunk(first.header("Location"), Arrays.copyOfRange(content, 100, 200), 100);
    assertThat(second.status()).isEqualTo(202);
    assertThat(second.header("Range")).isEqualTo("0-199");

    RegistryResponse done = put(second.header("Location"), Digests.sha256(content));
    assertThat(done.status()).isEqualTo(201);
    assertThat(done.header("Location")).isEqualTo(registry.url(blobPath(repo, Digests.sha256(content))));
    assertThat(done.header("Docker-Content-Digest")).isEqualTo(Digests.sha256(content));
    assertStored(repo, content);
  }

  @Test
  void outOfOrderChunkIs416WithTheTrueRangeAndTheSessionStaysUsable() {
    String repo = repo();
    byte[] content = RegistryClient.randomBytes(300);
    String location = registry.startUpload(repo);
    assertStatus(registry.patchChunk(location, Arrays.copyOfRange(content, 0, 100), 0), 202);

    RegistryResponse gap = registry.patchChunk(location, Arrays.copyOfRange(content, 150, 250), 150);
    assertError(gap, 416, "RANGE_INVALID");
    assertThat(gap.header("Range")).isEqualTo("0-99");

    RegistryResponse overlap = registry.patchChunk(location, Arrays.copyOfRange(content, 0, 100), 0);
    assertError(overlap, 416, "RANGE_INVALID");
    assertThat(overlap.header("Range")).isEqualTo("0-99");

    RegistryResponse status = registry.get(location);
    assertThat(status.status()).isEqualTo(204);
    assertThat(status.header("Range")).isEqualTo("0-99");

    RegistryResponse next = registry.patchChunk(location, Arrays.copyOfRange(content, 100, 200), 100);
    assertThat(next.status()).as("%s", next).isEqualTo(202);
    assertThat(next.header("Range")).isEqualTo("0-199");
    RegistryResponse last = registry.call("PUT", withQuery(location, "digest", Digests.sha256(content)))
        .header("Content-Range", "200-299")
        .body(Arrays.copyOfRange(content, 200, 300))
        .send();
    assertThat(last.status()).as("%s", last).isEqualTo(201);
    assertStored(repo, content);
  }

  @Test
  void firstChunkNotStartingAtZeroIs416() {
    String location = registry.startUpload(repo());

    RegistryResponse r = registry.patchChunk(location, RegistryClient.randomBytes(10), 5);

    assertError(r, 416, "RANGE_INVALID");
    assertThat(r.header("Range")).isEqualTo("0-0");
  }

  @Test
  void contentRangeDisagreeingWithTheBodyLengthIsRejected() {
    String location = registry.startUpload(repo());

    RegistryResponse r = registry.call("PATCH", location)
        .header("Content-Range", "0-99")
        .body(RegistryClient.randomBytes(50))
        .send();

    assertError(r, 416, "RANGE_INVALID");
    assertThat(registry.get(location).header("Range")).isEqualTo("0-0");
  }

  @Test
  void streamedPatchWithoutContentRangeAppends() {
    String repo = repo();
    byte[] content = RegistryClient.randomBytes(5000);
    String location = registry.startUpload(repo);

    RegistryResponse first = registry.call("PATCH", location)
        .header("Content-Type", "application/octet-stream")
        .streamedBody(Arrays.copyOfRange(content, 0, 3000))
        .send();
    assertThat(first.status()).as("%s", first).isEqualTo(202);
    assertThat(first.header("Range")).isEqualTo("0-2999");

    RegistryResponse second = registry.call("PATCH", first.header("Location"))
        .body(Arrays.copyOfRange(content, 3000, 5000))
        .send();
    assertThat(second.status()).as("%s", second).isEqualTo(202);
    assertThat(second.header("Range")).isEqualTo("0-4999");

    assertStatus(put(second.header("Location"), Digests.sha256(content)), 201);
    assertStored(repo, content);
  }

  // ---- closing the session

  @Test
  void putWithTheWholeBlobAfterPostCreatesIt() {
    String repo = repo();
    byte[] content = RegistryClient.randomBytes(700);
    String location = registry.startUpload(repo);

    RegistryResponse r = registry.call("PUT", withQuery(location, "digest", Digests.sha256(content)))
        .header("Content-Type", "application/octet-stream")
        .body(content)
        .send();

    assertThat(r.status()).isEqualTo(201);
    assertThat(r.header("Location")).isEqualTo(registry.url(blobPath(repo, Digests.sha256(content))));
    assertStored(repo, content);
  }

  @Test
  void putWithoutALastChunkClosesAfterPatches() {
    String repo = repo();
    byte[] content = RegistryClient.randomBytes(256);
    String location = registry.startUpload(repo);
    RegistryResponse patched = registry.patchChunk(location, content, 0);
    assertStatus(patched, 202);

    RegistryResponse r = put(patched.header("Location"), Digests.sha256(content));

    assertThat(r.status()).isEqualTo(201);
    assertStored(repo, content);
  }

  @Test
  void putWithoutDigestIs400AndTheSessionSurvives() {
    String repo = repo();
    byte[] content = RegistryClient.randomBytes(64);
    String location = registry.startUpload(repo);
    assertStatus(registry.patchChunk(location, content, 0), 202);

    assertError(registry.call("PUT", location).send(), 400, "DIGEST_INVALID");
    assertError(registry.call("PUT", location + "?digest=sha256:nothex").send(), 400, "DIGEST_INVALID");

    assertThat(registry.get(location).status()).isEqualTo(204);
    assertStatus(put(location, Digests.sha256(content)), 201);
    assertStored(repo, content);
  }

  @Test
  void digestMismatchIs400StoresNothingAndEndsTheSession() {
    String repo = repo();
    registry.pushBlob(repo, "repository exists".getBytes());
    byte[] content = RegistryClient.randomBytes(128);
    String claimed = Digests.sha256("not the content".getBytes());
    String location = registry.startUpload(repo);
    assertStatus(registry.patchChunk(location, content, 0), 202);

    assertError(put(location, claimed), 400, "DIGEST_INVALID");

    assertHeadError(registry.head(blobPath(repo, claimed)), 404);
    assertHeadError(registry.head(blobPath(repo, Digests.sha256(content))), 404);
    assertError(registry.get(location), 404, "BLOB_UPLOAD_UNKNOWN");
  }

  // ---- status and cancellation

  @Test
  void getOnAnUploadIs204WithRangeAndUuid() {
    String repo = repo();
    String location = registry.startUpload(repo);
    String uuid = location.substring(location.lastIndexOf('/') + 1);

    RegistryResponse empty = registry.get(location);
    assertThat(empty.status()).isEqualTo(204);
    assertThat(empty.header("Range")).isEqualTo("0-0");
    assertThat(empty.header("Docker-Upload-UUID")).isEqualTo(uuid);
    assertThat(empty.header("Location")).isEqualTo(location);

    assertStatus(registry.patchChunk(location, RegistryClient.randomBytes(42), 0), 202);
    RegistryResponse partial = registry.get(location);
    assertThat(partial.status()).isEqualTo(204);
    assertThat(partial.header("Range")).isEqualTo("0-41");
    assertThat(partial.header("Docker-Upload-UUID")).isEqualTo(uuid);
  }

  @Test
  void deleteCancelsTheUpload() {
    String repo = repo();
    byte[] content = RegistryClient.randomBytes(32);
    String location = registry.startUpload(repo);
    assertStatus(registry.patchChunk(location, content, 0), 202);

    assertThat(registry.delete(location).status()).isEqualTo(204);

    assertError(registry.get(location), 404, "BLOB_UPLOAD_UNKNOWN");
    assertError(registry.patchChunk(location, content, 0), 404, "BLOB_UPLOAD_UNKNOWN");
    assertError(put(location, Digests.sha256(content)), 404, "BLOB_UPLOAD_UNKNOWN");
    assertError(registry.delete(location), 404, "BLOB_UPLOAD_UNKNOWN");
  }

  @ParameterizedTest
  @ValueSource(strings = {"random-uuid", "not-an-upload", "ABCDEF00-0000-0000-0000-000000000000"})
  void unknownOrGarbageUploadIdIs404BlobUploadUnknown(String id) {
    String repo = repo();
    registry.pushBlob(repo, "repository exists".getBytes());
    String location = "/v2/" + repo + "/blobs/uploads/" + (id.equals("random-uuid") ? UUID.randomUUID() : id);
    byte[] chunk = RegistryClient.randomBytes(10);

    assertError(registry.get(location), 404, "BLOB_UPLOAD_UNKNOWN");
    assertError(registry.patchChunk(location, chunk, 0), 404, "BLOB_UPLOAD_UNKNOWN");
    assertError(put(location, Digests.sha256(chunk)), 404, "BLOB_UPLOAD_UNKNOWN");
    assertError(registry.delete(location), 404, "BLOB_UPLOAD_UNKNOWN");
  }

  @Test
  void uploadIdUsedUnderAnotherRepositoryIsUnknownThereAndUntouched() {
    String repo = repo();
    String otherRepo = repo();
    byte[] content = RegistryClient.randomBytes(20);
    String location = registry.startUpload(repo);
    String elsewhere = location.replace("/v2/" + repo + "/", "/v2/" + otherRepo + "/");

    assertError(registry.get(elsewhere), 404, "BLOB_UPLOAD_UNKNOWN");
    assertError(registry.patchChunk(elsewhere, content, 0), 404, "BLOB_UPLOAD_UNKNOWN");
    assertError(put(elsewhere, Digests.sha256(content)), 404, "BLOB_UPLOAD_UNKNOWN");
    assertError(registry.delete(elsewhere), 404, "BLOB_UPLOAD_UNKNOWN");

    assertStatus(registry.patchChunk(location, content, 0), 202);
    assertStatus(put(location, Digests.sha256(content)), 201);
    assertStored(repo, content);
    assertHeadError(registry.head(blobPath(otherRepo, Digests.sha256(content))), 404);
  }

  // ---- cross-repository mounts

  @Test
  void mountFromARepositoryHoldingTheBlobIs201() {
    String from = repo();
    String to = repo();
    byte[] content = RegistryClient.randomBytes(77);
    String digest = registry.pushBlob(from, content);

    RegistryResponse r = registry.mount(to, from, digest);

    assertThat(r.status()).isEqualTo(201);
    assertThat(r.header("Location")).isEqualTo(registry.url(blobPath(to, digest)));
    assertThat(r.header("Docker-Content-Digest")).isEqualTo(digest);
    RegistryResponse head = registry.head(blobPath(to, digest));
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.contentLength()).isEqualTo(77);
    assertStored(to, content);
  }

  @Test
  void mountFromARepositoryLackingTheBlobStartsAnOrdinaryUpload() {
    String holder = repo();
    String from = repo();
    String to = repo();
    byte[] content = RegistryClient.randomBytes(77);
    String digest = registry.pushBlob(holder, content);
    registry.pushBlob(from, "from exists, without the blob".getBytes());

    RegistryResponse r = registry.mount(to, from, digest);

    assertThat(r.status()).isEqualTo(202);
    assertThat(r.header("Location")).matches(Pattern.quote(registry.url("/v2/" + to + "/blobs/uploads/")) + UUID_PATTERN);
    assertThat(r.header("Docker-Upload-UUID")).matches(UUID_PATTERN);
    assertHeadError(registry.head(blobPath(to, digest)), 404);

    RegistryResponse done = registry.call("PUT", withQuery(r.header("Location"), "digest", digest)).body(content).send();
    assertThat(done.status()).as("%s", done).isEqualTo(201);
    assertStored(to, content);
  }

  @Test
  void mountWithAMalformedDigestIs400DigestInvalid() {
    String from = repo();
    registry.pushBlob(from, "x".getBytes());

    RegistryResponse r = registry.mount(repo(), from, "sha256:nothex");

    assertError(r, 400, "DIGEST_INVALID");
  }
}
