package dev.berth.gc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.BerthJar;
import dev.berth.testing.BlobBackend;
import dev.berth.testing.RunningRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Online GC under load on one real server, with blobs on the filesystem and on S3: parallel pushers of images that share layers, a deleter
 * of tags and manifests, and GC runs back to back with a grace period of zero. Afterwards every tag
 * pulls whole, storage holds exactly the blobs of the tagged images, and fsck finds nothing wrong
 * (DESIGN.md invariants 1, 2 and 5).
 */
class GcStressIT {
  private static final long SEED = 7_2024L;
  private static final int PUSHERS = 4;
  private static final int RETRIES = 50;
  private static final Duration LOAD = Duration.ofSeconds(8);
  private static final int MAX_PUSHES_PER_PUSHER = 120;
  private static final int MAX_DELETER_STEPS = 400;
  private static final int MAX_GC_RUNS = 200;
  private static final List<String> REPOSITORIES = List.of("gc-stress/alpha", "gc-stress/beta", "gc-stress/team/gamma");
  private static final List<String> TAGS = List.of("latest", "v1", "v2", "v3", "v4", "stable");

  @TempDir
  Path temp;

  @ParameterizedTest
  @EnumSource(value = BlobBackend.class, names = {"FILESYSTEM", "S3"})
  void pushesDeletesAndBackToBackGcLeaveEveryTagWholeAndNoBlobDangling(BlobBackend backend) throws Exception {
    DataDir data = DataDir.create(temp);
    ImageFactory images = new ImageFactory("stress", SEED, 6);
    AtomicInteger tagDeletes = new AtomicInteger();
    AtomicInteger manifestDeletes = new AtomicInteger();
    AtomicInteger gcRuns = new AtomicInteger();
    // Starts refused with 409 although this thread had seen the previous run finish: a server bug,
    // pinned down by GcRunLifecycleIT; counted here, so that the stress still checks what it is about.
    LongAdder refusedAfterFinish = new LongAdder();
    String summary;

    try (RunningRegistry server = RunningRegistry.start(data.root(), true, backend);
        OciHttp registry = new OciHttp(server.uri("/"))) {
      data.useBlobsOf(server);
      AdminApi admin = AdminApi.of(data.root());
      ImagePusher pusher = new ImagePusher(registry, RETRIES);

      try (Load load = new Load()) {
        for (int p = 0; p < PUSHERS; p++) {
          Random random = new Random(SEED + p);
          load.start("pusher-" + p, MAX_PUSHES_PER_PUSHER, i -> {
            pusher.tryPush(pick(REPOSITORIES, random), pick(TAGS, random), images.next());
            return true;
          });
        }
        Random deleterRandom = new Random(SEED - 1);
        load.start("deleter", MAX_DELETER_STEPS, i -> {
          deleteSomething(registry, deleterRandom, tagDeletes, manifestDeletes);
          Thread.sleep(15); // pacing: delete some of what is pushed, not all of it
          return true;
        });
        load.start("gc", MAX_GC_RUNS, run -> {
          admin.runToSuccessDespiteRefusals(AdminApi.options(false, run % 2 == 0), refusedAfterFinish);
          gcRuns.incrementAndGet();
          awaitAPush(pusher, load);
          return true;
        });

        // At least LOAD long, and long enough for each kind of worker to have done some of its work.
        load.runFor(LOAD,
            () -> pusher.pushes() >= 20 && gcRuns.get() >= 4 && tagDeletes.get() + manifestDeletes.get() >= 4,
            Duration.ofSeconds(60));
        load.stopAndJoin(Duration.ofSeconds(60));
        load.assertNoFailures();
      }

      // Quiet now: one more image per repository, so there is surely something to pull, then two
      // full collections (the second sees everything older than its start).
      for (String repo : REPOSITORIES) {
        pusher.push(repo, "final", images.next());
      }
      admin.runToSuccessDespiteRefusals(AdminApi.options(false, true), refusedAfterFinish);
      admin.runToSuccessDespiteRefusals(AdminApi.options(false, true), refusedAfterFinish);

      PullVerifier pulled = new PullVerifier(registry).pullEveryTag(REPOSITORIES).assertAllWhole();
      assertThat(pulled.tagsPulled()).as("tags left to pull").isGreaterThanOrEqualTo(REPOSITORIES.size());
      assertThat(data.blobsOnDisk())
          .as("after a full collection storage holds exactly the blobs of the tagged images")
          .containsExactlyInAnyOrderElementsOf(pulled.blobsSeen());
      summary = String.format("GcStressIT: %d pushes, %d retries (%d pushes given up after %d attempts), %d deletes "
              + "(%d tags, %d manifests), %d gc runs, %d tags pulled, %d blobs verified, 0 corrupt; "
              + "%d starts refused (409) after the previous run was reported finished",
          pusher.pushes(), pusher.retries(), pusher.starved(), RETRIES, tagDeletes.get() + manifestDeletes.get(),
          tagDeletes.get(),
          manifestDeletes.get(), gcRuns.get(), pulled.tagsPulled(), pulled.blobsSeen().size(),
          refusedAfterFinish.sum());

      // fsck is read-only and safe beside the (now idle) server, whose S3 server must still run.
      BerthJar.Result fsck = data.fsck("--verify-digests");
      assertThat(fsck.exitCode()).as("%s", fsck).isZero();
      assertThat(fsck.output()).as("%s", fsck).contains("0 dangling, 0 corrupt, 0 orphaned");
    }

    System.out.println(summary);
  }

  /**
   * Pacing, not a check: with a grace period of zero, runs back to back would take every blob a
   * pusher has uploaded before its manifest is in, and no push would ever get through. So the next
   * run waits for one more push (for a second at most).
   */
  private static void awaitAPush(ImagePusher pusher, Load load) throws InterruptedException {
    long pushes = pusher.pushes();
    for (int wait = 0; wait < 100 && pusher.pushes() == pushes && !load.stopping(); wait++) {
      Thread.sleep(10);
    }
  }

  /** Deletes a tag, or the manifest a tag points at (with every tag on it). */
  private static void deleteSomething(OciHttp registry, Random random, AtomicInteger tagDeletes,
      AtomicInteger manifestDeletes) throws Exception {
    String repo = pick(REPOSITORIES, random);
    List<String> tags = registry.tags(repo);
    if (tags.isEmpty()) {
      return;
    }
    String tag = pick(tags, random);
    if (random.nextBoolean()) {
      // Only this thread removes tags, and GC never removes a tagged manifest: the tag is there.
      OciHttp.Reply deleted = registry.deleteManifest(repo, tag);
      assertThat(deleted.status()).as("%s", deleted).isEqualTo(202);
      tagDeletes.incrementAndGet();
      return;
    }
    OciHttp.Reply manifest = registry.getManifest(repo, tag);
    assertThat(manifest.status()).as("%s", manifest).isEqualTo(200);
    OciHttp.Reply deleted = registry.deleteManifest(repo, manifest.header("Docker-Content-Digest"));
    // A pusher may have moved the tag on since, and GC collected the manifest left untagged.
    if (deleted.status() == 404) {
      assertThat(deleted.errorCodes()).as("%s", deleted).containsExactly("MANIFEST_UNKNOWN");
      return;
    }
    assertThat(deleted.status()).as("%s", deleted).isEqualTo(202);
    manifestDeletes.incrementAndGet();
  }

  private static <T> T pick(List<T> items, Random random) {
    return items.get(random.nextInt(items.size()));
  }
}
