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
import dev.berth.storage.UploadId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** What is garbage and what is not, decided over real stores. */
class GarbageCollectorTest {
  @TempDir
  Path dir;

  RegistryFixture f;
  final RepositoryName app = repo("team/app");

  /**
   * On the filesystem here; again on S3 in {@code S3GarbageCollectorTest}, and as two replicas on
   * PostgreSQL in {@code PostgresReplicasGarbageCollectorTest}.
   */
  @BeforeEach
  void open(TestInfo test) throws Exception {
    f = new RegistryFixture(dir, test);
  }

  @AfterEach
  void close() throws Exception {
    f.close();
  }

  /** Runs before a deletion of the fixture's blob store; throwing stops it. */
  private interface DeleteHook {
    void before(Digest digest) throws Exception;
  }

  private dev.berth.storage.BlobStore beforeEachDelete(DeleteHook hook) {
    return (dev.berth.storage.BlobStore) java.lang.reflect.Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {dev.berth.storage.BlobStore.class}, (proxy, method, args) -> {
          if (method.getName().equals("delete")) {
            hook.before((Digest) args[0]);
          }
          try {
            return method.invoke(f.blobs, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  private List<Digest> deletedBlobs(Collected report) {
    return report.blobs().stream().map(GcItem.DeletedBlob::digest).toList();
  }

  private List<Digest> deletedManifests(Collected report) {
    return report.manifests().stream().map(GcItem.DeletedManifest::digest).toList();
  }

  @Test
  void taggedImagesIndexesAndReferrersOfLiveSubjectsStay() throws Exception {
    Digest base = f.pushBlob(app, f.randomBytes(3000));
    Digest image = f.pushImage(app, "v1", List.of(base));
    Digest amd64 = f.pushImage(app, null, List.of(base));
    Digest arm64 = f.pushImage(app, null, List.of());
    f.putManifest(app, "multi", RegistryFixture.index(List.of(amd64, arm64)));
    Digest sigConfig = f.pushBlob(app, "{}".getBytes());
    Digest sigLayer = f.pushBlob(app, f.randomBytes(100));
    f.putManifest(app, null, RegistryFixture.imageManifest(sigConfig, List.of(sigLayer), Optional.of(image),
        "application/vnd.dev.cosign.signature"));
    f.clock.advance(DAY.multipliedBy(2));

    Collected report = f.gc(true, DAY);

    assertThat(report.manifests()).isEmpty();
    assertThat(report.blobs()).isEmpty();
    f.assertPulls(app, "v1");
    f.assertPulls(app, "multi");
  }

  @Test
  void untaggedManifestsStayUnlessDeleteUntagged() throws Exception {
    Digest shared = f.pushBlob(app, f.randomBytes(4000));
    f.pushImage(app, "keep", List.of(shared));
    Digest untagged = f.pushImage(app, "drop", List.of(shared));
    f.registry.manifests().delete(app, Reference.parse("drop"), "test");
    f.clock.advance(DAY.multipliedBy(2));

    assertThat(f.gc(false, DAY).manifests()).isEmpty();
    assertThat(f.registry.manifests().get(app, new Reference.ByDigest(untagged))).isNotNull();

    Collected report = f.gc(true, DAY);
    assertThat(deletedManifests(report)).containsExactly(untagged);
    assertThat(report.blobs()).hasSize(2).extracting(GcItem.DeletedBlob::digest).doesNotContain(shared);
    assertThat(f.blobBytesExist(shared)).isTrue();
    f.assertPulls(app, "keep");
  }

  @Test
  void deletingByDigestFreesExactlyTheBlobsNoOtherImageUses() throws Exception {
    Digest shared = f.pushBlob(app, f.randomBytes(4000));
    f.pushImage(repo("other/app"), "v1", List.of());
    f.registry.uploads().mount(repo("other/app"), app, shared);
    Digest kept = f.pushImage(repo("other/app"), "v2", List.of(shared));
    Digest gone = f.pushImage(app, "v1", List.of(shared));
    f.registry.manifests().delete(app, new Reference.ByDigest(gone), "test");
    f.clock.advance(DAY.multipliedBy(2));

    Collected report = f.gc(false, DAY);

    assertThat(report.manifests()).isEmpty();
    assertThat(report.blobs()).hasSize(2);
    assertThat(deletedBlobs(report)).doesNotContain(shared);
    assertThat(report.bytesFreed()).isEqualTo(report.blobs().stream().mapToLong(GcItem.DeletedBlob::size).sum());
    assertThat(report.bytesFreed()).isEqualTo(200 + 5000);
    for (Digest blob : deletedBlobs(report)) {
      assertThat(f.blobBytesExist(blob)).isFalse();
    }
    f.assertPulls(repo("other/app"), kept.toString());
  }

  @Test
  void referrersOfADeletedSubjectAreGarbage() throws Exception {
    Digest image = f.pushImage(app, "v1", List.of());
    Digest sbomConfig = f.pushBlob(app, "{}".getBytes());
    Digest sbomLayer = f.pushBlob(app, f.randomBytes(700));
    Digest sbom = f.putManifest(app, null, RegistryFixture.imageManifest(sbomConfig, List.of(sbomLayer),
        Optional.of(image), "application/spdx+json"));
    f.registry.manifests().delete(app, new Reference.ByDigest(image), "test");
    f.clock.advance(DAY.multipliedBy(2));

    Collected report = f.gc(false, DAY);

    assertThat(deletedManifests(report)).containsExactly(sbom);
    assertThat(deletedBlobs(report)).contains(sbomLayer, sbomConfig);
  }

  @Test
  void nothingYoungerThanTheGracePeriodIsCollected() throws Exception {
    Digest pending = f.pushBlob(app, f.randomBytes(1000));
    f.clock.advance(Duration.ofMinutes(1));
    assertThat(f.gc(true, DAY).blobs()).isEmpty();
    assertThat(f.blobBytesExist(pending)).isTrue();

    f.clock.advance(DAY);
    assertThat(deletedBlobs(f.gc(true, DAY))).containsExactly(pending);
    assertThat(f.blobBytesExist(pending)).isFalse();
  }

  @Test
  void theReportCountsWhatOnlyTheGracePeriodKept() throws Exception {
    f.pushBlob(app, f.randomBytes(1000));
    f.pushImage(app, "drop", List.of(f.pushBlob(app, f.randomBytes(500))));
    f.registry.manifests().delete(app, Reference.parse("drop"), "test");
    f.pushImage(app, "keep", List.of());
    f.clock.advance(Duration.ofMinutes(1));

    Collected young = f.gc(true, DAY);
    assertThat(young.items()).isEmpty();
    // The stray blob, and the untagged manifest (whose blobs it keeps); the tagged image is no one's to keep.
    assertThat(young.report().blobsKeptByGrace()).isEqualTo(1);
    assertThat(young.report().manifestsKeptByGrace()).isEqualTo(1);
    assertThat(young.report().summary()).startsWith("collected: 0 manifests, 0 blobs,")
        .endsWith("; 1 blob and 1 manifest kept by the 24h grace period");

    f.clock.advance(DAY);
    Collected old = f.gc(true, DAY);
    assertThat(old.report().manifests()).isEqualTo(1);
    assertThat(old.report().blobs()).isEqualTo(4);
    assertThat(old.report().blobsKeptByGrace()).isZero();
    assertThat(old.report().manifestsKeptByGrace()).isZero();
    assertThat(old.report().summary()).doesNotContain("grace");
  }

  @Test
  void graceZeroCollectsAtOnce() throws Exception {
    Digest pending = f.pushBlob(app, f.randomBytes(1000));
    f.clock.advance(Duration.ofMillis(1));
    assertThat(deletedBlobs(f.gc(false, Duration.ZERO))).containsExactly(pending);
  }

  /**
   * More unused links than one batch: they are unlinked while the scan still runs, so a run that
   * leaves a million links unused never holds them all.
   */
  @Test
  void unusedLinksAreUnlinkedABatchAtATimeWhileTheScanRuns() throws Exception {
    Digest layer = f.pushBlob(app, f.randomBytes(100));
    f.pushImage(app, "v1", List.of(layer));
    int mirrors = GarbageCollector.BATCH + 100;
    for (int i = 0; i < mirrors; i++) {
      f.registry.uploads().mount(repo("team/mirror" + i), app, layer);
    }
    f.clock.advance(DAY.multipliedBy(2));
    dev.berth.metadata.CollectorStore store = f.metadata.collector();
    List<String> calls = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    dev.berth.metadata.CollectorStore recording = (dev.berth.metadata.CollectorStore) java.lang.reflect.Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {dev.berth.metadata.CollectorStore.class}, (proxy, method, args) -> {
          boolean scan = method.getName().equals("forEachUnusedLink");
          if (scan || method.getName().equals("unlinkIfUnused")) {
            calls.add(method.getName());
          }
          try {
            return method.invoke(store, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          } finally {
            if (scan) {
              calls.add("scan ended");
            }
          }
        });

    GcReport report = new GarbageCollector(recording, f.blobs, f.collectorGuard, f.clock)
        .run(new GcOptions(false, false, DAY, Duration.ofDays(7)), GcListener.NONE);

    assertThat(report.links()).isEqualTo(mirrors);
    assertThat(calls).containsExactly("forEachUnusedLink", "unlinkIfUnused", "scan ended", "unlinkIfUnused");
    assertThat(f.registry.blobs().stat(app, layer).size()).isEqualTo(100);
    assertThatThrownBy(() -> f.registry.blobs().stat(repo("team/mirror0"), layer))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UNKNOWN));
  }

  @Test
  void unusedLinksGoAndTheBlobDisappearsFromThatRepository() throws Exception {
    Digest layer = f.pushBlob(app, f.randomBytes(2000));
    f.pushImage(app, "v1", List.of(layer));
    RepositoryName mirror = repo("team/mirror");
    f.registry.uploads().mount(mirror, app, layer);
    f.pushImage(mirror, "v1", List.of());
    f.clock.advance(DAY.multipliedBy(2));

    Collected report = f.gc(false, DAY);

    assertThat(report.links()).containsExactly(new GcItem.DeletedLink(mirror, layer));
    assertThat(report.blobs()).isEmpty();
    assertThatThrownBy(() -> f.registry.blobs().stat(mirror, layer))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UNKNOWN));
    assertThat(f.registry.blobs().stat(app, layer).size()).isEqualTo(2000);
  }

  @Test
  void aDeletedBlobTakesItsLinksAlongAndNamesTheirRepositories() throws Exception {
    Digest layer = f.pushBlob(app, f.randomBytes(2000));
    RepositoryName mirror = repo("team/mirror");
    RepositoryName backup = repo("team/backup");
    f.registry.uploads().mount(mirror, app, layer);
    f.registry.uploads().mount(backup, app, layer);
    f.pushImage(app, "v1", List.of());
    f.clock.advance(DAY.multipliedBy(2));

    for (boolean dryRun : List.of(true, false)) {
      Collected report = Collected.run(f.collector, new GcOptions(dryRun, false, DAY, Duration.ofDays(7)));

      assertThat(report.blobs()).as("dry run: %s", dryRun)
          .containsExactly(new GcItem.DeletedBlob(layer, 2000, List.of(app, backup, mirror)));
      assertThat(report.links()).as("links whose blob stays, and only those").isEmpty();
      assertThat(report.repositories()).as("emptied by the blob's going").containsExactly(backup, mirror);
    }
    assertThat(f.metadata.collector().linkedRepositories(List.of(layer))).isEmpty();
    assertThat(f.blobBytesExist(layer)).isFalse();
  }

  @Test
  void idleUploadSessionsArePurged() throws Exception {
    UploadId idle = f.registry.uploads().start(app);
    f.clock.advance(Duration.ofDays(8));
    UploadId fresh = f.registry.uploads().start(app);

    Collected report = f.gc(false, DAY);

    assertThat(report.uploads()).isEqualTo(1);
    assertThatThrownBy(() -> f.registry.uploads().status(app, idle))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_UNKNOWN));
    assertThat(f.registry.uploads().status(app, fresh)).isZero();
  }

  @Test
  void emptiedRepositoriesLeaveTheCatalog() throws Exception {
    RepositoryName temp = repo("temp/thing");
    Digest image = f.pushImage(temp, "v1", List.of());
    f.pushImage(app, "v1", List.of());
    f.registry.manifests().delete(temp, new Reference.ByDigest(image), "test");
    f.clock.advance(DAY.multipliedBy(2));

    Collected report = f.gc(false, DAY);

    assertThat(report.repositories()).containsExactly(temp);
    assertThat(f.registry.listings().catalog(Optional.empty(), Optional.empty()).items()).containsExactly(app);
  }

  @Test
  void dryRunChangesNothingAndListsExactlyWhatTheRealRunDeletes() throws Exception {
    Digest shared = f.pushBlob(app, f.randomBytes(3000));
    f.pushImage(app, "keep", List.of(shared));
    Digest untagged = f.pushImage(app, "drop", List.of(shared));
    f.registry.manifests().delete(app, Reference.parse("drop"), "test");
    Digest index = f.putManifest(app, "idx", RegistryFixture.index(List.of(untagged)));
    f.registry.manifests().delete(app, Reference.parse("idx"), "test");
    f.pushBlob(repo("orphan/repo"), f.randomBytes(10));
    f.registry.uploads().start(app);
    f.clock.advance(Duration.ofDays(9));
    Map<String, byte[]> before = snapshot(dir);

    Collected dry = Collected.run(f.collector, new GcOptions(true, true, DAY, Duration.ofDays(7)));

    assertThat(snapshot(dir)).as("every file, byte for byte").containsExactlyInAnyOrderEntriesOf(before);
    Collected real = f.gc(true, DAY);
    assertThat(dry.manifests()).containsExactlyInAnyOrderElementsOf(real.manifests());
    assertThat(deletedManifests(real)).containsExactlyInAnyOrder(index, untagged);
    assertThat(dry.blobs()).containsExactlyInAnyOrderElementsOf(real.blobs());
    assertThat(dry.links()).containsExactlyInAnyOrderElementsOf(real.links());
    assertThat(dry.uploads()).isEqualTo(real.uploads()).isEqualTo(1);
    assertThat(dry.repositories()).containsExactlyInAnyOrderElementsOf(real.repositories());
    assertThat(dry.bytesFreed()).isEqualTo(real.bytesFreed());
    f.assertPulls(app, "keep");
  }

  /** Every file under the directory (the SQLite database and its WAL included) with its bytes. */
  private static Map<String, byte[]> snapshot(Path root) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        if (!file.getFileName().toString().endsWith("-shm")) {
          files.put(root.relativize(file).toString(), Files.readAllBytes(file));
        }
      }
    }
    return files;
  }

  @Test
  void orphanedBytesAreFoundOnlyInOrphanMode() throws Exception {
    Digest kept = f.pushBlob(app, f.randomBytes(100));
    f.pushImage(app, "v1", List.of(kept));
    byte[] orphan = f.randomBytes(321);
    Digest orphanDigest = Digest.sha256(orphan);
    UploadId staged = UploadId.random();
    f.blobs.createUpload(staged);
    f.blobs.appendUpload(staged, 0, new java.io.ByteArrayInputStream(orphan));
    f.blobs.commitUpload(staged, orphanDigest);

    assertThat(f.gc(false, Duration.ZERO).orphans()).isEmpty();
    Collected report = Collected.run(f.collector, new GcOptions(false, false, Duration.ZERO, Duration.ofDays(7), true));

    assertThat(report.orphans()).containsExactly(orphanDigest);
    assertThat(f.blobBytesExist(orphanDigest)).isFalse();
    assertThat(f.blobBytesExist(kept)).isTrue();
  }

  @Test
  void onlyOneRunAtATime() throws Exception {
    java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Thread first = Thread.ofVirtual().start(() -> {
      try {
        f.collector.run(new GcOptions(false, false, DAY, DAY), new GcListener() {
          @Override
          public void phase(GcPhase phase) {
            if (phase == GcPhase.SWEEP_MANIFESTS) {
              inside.countDown();
              await(release);
            }
          }
        });
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    inside.await();
    assertThatThrownBy(() -> f.gc(false, DAY)).isInstanceOf(GcAlreadyRunningException.class);
    release.countDown();
    first.join();
  }

  static void await(java.util.concurrent.CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Blob batches overlap (one is marked while the files of the one before go), so a failure must
   * still let go of every digest lock, after the file deletions already started, and leave what
   * the next run can finish.
   */
  @Test
  void aBlobWhoseBytesCannotGoStopsTheRunWithEveryLockFreeAndTheNextRunFinishesTheJob() throws Exception {
    RepositoryName app = repo("team/app");
    List<Digest> pushed = new java.util.ArrayList<>();
    for (int i = 0; i < GarbageCollector.BATCH * 3; i++) {
      pushed.add(f.pushBlob(app, f.randomBytes(16)));
    }
    f.clock.advance(Duration.ofDays(2));
    Digest stuck = pushed.stream().sorted(java.util.Comparator.comparing(Digest::toString))
        .skip(GarbageCollector.BATCH + 10).findFirst().orElseThrow();
    dev.berth.storage.BlobStore failing = beforeEachDelete(digest -> {
      if (stuck.equals(digest)) {
        throw new IOException("disk says no");
      }
    });
    GarbageCollector collector = new GarbageCollector(f.metadata.collector(), failing, f.collectorGuard, f.clock);

    assertThatThrownBy(() -> collector.run(new GcOptions(false, false, DAY, Duration.ofDays(7)), GcListener.NONE))
        .isInstanceOf(IOException.class).hasMessageContaining(stuck.toString());

    assertThat(f.someoneHoldsAnyOf(pushed)).as("a digest still held").isFalse();
    assertThat(f.blobBytesExist(stuck)).isTrue();
    Collected second = f.gc(false, DAY);
    assertThat(pushed).allSatisfy(digest -> assertThat(f.blobBytesExist(digest)).isFalse());
    assertThat(second.report().blobs()).isPositive();
    assertThat(new ConsistencyCheck(f.metadata.collector(), f.blobs).run(true, line -> { }).clean()).isTrue();
  }

  @Test
  void theFilesDeletedAtOnceAreFarApartInDigestOrder() throws Exception {
    List<Digest> pushed = new java.util.ArrayList<>();
    for (int i = 0; i < 64; i++) {
      pushed.add(f.pushBlob(app, f.randomBytes(16)));
    }
    f.clock.advance(Duration.ofDays(2));
    List<Digest> sorted = pushed.stream().sorted(java.util.Comparator.comparing(Digest::toString)).toList();
    // Every deleter waits until 8 have started, so the first 8 to start are the first 8 submitted.
    java.util.concurrent.CountDownLatch allBusy = new java.util.concurrent.CountDownLatch(8);
    List<Digest> started = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    dev.berth.storage.BlobStore recording = beforeEachDelete(digest -> {
      started.add(digest);
      allBusy.countDown();
      allBusy.await(30, java.util.concurrent.TimeUnit.SECONDS);
    });

    new GarbageCollector(f.metadata.collector(), recording, f.collectorGuard, f.clock)
        .run(new GcOptions(false, false, DAY, Duration.ofDays(7)), GcListener.NONE);

    assertThat(started).hasSize(64);
    assertThat(started.subList(0, 8)).containsExactlyInAnyOrder(
        sorted.get(0), sorted.get(8), sorted.get(16), sorted.get(24),
        sorted.get(32), sorted.get(40), sorted.get(48), sorted.get(56));
  }
}
