package dev.berth.http;

import static dev.berth.testing.ApiAssertions.assertError;
import static dev.berth.testing.ApiAssertions.assertHeadError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.BlobBackend;
import dev.berth.testing.Digests;
import dev.berth.testing.ManifestBuilder;
import dev.berth.testing.ManifestBuilder.Descriptor;
import dev.berth.testing.RawHttp;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.RegistryResponse;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code GET}/{@code HEAD /v2/<name>/blobs/<digest>}: content, headers, ranges and visibility. */
class BlobApiTest {
  private static final int SIZE = 100;

  @TempDir
  static Path root;
  static RegistryClient registry;

  /** On the filesystem here; again on S3 in {@code S3BlobApiTest}. */
  @BeforeAll
  static void start(TestInfo test) throws Exception {
    registry = RegistryClient.start(root, false, BlobBackend.of(test));
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  /** A repository holding one fresh blob of {@link #SIZE} bytes. */
  private record StoredBlob(String repo, byte[] content, String digest) {
    String path() {
      return "/v2/" + repo + "/blobs/" + digest;
    }
  }

  private static StoredBlob storedBlob() {
    String repo = RegistryClient.uniqueRepo("blobs");
    byte[] content = RegistryClient.randomBytes(SIZE);
    return new StoredBlob(repo, content, registry.pushBlob(repo, content));
  }

  private static RegistryResponse getRange(StoredBlob blob, String range) {
    return registry.call("GET", blob.path()).header("Range", range).send();
  }

  @Test
  void getReturnsTheBytesWithLengthDigestAndAcceptRanges() {
    StoredBlob blob = storedBlob();

    RegistryResponse r = registry.get(blob.path());

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(blob.content());
    assertThat(r.contentLength()).isEqualTo(SIZE);
    assertThat(r.header("Docker-Content-Digest")).isEqualTo(blob.digest());
    assertThat(r.header("Accept-Ranges")).isEqualTo("bytes");
  }

  @Test
  void headReturnsTheSameHeadersAndNoBody() throws Exception {
    StoredBlob blob = storedBlob();

    RegistryResponse r = registry.head(blob.path());
    RawHttp.Response raw = RawHttp.send(registry.port(), "HEAD", blob.path());

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentLength()).isEqualTo(SIZE);
    assertThat(r.header("Docker-Content-Digest")).isEqualTo(blob.digest());
    assertThat(r.header("Accept-Ranges")).isEqualTo("bytes");
    assertThat(raw.status()).isEqualTo(200);
    assertThat(raw.header("Content-Length")).contains(Integer.toString(SIZE));
    assertThat(raw.body()).as("HEAD body").isEmpty();
  }

  /**
   * Small blobs go out in one write, large ones in several reads and writes (on S3 through every
   * read-ahead block several times over); all must be exact.
   */
  @ParameterizedTest
  @ValueSource(ints = {128 * 1024, 128 * 1024 + 1, 3 * 1024 * 1024 + 7, 9 * 1024 * 1024 + 5})
  void blobsAroundTheSendBufferSizesComeBackWholeAndInRanges(int size) {
    String repo = RegistryClient.uniqueRepo("sizes");
    byte[] content = RegistryClient.randomBytes(size);
    StoredBlob blob = new StoredBlob(repo, content, registry.pushBlob(repo, content));
    int from = size / 3 - 5;
    int to = size - 2;

    RegistryResponse whole = registry.get(blob.path());
    RegistryResponse range = getRange(blob, "bytes=" + from + "-" + to);

    assertThat(whole.status()).isEqualTo(200);
    assertThat(whole.body()).isEqualTo(content);
    assertThat(range.status()).isEqualTo(206);
    assertThat(range.body()).isEqualTo(Arrays.copyOfRange(content, from, to + 1));
  }

  @Test
  void rangeOfTheFirstTenBytesIsPartialContent() {
    StoredBlob blob = storedBlob();

    RegistryResponse r = getRange(blob, "bytes=0-9");

    assertThat(r.status()).isEqualTo(206);
    assertThat(r.header("Content-Range")).isEqualTo("bytes 0-9/" + SIZE);
    assertThat(r.contentLength()).isEqualTo(10);
    assertThat(r.body()).isEqualTo(Arrays.copyOfRange(blob.content(), 0, 10));
  }

  @Test
  void suffixRangeReturnsTheLastBytes() {
    StoredBlob blob = storedBlob();

    RegistryResponse r = getRange(blob, "bytes=-5");

    assertThat(r.status()).isEqualTo(206);
    assertThat(r.header("Content-Range")).isEqualTo("bytes 95-99/" + SIZE);
    assertThat(r.body()).isEqualTo(Arrays.copyOfRange(blob.content(), 95, 100));
  }

  @Test
  void openEndedRangeReturnsTheRest() {
    StoredBlob blob = storedBlob();

    RegistryResponse r = getRange(blob, "bytes=5-");

    assertThat(r.status()).isEqualTo(206);
    assertThat(r.header("Content-Range")).isEqualTo("bytes 5-99/" + SIZE);
    assertThat(r.body()).isEqualTo(Arrays.copyOfRange(blob.content(), 5, 100));
  }

  @Test
  void rangeEndingBeyondTheBlobIsClampedToItsEnd() {
    StoredBlob blob = storedBlob();

    RegistryResponse r = getRange(blob, "bytes=90-1000");

    assertThat(r.status()).isEqualTo(206);
    assertThat(r.header("Content-Range")).isEqualTo("bytes 90-99/" + SIZE);
    assertThat(r.body()).isEqualTo(Arrays.copyOfRange(blob.content(), 90, 100));
  }

  @Test
  void rangeStartingAtTheEndIsUnsatisfiable() {
    StoredBlob blob = storedBlob();

    RegistryResponse r = getRange(blob, "bytes=" + SIZE + "-");

    assertThat(r.status()).isEqualTo(416);
    assertThat(r.header("Content-Range")).isEqualTo("bytes */" + SIZE);
  }

  @Test
  void malformedRangeHeaderIsIgnoredAndTheWholeBlobSent() {
    StoredBlob blob = storedBlob();

    RegistryResponse r = getRange(blob, "bytes=abc");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(blob.content());
  }

  @Test
  void unknownBlobIs404BlobUnknown() {
    StoredBlob other = storedBlob();
    String missing = "/v2/" + other.repo() + "/blobs/" + Digests.sha256("never uploaded".getBytes());

    assertError(registry.get(missing), 404, "BLOB_UNKNOWN");
    assertHeadError(registry.head(missing), 404);
  }

  @Test
  void blobIsVisibleOnlyInTheRepositoryItWasUploadedToUntilMounted() {
    StoredBlob blob = storedBlob();
    String otherRepo = RegistryClient.uniqueRepo("blobs");
    registry.pushBlob(otherRepo, "something else".getBytes());
    String inOther = "/v2/" + otherRepo + "/blobs/" + blob.digest();

    assertError(registry.get(inOther), 404, "BLOB_UNKNOWN");
    assertHeadError(registry.head(inOther), 404);

    RegistryResponse mount = registry.mount(otherRepo, blob.repo(), blob.digest());
    assertThat(mount.status()).as("%s", mount).isEqualTo(201);

    RegistryResponse r = registry.get(inOther);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(blob.content());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "sha256:xyz",
      "md5:abc",
      "notadigest",
      "sha256:",
      ":abc",
      "sha256:ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789",
      "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
      "sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"})
  void malformedDigestInThePathIs400DigestInvalid(String digest) {
    StoredBlob blob = storedBlob();
    String path = "/v2/" + blob.repo() + "/blobs/" + digest;

    assertError(registry.get(path), 400, "DIGEST_INVALID");
    assertHeadError(registry.head(path), 400);
  }

  @Test
  void sha512BlobsWorkEndToEnd() {
    String repo = RegistryClient.uniqueRepo("blobs");
    byte[] monolithic = RegistryClient.randomBytes(300);
    byte[] chunked = RegistryClient.randomBytes(300);
    String monolithicDigest = registry.pushBlob(repo, monolithic, Digests.sha512(monolithic));
    String chunkedDigest = registry.pushBlobChunked(repo, chunked, 128, Digests.sha512(chunked));

    assertServes(new StoredBlob(repo, monolithic, monolithicDigest));
    assertServes(new StoredBlob(repo, chunked, chunkedDigest));

    // A manifest may name its blobs by sha512 digests.
    byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes();
    String configDigest = registry.pushBlob(repo, config, Digests.sha512(config));
    ManifestBuilder manifest = ManifestBuilder.image(ManifestBuilder.OCI_MANIFEST)
        .config(Descriptor.of(ManifestBuilder.OCI_CONFIG, configDigest, config.length))
        .layers(Descriptor.of(ManifestBuilder.OCI_LAYER, chunkedDigest, chunked.length));
    RegistryResponse put = registry.putManifest(repo, "sha512", manifest.mediaType(), manifest.build());
    assertThat(put.status()).as("%s", put).isEqualTo(201);
  }

  private static void assertServes(StoredBlob blob) {
    RegistryResponse r = registry.get(blob.path());
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    assertThat(r.body()).isEqualTo(blob.content());
    assertThat(r.header("Docker-Content-Digest")).isEqualTo(blob.digest());
    assertThat(registry.head(blob.path()).status()).isEqualTo(200);
  }

  @Test
  void emptyBlobCanBePushedAndPulled() {
    String repo = RegistryClient.uniqueRepo("blobs");
    String digest = registry.pushBlob(repo, new byte[0]);

    RegistryResponse r = registry.get("/v2/" + repo + "/blobs/" + digest);

    assertThat(digest).isEqualTo("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentLength()).isZero();
    assertThat(r.body()).isEmpty();
  }

  @Test
  void multiMegabyteBlobRoundTrips() {
    String repo = RegistryClient.uniqueRepo("blobs");
    byte[] content = RegistryClient.randomBytes(3 * 1024 * 1024 + 17);
    String digest = registry.pushBlobChunked(repo, content, 1024 * 1024);

    RegistryResponse r = registry.get("/v2/" + repo + "/blobs/" + digest);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentLength()).isEqualTo(content.length);
    assertThat(Digests.sha256(r.body())).isEqualTo(digest);
  }
}
