package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.metadata.InProcessDigestGuard;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.oci.Digest;
import dev.berth.oci.DigestAlgorithm;
import dev.berth.oci.RepositoryName;
import dev.berth.storage.BlobStore;
import dev.berth.storage.UploadId;
import dev.berth.storage.s3.S3BlobStore;
import dev.berth.storage.s3.S3Settings;
import dev.berth.testing.S3Server;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploads on S3 as two Berth processes see them (two {@link Uploads} on one database and one
 * bucket): chunks reaching either carry on from the hash state the other saved, without reading the
 * parts; a blob in one request is written in place, never staged.
 */
class UploadsOnS3Test {
  private static final int PART = (int) S3Settings.MIN_CHUNK_SIZE;
  private static final RepositoryName REPO = RepositoryName.of("team/app");

  @TempDir
  static Path objects;
  private static S3Server server;
  private static int roots;

  @TempDir
  Path dir;
  private String root;
  private SqlMetadataStore metadata;
  private BlobStore storeA;
  private BlobStore storeB;
  private Uploads a;
  private Uploads b;
  private final byte[] content = new byte[2 * PART + 1000];

  @BeforeAll
  static void startServer() throws Exception {
    server = S3Server.start(objects);
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @BeforeEach
  void twoProcesses() throws Exception {
    metadata = SqlMetadataStore.sqlite(dir.resolve("m.db"));
    root = "uploads" + (++roots);
    storeA = S3BlobStore.open(server.settings("/" + root, false));
    storeB = S3BlobStore.open(server.settings("/" + root, false));
    InProcessDigestGuard guard = new InProcessDigestGuard();
    a = new Uploads(metadata.blobs(), storeA, guard, Clock.systemUTC());
    b = new Uploads(metadata.blobs(), storeB, guard, Clock.systemUTC());
    new Random(17).nextBytes(content);
  }

  @AfterEach
  void close() throws Exception {
    storeA.close();
    storeB.close();
    metadata.close();
  }

  private InputStream bytes(int from, int to) {
    return new ByteArrayInputStream(Arrays.copyOfRange(content, from, to));
  }

  @Test
  void theNextChunkAndTheCompletionOnAnotherProcessReadNoPartAndVerifyTheDigest() throws Exception {
    UploadId id = a.start(REPO);
    a.append(REPO, id, OptionalLong.of(0), bytes(0, PART));
    partsRead();

    assertThat(b.append(REPO, id, OptionalLong.of(PART), bytes(PART, 2 * PART))).isEqualTo(2L * PART);
    assertThat(partsRead()).isEmpty();

    // Back on the first process, whose own hash stopped at the first chunk: the saved state again.
    var blob = a.complete(REPO, id, Digest.sha256(content), OptionalLong.of(2L * PART), bytes(2 * PART, content.length));
    assertThat(blob.digest()).isEqualTo(Digest.sha256(content));
    try (InputStream in = storeB.open(blob.digest()).orElseThrow().openRange(0, content.length)) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
  }

  @Test
  void aWrongDigestIsStillRefusedAfterResuming() throws Exception {
    UploadId id = a.start(REPO);
    a.append(REPO, id, OptionalLong.of(0), bytes(0, PART));
    Digest wrong = Digest.sha256("something else".getBytes());
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> b.complete(REPO, id, wrong, OptionalLong.of(PART), bytes(PART, content.length)))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID));
    assertThat(storeA.stat(wrong)).isEmpty();
    assertThat(storeA.stat(Digest.sha256(content))).isEmpty();
  }

  /** Staged parts would be read by the commit's part copies. */
  @Test
  void aPutCarryingTheWholeBlobWritesItInPlaceWithoutStagingIt() throws Exception {
    UploadId id = a.start(REPO);
    partsRead();
    var blob = b.complete(REPO, id, Digest.sha256(content), OptionalLong.of(0), bytes(0, content.length));
    assertThat(blob.size()).isEqualTo(content.length);
    assertThat(partsRead()).isEmpty();
    try (InputStream in = storeA.open(Digest.sha256(content)).orElseThrow().openRange(0, content.length)) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
    assertThat(objectsOf(id)).isEmpty();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.status(REPO, id))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_UNKNOWN));
  }

  @Test
  void aPutCarryingAWholeBlobOfAnotherDigestStoresNothingAndEndsTheUpload() throws Exception {
    UploadId id = a.start(REPO);
    Digest wrong = Digest.sha256("something else".getBytes());
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> a.complete(REPO, id, wrong, OptionalLong.empty(), bytes(0, content.length)))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID));
    assertThat(storeA.stat(wrong)).isEmpty();
    assertThat(storeA.stat(Digest.sha256(content))).isEmpty();
    assertThat(objectsOf(id)).isEmpty();
    try (var client = server.client()) {
      assertThat(client.listMultipartUploads(l -> l.bucket(S3Server.BUCKET).prefix(root + "/")).uploads()).isEmpty();
    }
  }

  @Test
  void aCorruptMissingOrStaleStateFallsBackToReadingTheParts() throws Exception {
    UploadId id = a.start(REPO);
    a.append(REPO, id, OptionalLong.of(0), bytes(0, PART));
    storeA.saveHashState(id, DigestAlgorithm.SHA256, "not a state".getBytes());
    partsRead();
    b.append(REPO, id, OptionalLong.of(PART), bytes(PART, 2 * PART));
    assertThat(partsRead()).containsExactly(partKey(id, 1));

    // A state of fewer bytes than the upload holds (its chunk's bytes were stored, the state not).
    byte[] stale = storeB.hashState(id, DigestAlgorithm.SHA256).orElseThrow();
    a.append(REPO, id, OptionalLong.of(2L * PART), bytes(2 * PART, 2 * PART + 10));
    storeA.saveHashState(id, DigestAlgorithm.SHA256, stale);
    partsRead();
    b.append(REPO, id, OptionalLong.of(2L * PART + 10), bytes(2 * PART + 10, 2 * PART + 20));
    assertThat(partsRead()).contains(partKey(id, 1), partKey(id, 2));

    // None at all.
    objectsOf(id).stream().filter(k -> k.contains("/hashstates/")).forEach(k ->
        server.client().deleteObject(d -> d.bucket(S3Server.BUCKET).key(k)));
    partsRead();
    var blob = a.complete(REPO, id, Digest.sha256(content), OptionalLong.of(2L * PART + 20),
        bytes(2 * PART + 20, content.length));
    assertThat(blob.digest()).isEqualTo(Digest.sha256(content));
    assertThat(partsRead()).contains(partKey(id, 1));
  }

  private List<String> objectsOf(UploadId id) {
    try (var client = server.client()) {
      return client.listObjectsV2Paginator(l -> l.bucket(S3Server.BUCKET)).contents().stream()
          .map(o -> o.key()).filter(k -> k.contains(id.value())).toList();
    }
  }

  /** Keys without the store's root directory. */
  private static List<String> partsRead() {
    return server.faults().drainReads().stream().filter(key -> key.contains("/parts/"))
        .map(key -> key.substring(key.indexOf("berth/uploads/"))).toList();
  }

  private static String partKey(UploadId id, int part) {
    return String.format("berth/uploads/%s/parts/%05d", id.value(), part);
  }
}
