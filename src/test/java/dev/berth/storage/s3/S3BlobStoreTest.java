package dev.berth.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.oci.Digest;
import dev.berth.storage.BlobStore;
import dev.berth.storage.BlobStoreContract;
import dev.berth.storage.UploadId;
import dev.berth.testing.S3Server;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

class S3BlobStoreTest extends BlobStoreContract {
  private static final int PART = (int) S3Settings.MIN_CHUNK_SIZE;

  @TempDir
  static Path objects;
  private static S3Server server;
  private static S3Client bucket;
  private static int roots;
  private String root;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3Server.start(objects);
    bucket = server.client();
  }

  @AfterAll
  static void stopServer() throws Exception {
    bucket.close();
    server.close();
  }

  /** Each test gets its own root directory in the one bucket, as separate deployments would. */
  @Override
  protected BlobStore newStore() {
    root = "test" + (++roots);
    return S3BlobStore.open(server.settings("/" + root, false));
  }

  @AfterEach
  void closeStore() throws Exception {
    store.close();
  }

  private List<S3Object> objectsUnder(String prefix) {
    return bucket.listObjectsV2Paginator(b -> b.bucket(S3Server.BUCKET).prefix(root + "/" + prefix)).contents()
        .stream().toList();
  }

  /**
   * Chunks of every size, most under S3's 5 MiB part minimum, alternating between two stores as
   * PATCHes alternate between two Berth processes: each picks the upload up from the bucket alone.
   */
  @Test
  void smallChunksFromSeveralProcessesBecomeFullPartsAndOneWholeBlob() throws Exception {
    byte[] content = new byte[3 * PART + 12_345];
    new Random(11).nextBytes(content);
    int[] chunks = {1, 700_000, PART - 700_001, 3, 2 * PART, 12_342};
    try (BlobStore other = S3BlobStore.open(server.settings("/" + root, false))) {
      UploadId id = UploadId.random();
      store.createUpload(id);
      long offset = 0;
      for (int i = 0; i < chunks.length; i++) {
        BlobStore process = i % 2 == 0 ? store : other;
        offset = process.appendUpload(id, offset,
            new ByteArrayInputStream(Arrays.copyOfRange(content, (int) offset, (int) offset + chunks[i])));
      }
      assertThat(offset).isEqualTo(content.length);
      assertThat(objectsUnder("berth/uploads/" + id + "/parts/")).extracting(S3Object::size)
          .containsExactly((long) PART, (long) PART, (long) PART, 12_345L);
      try (InputStream staged = other.readUpload(id)) {
        assertThat(staged.readAllBytes()).isEqualTo(content);
      }
      Digest digest = Digest.sha256(content);
      other.commitUpload(id, digest);
      try (InputStream in = store.open(digest).orElseThrow().openRange(0, content.length)) {
        assertThat(in.readAllBytes()).isEqualTo(content);
      }
    }
    assertThat(objectsUnder("berth/uploads/")).isEmpty();
    assertThat(bucket.listMultipartUploads(b -> b.bucket(S3Server.BUCKET).prefix(root + "/")).uploads()).isEmpty();
  }

  @Test
  void blobsSitWhereDockerRegistrysS3DriverPutsThemAndSuchBlobsAreAdopted() throws Exception {
    byte[] content = "hello".getBytes();
    Digest digest = put(content);
    String key = root + "/docker/registry/v2/blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex() + "/data";
    assertThat(bucket.getObjectAsBytes(b -> b.bucket(S3Server.BUCKET).key(key)).asByteArray()).isEqualTo(content);

    byte[] foreign = "written by docker registry".getBytes();
    Digest adopted = Digest.sha256(foreign);
    bucket.putObject(b -> b.bucket(S3Server.BUCKET).key(
        root + "/docker/registry/v2/blobs/sha256/" + adopted.hex().substring(0, 2) + "/" + adopted.hex() + "/data"),
        RequestBody.fromBytes(foreign));
    assertThat(store.stat(adopted)).contains((long) foreign.length);
    List<Digest> listed = new ArrayList<>();
    store.forEachBlob(listed::add);
    assertThat(listed).containsExactlyInAnyOrder(digest, adopted);
  }

  /** What a process that died while assembling a blob leaves: a multipart upload at the blob's key. */
  @Test
  void purgingAnUploadAbortsTheMultipartUploadACrashedCommitLeft() throws Exception {
    UploadId id = UploadId.random();
    store.createUpload(id);
    byte[] content = new byte[PART + 10];
    store.appendUpload(id, 0, new ByteArrayInputStream(content));
    String target = root + "/docker/registry/v2/blobs/sha256/ab/" + "ab".repeat(32) + "/data";
    String multipart = bucket.createMultipartUpload(b -> b.bucket(S3Server.BUCKET).key(target)).uploadId();
    bucket.putObject(b -> b.bucket(S3Server.BUCKET).key(root + "/berth/uploads/" + id + "/commit"),
        RequestBody.fromString(target + "\n" + multipart));

    assertThat(store.deleteUpload(id)).isTrue();
    assertThat(bucket.listMultipartUploads(b -> b.bucket(S3Server.BUCKET).prefix(root + "/")).uploads()).isEmpty();
    assertThat(objectsUnder("berth/uploads/")).isEmpty();
  }

  /**
   * A blob streamed in several parts is a multipart upload at its key from the first part on; a
   * process that dies before committing leaves it listed as an upload, whose purge aborts it.
   */
  @Test
  void aStreamedBlobIsWrittenInPlaceOnceAndAPurgeAbortsOneLeftBehind() throws Exception {
    byte[] content = new byte[2 * PART + 10];
    new Random(12).nextBytes(content);
    Digest digest = Digest.sha256(content);
    BlobStore.PendingBlob pending = store.stageBlob(digest, new ByteArrayInputStream(content));
    assertThat(bucket.listMultipartUploads(b -> b.bucket(S3Server.BUCKET).prefix(root + "/")).uploads())
        .singleElement().satisfies(u -> assertThat(u.key()).endsWith(digest.hex() + "/data"));
    assertThat(objectsUnder("berth/uploads/")).extracting(S3Object::key).singleElement()
        .satisfies(key -> assertThat(key).endsWith("/commit"));
    List<UploadId> uploads = new ArrayList<>();
    store.forEachUpload((id, modified) -> uploads.add(id));

    assertThat(store.deleteUpload(uploads.getFirst())).isTrue();
    assertThat(bucket.listMultipartUploads(b -> b.bucket(S3Server.BUCKET).prefix(root + "/")).uploads()).isEmpty();
    org.assertj.core.api.Assertions.assertThatThrownBy(pending::commit)
        .isInstanceOf(dev.berth.storage.StorageUnavailableException.class);
    assertThat(store.stat(digest)).isEmpty();
  }

  @Test
  void redirectsArePreSignedUrlsAClientCanFetch() throws Exception {
    byte[] content = "fetched by the client itself".getBytes();
    try (BlobStore redirecting = S3BlobStore.open(server.settings("/" + root, true))) {
      UploadId id = UploadId.random();
      redirecting.createUpload(id);
      redirecting.appendUpload(id, 0, new ByteArrayInputStream(content));
      Digest digest = Digest.sha256(content);
      redirecting.commitUpload(id, digest);
      assertThat(store.open(digest).orElseThrow().redirect()).isEmpty();
      java.net.URI url = redirecting.open(digest).orElseThrow().redirect().orElseThrow();
      assertThat(url.getRawQuery()).contains("X-Amz-Signature=").contains("X-Amz-Expires=1200");
      try (var client = java.net.http.HttpClient.newHttpClient()) {
        var response = client.send(java.net.http.HttpRequest.newBuilder(url).build(),
            java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(content);
      }
    }
  }
}
