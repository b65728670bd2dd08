package dev.berth.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.oci.Digest;
import dev.berth.oci.DigestAlgorithm;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The behaviour every blob store must have; one subclass per adapter supplies the store. */
public abstract class BlobStoreContract {
  protected BlobStore store;

  protected abstract BlobStore newStore() throws Exception;

  @BeforeEach
  void open() throws Exception {
    store = newStore();
  }

  private static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  protected Digest put(byte[] content) throws Exception {
    UploadId id = UploadId.random();
    store.createUpload(id);
    store.appendUpload(id, 0, new ByteArrayInputStream(content));
    Digest digest = Digest.sha256(content);
    store.commitUpload(id, digest);
    return digest;
  }

  @Test
  void committedBlobCanBeStatedAndRead() throws Exception {
    byte[] content = random(300_000, 1);
    Digest digest = put(content);
    assertThat(store.stat(digest)).contains(300_000L);
    BlobContent blob = store.open(digest).orElseThrow();
    assertThat(blob.size()).isEqualTo(300_000L);
    try (InputStream in = blob.openRange(0, blob.size())) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
  }

  /** Large enough for a store to write it in parts (the filesystem store flushes every 32 MiB). */
  @Test
  void aBlobOfManyMebibytesArrivesWhole() throws Exception {
    byte[] content = random(100 << 20, 7);
    Digest digest = put(content);
    try (InputStream in = store.open(digest).orElseThrow().openRange(0, content.length)) {
      assertThat(Digest.sha256(in.readAllBytes())).isEqualTo(digest);
    }
  }

  @Test
  void rangesReadExactlyTheirBytes() throws Exception {
    byte[] content = random(10_000, 2);
    Digest digest = put(content);
    try (InputStream in = store.open(digest).orElseThrow().openRange(1000, 500)) {
      byte[] expected = new byte[500];
      System.arraycopy(content, 1000, expected, 0, 500);
      assertThat(in.readAllBytes()).isEqualTo(expected);
    }
  }

  @Test
  void unknownBlobIsEmpty() throws Exception {
    Digest absent = Digest.sha256("absent".getBytes());
    assertThat(store.stat(absent)).isEmpty();
    assertThat(store.open(absent)).isEmpty();
    assertThat(store.delete(absent)).isFalse();
  }

  @Test
  void chunksAppendInOrderAndOffsetsAreChecked() throws Exception {
    UploadId id = UploadId.random();
    store.createUpload(id);
    assertThat(store.appendUpload(id, 0, new ByteArrayInputStream(new byte[] {1, 2, 3}))).isEqualTo(3);
    assertThatThrownBy(() -> store.appendUpload(id, 1, new ByteArrayInputStream(new byte[] {9})))
        .isInstanceOfSatisfying(UploadOffsetException.class, e -> assertThat(e.currentSize()).isEqualTo(3));
    assertThat(store.appendUpload(id, 3, new ByteArrayInputStream(new byte[] {4}))).isEqualTo(4);
    assertThat(store.uploadSize(id)).isEqualTo(4);
    try (InputStream staged = store.readUpload(id)) {
      assertThat(staged.readAllBytes()).containsExactly(1, 2, 3, 4);
    }
  }

  @Test
  void commitMovesTheUploadAndIdenticalContentIsStoredOnce() throws Exception {
    byte[] content = random(1000, 3);
    Digest first = put(content);
    Digest second = put(content);
    assertThat(second).isEqualTo(first);
    List<Digest> listed = new ArrayList<>();
    store.forEachBlob(listed::add);
    assertThat(listed).containsExactly(first);
    List<UploadId> uploads = new ArrayList<>();
    store.forEachUpload((id, modified) -> uploads.add(id));
    assertThat(uploads).isEmpty();
  }

  @Test
  void deletedBlobIsGone() throws Exception {
    Digest digest = put(random(100, 4));
    assertThat(store.delete(digest)).isTrue();
    assertThat(store.stat(digest)).isEmpty();
    List<Digest> listed = new ArrayList<>();
    store.forEachBlob(listed::add);
    assertThat(listed).isEmpty();
  }

  @Test
  void cancelledUploadLeavesNothing() throws Exception {
    UploadId id = UploadId.random();
    store.createUpload(id);
    store.appendUpload(id, 0, new ByteArrayInputStream(random(100, 5)));
    assertThat(store.deleteUpload(id)).isTrue();
    assertThatThrownBy(() -> store.uploadSize(id)).isInstanceOf(NoSuchUploadException.class);
    assertThatThrownBy(() -> store.appendUpload(id, 0, new ByteArrayInputStream(new byte[1])))
        .isInstanceOf(NoSuchUploadException.class);
    assertThatThrownBy(() -> store.commitUpload(id, Digest.sha256(new byte[0])))
        .isInstanceOf(NoSuchUploadException.class);
    assertThat(store.deleteUpload(id)).isFalse();
  }

  @Test
  void openUploadsAreListed() throws Exception {
    UploadId id = UploadId.random();
    store.createUpload(id);
    List<UploadId> uploads = new ArrayList<>();
    store.forEachUpload((upload, modified) -> uploads.add(upload));
    assertThat(uploads).containsExactly(id);
  }

  @Test
  void aBlobWrittenDirectlyIsStoredWholeAndOnce() throws Exception {
    byte[] content = random(Math.max(1, Math.min(store.directWriteLimit(), 50_000)), 8);
    Digest digest = Digest.sha256(content);
    store.writeBlob(digest, content);
    store.writeBlob(digest, content);
    assertThat(store.stat(digest)).contains((long) content.length);
    try (InputStream in = store.open(digest).orElseThrow().openRange(0, content.length)) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
    List<Digest> listed = new ArrayList<>();
    store.forEachBlob(listed::add);
    assertThat(listed).containsExactly(digest);
    List<UploadId> uploads = new ArrayList<>();
    store.forEachUpload((id, modified) -> uploads.add(id));
    assertThat(uploads).isEmpty();
  }

  @Test
  void concurrentCommitsOfTheSameContentAllSucceed() throws Exception {
    byte[] content = random(200_000, 6);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Digest>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        results.add(pool.submit(() -> put(content)));
      }
      for (Future<Digest> result : results) {
        assertThat(result.get()).isEqualTo(Digest.sha256(content));
      }
    } finally {
      pool.shutdownNow();
    }
    try (InputStream in = store.open(Digest.sha256(content)).orElseThrow().openRange(0, content.length)) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
  }

  @Test
  void theLastSavedHashStateIsKeptWithTheUploadAndGoesWithIt() throws Exception {
    UploadId committed = UploadId.random();
    store.createUpload(committed);
    assertThat(store.hashState(committed, DigestAlgorithm.SHA256)).isEmpty();
    byte[] content = random(1000, 9);
    store.appendUpload(committed, 0, new ByteArrayInputStream(content));
    store.saveHashState(committed, DigestAlgorithm.SHA256, new byte[] {1, 2, 3});
    store.saveHashState(committed, DigestAlgorithm.SHA256, new byte[] {4, 5});
    assertThat(store.hashState(committed, DigestAlgorithm.SHA256)).hasValueSatisfying(s -> assertThat(s).containsExactly(4, 5));
    assertThat(store.hashState(committed, DigestAlgorithm.SHA512)).isEmpty();

    UploadId cancelled = UploadId.random();
    store.createUpload(cancelled);
    store.saveHashState(cancelled, DigestAlgorithm.SHA256, new byte[] {6});
    List<UploadId> uploads = new ArrayList<>();
    store.forEachUpload((id, modified) -> uploads.add(id));
    assertThat(uploads).containsExactlyInAnyOrder(committed, cancelled);

    store.commitUpload(committed, Digest.sha256(content));
    assertThat(store.deleteUpload(cancelled)).isTrue();
    assertThat(store.hashState(committed, DigestAlgorithm.SHA256)).isEmpty();
    assertThat(store.hashState(cancelled, DigestAlgorithm.SHA256)).isEmpty();
    uploads.clear();
    store.forEachUpload((id, modified) -> uploads.add(id));
    assertThat(uploads).isEmpty();
  }

  /** Several parts on S3 (the tests' part size is 5 MiB). */
  @Test
  void aStagedBlobAppearsWholeOnlyWhenCommitted() throws Exception {
    byte[] content = random(12 << 20, 10);
    Digest digest = Digest.sha256(content);
    try (BlobStore.PendingBlob pending = store.stageBlob(digest, new ByteArrayInputStream(content))) {
      assertThat(store.stat(digest)).isEmpty();
      pending.commit();
    }
    assertThat(store.stat(digest)).contains((long) content.length);
    try (InputStream in = store.open(digest).orElseThrow().openRange(0, content.length)) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
    List<UploadId> uploads = new ArrayList<>();
    store.forEachUpload((id, modified) -> uploads.add(id));
    assertThat(uploads).isEmpty();
  }

  @Test
  void aStagedBlobNotCommittedLeavesNothing() throws Exception {
    for (int size : new int[] {0, 1000, 12 << 20}) {
      byte[] content = random(size, 11);
      Digest digest = Digest.sha256(content);
      try (BlobStore.PendingBlob pending = store.stageBlob(digest, new ByteArrayInputStream(content))) {
        assertThat(store.stat(digest)).isEmpty();
      }
      assertThat(store.stat(digest)).isEmpty();
    }
    List<UploadId> uploads = new ArrayList<>();
    store.forEachUpload((id, modified) -> uploads.add(id));
    assertThat(uploads).isEmpty();
  }
}
