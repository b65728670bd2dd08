package dev.berth.cleanup;

import static dev.berth.cleanup.RegistryFixture.DAY;
import static dev.berth.cleanup.RegistryFixture.repo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.oci.Digest;
import dev.berth.oci.Reference;
import dev.berth.oci.RepositoryName;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.RegistryException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The races of DESIGN.md, made deterministic: GC is paused at a chosen point (between mark and
 * sweep, or with a blob marked {@code deleting} and its lock held) while a client acts; then GC
 * finishes and every committed image must pull and verify.
 */
class GcInterleavingTest {
  @TempDir
  Path dir;

  RegistryFixture f;
  final RepositoryName app = repo("team/app");

  /**
   * On the filesystem here; again on S3 in {@code S3GcInterleavingTest}, and as two replicas on
   * PostgreSQL in {@code PostgresReplicasGcInterleavingTest}.
   */
  @BeforeEach
  void open(TestInfo test) throws Exception {
    f = new RegistryFixture(dir, test);
  }

  @AfterEach
  void close() throws Exception {
    f.close();
  }

  /** A GC run in the background that stops where {@code pauseAt} says until released. */
  private final class PausedGc {
    final CountDownLatch paused = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final CompletableFuture<Collected> report;

    PausedGc(boolean deleteUntagged, Predicate<GcPhase> pauseAtPhase, Predicate<Digest> pauseAtMarkedBlob) {
      GcListener listener = new GcListener() {
        @Override
        public void phase(GcPhase phase) {
          if (pauseAtPhase.test(phase)) {
            pause();
          }
        }

        @Override
        public void blobMarkedDeleting(Digest digest) {
          if (pauseAtMarkedBlob.test(digest)) {
            pause();
          }
        }
      };
      report = CompletableFuture.supplyAsync(() -> {
        try {
          return Collected.run(f.collector, new GcOptions(false, deleteUntagged, Duration.ZERO, Duration.ofDays(7)), listener);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, r -> Thread.ofVirtual().start(r));
    }

    private void pause() {
      paused.countDown();
      GarbageCollectorTest.await(release);
    }

    void awaitPaused() throws InterruptedException {
      assertThat(paused.await(30, TimeUnit.SECONDS)).as("gc reached the pause point").isTrue();
    }

    Collected finish() throws Exception {
      release.countDown();
      return report.get(30, TimeUnit.SECONDS);
    }
  }

  private PausedGc pausedAfterMark(boolean deleteUntagged) throws InterruptedException {
    PausedGc gc = new PausedGc(deleteUntagged, phase -> phase == GcPhase.SWEEP_MANIFESTS, digest -> false);
    gc.awaitPaused();
    return gc;
  }

  /** A blob uploaded long ago that no manifest uses: the candidate every race is about. */
  private Digest staleBlob(byte[] content) throws IOException {
    Digest digest = f.pushBlob(app, content);
    f.clock.advance(Duration.ofMillis(5));
    return digest;
  }

  @Test
  void manifestPushedAfterHeadingACandidateKeepsIt() throws Exception {
    Digest config = staleBlob(f.randomBytes(100));
    Digest layer = staleBlob(f.randomBytes(3000));
    PausedGc gc = pausedAfterMark(false);

    assertThat(f.registry.blobs().stat(app, layer).size()).isEqualTo(3000);
    f.putManifest(app, "v1", RegistryFixture.imageManifest(config, List.of(layer), Optional.empty(), null));
    Collected report = gc.finish();

    assertThat(report.blobs()).isEmpty();
    f.assertPulls(app, "v1");
  }

  @Test
  void blobMountedDuringGcStaysVisibleInTheNewRepository() throws Exception {
    Digest layer = staleBlob(f.randomBytes(2000));
    RepositoryName other = repo("team/other");
    PausedGc gc = pausedAfterMark(false);

    f.clock.advance(Duration.ofMillis(1));
    assertThat(f.registry.uploads().mount(other, app, layer)).isPresent();
    Digest config = f.pushBlob(other, f.randomBytes(50));
    f.putManifest(other, "v1", RegistryFixture.imageManifest(config, List.of(layer), Optional.empty(), null));
    gc.finish();

    f.assertPulls(other, "v1");
    assertThat(f.blobBytesExist(layer)).isTrue();
  }

  @Test
  void reuploadWhileTheBlobIsBeingDeletedEndsWithTheBlobWhole() throws Exception {
    byte[] content = f.randomBytes(4000);
    Digest layer = staleBlob(content);
    PausedGc gc = new PausedGc(false, phase -> false, layer::equals);
    gc.awaitPaused();

    // GC holds the digest's lock with the row marked deleting and the bytes still there. The
    // re-upload streams and verifies its bytes, then waits for the lock to rename them into place.
    CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
      try {
        f.registry.uploads().putMonolithic(app, layer, new ByteArrayInputStream(content));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, r -> Thread.ofVirtual().start(r));
    awaitQueuedOnLock(layer);
    Collected report = gc.finish();
    upload.get(30, TimeUnit.SECONDS);

    assertThat(report.blobs()).extracting(GcItem.DeletedBlob::digest).containsExactly(layer);
    assertThat(f.registry.blobs().stat(app, layer).size()).isEqualTo(4000);
    assertThat(f.blobBytesExist(layer)).as("bytes renamed after GC deleted the old ones").isTrue();
    Digest config = f.pushBlob(app, f.randomBytes(10));
    f.putManifest(app, "v1", RegistryFixture.imageManifest(config, List.of(layer), Optional.empty(), null));
    f.assertPulls(app, "v1");
  }

  private void awaitQueuedOnLock(Digest digest) throws Exception {
    for (int i = 0; i < 3000 && !f.someoneWaitsFor(digest); i++) {
      Thread.sleep(10);
    }
    assertThat(f.someoneWaitsFor(digest)).as("upload waits for the digest's guard").isTrue();
  }

  @Test
  void manifestNamingABlobMarkedDeletingGetsACleanErrorAndTheRetrySucceeds() throws Exception {
    byte[] content = f.randomBytes(1500);
    Digest layer = staleBlob(content);
    Digest config = f.pushBlob(app, f.randomBytes(20));
    f.clock.advance(Duration.ofMillis(5));
    byte[] manifest = RegistryFixture.imageManifest(config, List.of(layer), Optional.empty(), null);
    // Keep the config fresh so only the layer is a candidate.
    f.registry.uploads().mount(app, app, config);
    PausedGc gc = new PausedGc(false, phase -> false, layer::equals);
    gc.awaitPaused();

    assertThatThrownBy(() -> f.putManifest(app, "v1", manifest))
        .isInstanceOfSatisfying(RegistryException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_BLOB_UNKNOWN));
    gc.finish();

    // What docker, podman and skopeo do on MANIFEST_BLOB_UNKNOWN: upload the blob again, then retry.
    f.pushBlob(app, content);
    f.putManifest(app, "v1", manifest);
    f.assertPulls(app, "v1");
  }

  @Test
  void tagMovedOntoAnUntaggedCandidateKeepsIt() throws Exception {
    Digest first = f.pushImage(app, "stable", List.of());
    Digest second = f.pushImage(app, null, List.of());
    f.clock.advance(Duration.ofMillis(5));
    PausedGc gc = pausedAfterMark(true);

    byte[] secondBytes = f.registry.manifests().get(app, new Reference.ByDigest(second)).payload();
    f.putManifest(app, "stable", secondBytes);
    Collected report = gc.finish();

    assertThat(report.manifests()).isEmpty();
    f.assertPulls(app, "stable");
    f.assertPulls(app, first.toString());
    f.clock.advance(Duration.ofMillis(5));
    assertThat(f.gc(true, Duration.ZERO).manifests()).extracting(GcItem.DeletedManifest::digest)
        .containsExactly(first);
    f.assertPulls(app, "stable");
  }

  @Test
  void indexPushedOverAnUntaggedCandidateKeepsTheChild() throws Exception {
    Digest child = f.pushImage(app, null, List.of());
    f.clock.advance(Duration.ofMillis(5));
    PausedGc gc = pausedAfterMark(true);

    f.putManifest(app, "multi", RegistryFixture.index(List.of(child)));
    Collected report = gc.finish();

    assertThat(report.manifests()).isEmpty();
    f.assertPulls(app, "multi");
  }

  @Test
  void tagDeletedDuringGcIsCollectedByTheNextRunNotHalfway() throws Exception {
    f.pushImage(app, "v1", List.of());
    f.clock.advance(Duration.ofMillis(5));
    PausedGc gc = pausedAfterMark(true);

    f.registry.manifests().delete(app, Reference.parse("v1"), "test");
    Collected during = gc.finish();
    f.clock.advance(Duration.ofMillis(5));
    Collected after = f.gc(true, Duration.ZERO);

    assertThat(during.manifests()).as("live at the mark: kept whole").isEmpty();
    assertThat(during.blobs()).isEmpty();
    assertThat(after.manifests()).hasSize(1);
    assertThat(after.blobs()).hasSize(2);
  }
}
