package dev.berth.gc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The project's concurrent push + delete + GC load, against one server or several replicas of
 * one deployment: pushers of images that share layers (each thread through its own
 * {@link ImagePusher}, so through the replica it names), a deleter of tags and manifests, an
 * optional tag mover that puts a pushed manifest under another tag, and GC runs back to back with a
 * grace period of zero through one server's admin API. Bounded in steps and in time; a failing
 * worker fails the run.
 */
final class StressWorkload {
  static final long SEED = 7_2024L;
  static final int RETRIES = 50;
  static final List<String> REPOSITORIES = List.of("gc-stress/alpha", "gc-stress/beta", "gc-stress/team/gamma");
  private static final List<String> TAGS = List.of("latest", "v1", "v2", "v3", "v4", "stable");
  private static final int MAX_PUSHES_PER_PUSHER = 120;
  private static final int MAX_DELETER_STEPS = 400;
  private static final int MAX_TAG_MOVES = 400;
  private static final int MAX_GC_RUNS = 200;
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final ImageFactory images;
  private final List<ImagePusher> pushers = new ArrayList<>();
  private OciHttp deleter;
  private OciHttp tagMover;
  private AdminApi gc;
  private Callable<Boolean> otherCollector;
  private final AtomicInteger otherRuns = new AtomicInteger();
  private final AtomicInteger tagDeletes = new AtomicInteger();
  private final AtomicInteger manifestDeletes = new AtomicInteger();
  private final AtomicInteger tagMoves = new AtomicInteger();
  private final AtomicInteger gcRuns = new AtomicInteger();
  // Starts refused with 409 although this thread had seen the previous run finish: a server bug,
  // pinned down by GcRunLifecycleIT; counted here, so that the stress still checks what it is about.
  private final LongAdder refusedAfterFinish = new LongAdder();

  StressWorkload(ImageFactory images) {
    this.images = images;
  }

  /** One pushing thread more, pushing through {@code pusher}. */
  StressWorkload pusher(ImagePusher pusher) {
    pushers.add(pusher);
    return this;
  }

  StressWorkload deleter(OciHttp registry) {
    this.deleter = registry;
    return this;
  }

  /** A thread that puts the manifest one tag names under another tag, without pushing its blobs again. */
  StressWorkload tagMover(OciHttp registry) {
    this.tagMover = registry;
    return this;
  }

  StressWorkload gc(AdminApi admin) {
    this.gc = admin;
    return this;
  }

  /**
   * A second collector looping in processes of its own (each {@code run} one collection, true when
   * it ran rather than found another running), contending with the first for the deployment's one run.
   */
  StressWorkload otherCollector(Callable<Boolean> run) {
    this.otherCollector = run;
    return this;
  }

  /**
   * Runs every worker for at least {@code load}, and until each kind has done some of its work;
   * fails if a worker failed or too little happened within a minute.
   */
  void run(Duration load) throws Exception {
    try (Load workers = new Load()) {
      for (int p = 0; p < pushers.size(); p++) {
        Random random = new Random(SEED + p);
        ImagePusher pusher = pushers.get(p);
        workers.start("pusher-" + p, MAX_PUSHES_PER_PUSHER, i -> {
          pusher.tryPush(pick(REPOSITORIES, random), pick(TAGS, random), images.next());
          return true;
        });
      }
      Random deleterRandom = new Random(SEED - 1);
      workers.start("deleter", MAX_DELETER_STEPS, i -> {
        deleteSomething(deleterRandom);
        Thread.sleep(15); // pacing: delete some of what is pushed, not all of it
        return true;
      });
      if (tagMover != null) {
        Random moverRandom = new Random(SEED - 2);
        workers.start("tag-mover", MAX_TAG_MOVES, i -> {
          moveATag(moverRandom);
          Thread.sleep(15);
          return true;
        });
      }
      workers.start("gc", MAX_GC_RUNS, run -> {
        collect(run % 2 == 0);
        gcRuns.incrementAndGet();
        awaitAPush(workers);
        return true;
      });

      if (otherCollector != null) {
        workers.start("other-gc", MAX_GC_RUNS, run -> {
          if (otherCollector.call()) {
            otherRuns.incrementAndGet();
          }
          awaitAPush(workers);
          return true;
        });
      }
      workers.runFor(load,
          () -> pushes() >= 20 && gcRuns.get() >= 4 && tagDeletes.get() + manifestDeletes.get() >= 4
              && (otherCollector == null || otherRuns.get() >= 1),
          TIMEOUT);
      workers.stopAndJoin(TIMEOUT);
      workers.assertNoFailures();
    }
  }

  /** One collection to its successful end, a start refused for a moment after the last one asked again. */
  void collect(boolean deleteUntagged) throws Exception {
    gc.runToSuccessDespiteRefusals(AdminApi.options(false, deleteUntagged), refusedAfterFinish);
  }

  long pushes() {
    return pushers.stream().distinct().mapToLong(ImagePusher::pushes).sum();
  }

  String summary() {
    long retries = pushers.stream().distinct().mapToLong(ImagePusher::retries).sum();
    long starved = pushers.stream().distinct().mapToLong(ImagePusher::starved).sum();
    long skipped = pushers.stream().distinct().mapToLong(ImagePusher::skippedUploads).sum();
    return String.format("%d pushes, %d retries (%d pushes given up after %d attempts), %d blob uploads skipped "
            + "after a HEAD, %d deletes (%d tags, %d manifests), %d tag moves, %d gc runs (%d more in other processes);"
            + " %d starts refused (409) after the previous run was reported finished",
        pushes(), retries, starved, RETRIES, skipped, tagDeletes.get() + manifestDeletes.get(), tagDeletes.get(),
        manifestDeletes.get(), tagMoves.get(), gcRuns.get(), otherRuns.get(), refusedAfterFinish.sum());
  }

  /**
   * Pacing, not a check: with a grace period of zero, runs back to back would take every blob a
   * pusher has uploaded before its manifest is in, and no push would ever get through. So the next
   * run waits for one more push (for a second at most).
   */
  private void awaitAPush(Load workers) throws InterruptedException {
    long before = pushes();
    for (int wait = 0; wait < 100 && pushes() == before && !workers.stopping(); wait++) {
      Thread.sleep(10);
    }
  }

  /** Deletes a tag, or the manifest a tag points at (with every tag on it). */
  private void deleteSomething(Random random) throws Exception {
    String repo = pick(REPOSITORIES, random);
    List<String> tags = deleter.tags(repo);
    if (tags.isEmpty()) {
      return;
    }
    String tag = pick(tags, random);
    if (random.nextBoolean()) {
      // Only this thread removes tags, and GC never removes a tagged manifest: the tag is there.
      OciHttp.Reply deleted = deleter.deleteManifest(repo, tag);
      assertThat(deleted.status()).as("%s", deleted).isEqualTo(202);
      tagDeletes.incrementAndGet();
      return;
    }
    OciHttp.Reply manifest = deleter.getManifest(repo, tag);
    assertThat(manifest.status()).as("%s", manifest).isEqualTo(200);
    OciHttp.Reply deleted = deleter.deleteManifest(repo, manifest.header("Docker-Content-Digest"));
    // A pusher may have moved the tag on since, and GC collected the manifest left untagged.
    if (deleted.status() == 404) {
      assertThat(deleted.errorCodes()).as("%s", deleted).containsExactly("MANIFEST_UNKNOWN");
      return;
    }
    assertThat(deleted.status()).as("%s", deleted).isEqualTo(202);
    manifestDeletes.incrementAndGet();
  }

  /**
   * Puts the manifest a tag names under another tag. The deleter may take the manifest between the
   * GET and the PUT, and GC its blobs: then the PUT fails with the clean error a pusher retries on.
   */
  private void moveATag(Random random) throws Exception {
    String repo = pick(REPOSITORIES, random);
    List<String> tags = tagMover.tags(repo);
    if (tags.isEmpty()) {
      return;
    }
    OciHttp.Reply manifest = tagMover.getManifest(repo, pick(tags, random));
    if (manifest.status() == 404) {
      assertThat(manifest.errorCodes()).as("%s", manifest).containsExactly("MANIFEST_UNKNOWN");
      return;
    }
    assertThat(manifest.status()).as("%s", manifest).isEqualTo(200);
    OciHttp.Reply put = tagMover.putManifest(repo, pick(TAGS, random), manifest.header("Content-Type"),
        manifest.body());
    if (put.status() == 201) {
      assertThat(put.header("Docker-Content-Digest")).as("%s", put)
          .isEqualTo(manifest.header("Docker-Content-Digest"));
      tagMoves.incrementAndGet();
      return;
    }
    assertThat(put.status()).as("%s", put).isBetween(400, 499);
    assertThat(put.errorCodes()).as("%s", put).isNotEmpty();
    assertThat(ImagePusher.RETRY_FROM_SCRATCH).as("%s", put).containsAll(put.errorCodes());
  }

  private static <T> T pick(List<T> items, Random random) {
    return items.get(random.nextInt(items.size()));
  }
}
