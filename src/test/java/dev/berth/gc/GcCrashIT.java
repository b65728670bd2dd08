package dev.berth.gc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.testing.BerthJar;
import dev.berth.testing.BlobBackend;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety with real processes: {@code berth serve} is SIGKILLed at a random moment while
 * images are pushed and, in some rounds, while a GC run deletes. After each restart fsck finds no
 * dangling reference, every acknowledged push is still there, what was deleted stays deleted, a
 * handed-over {@code berth gc --orphans} reclaims whatever bytes the crash left, and every tag pulls
 * whole (DESIGN.md invariants 1 and 2). After each kill the test also lists the blob store itself
 * and finds the bytes of every live blob row there. {@code S3GcCrashIT} runs all of it again with the
 * blobs in an S3 bucket.
 */
class GcCrashIT {
  private static final long SEED = 0xBE27L;
  private static final int ROUNDS = 6;
  private static final int PUSHERS = 3;
  private static final int PUSHES_BEFORE_THE_CRASH = 3;
  private static final List<String> REPOSITORIES = List.of("gc-crash/app", "gc-crash/team/base");

  @TempDir
  Path temp;
  private BlobBackend backend;
  private DataDir data;

  /** Blobs on the filesystem here; in the bucket of an S3 server (s3proxy) in {@code S3GcCrashIT}. */
  @BeforeEach
  void createDataDirectory(TestInfo test) throws Exception {
    backend = BlobBackend.of(test);
    data = DataDir.create(temp, backend);
  }

  @AfterEach
  void stopBlobStore() throws Exception {
    data.close();
  }

  /** A tag the registry acknowledged. */
  private record TagRef(String repo, String tag) implements Comparable<TagRef> {
    @Override
    public int compareTo(TagRef other) {
      return (repo + ":" + tag).compareTo(other.repo + ":" + other.tag);
    }
  }

  /** What the registry acknowledged: the tags it accepted, and those of them it confirmed deleted. */
  private final Set<TagRef> acknowledged = new ConcurrentSkipListSet<>();
  private final Set<TagRef> deleted = new TreeSet<>();

  @Test
  void killingTheServerAtRandomMomentsNeverLeavesADanglingReference() throws Exception {
    ImageFactory images = new ImageFactory("crash", SEED, 4);
    List<String> rounds = new ArrayList<>();
    Set<String> runsCutShort = new TreeSet<>();
    long orphansReclaimed = 0;

    ServerProcess server = ServerProcess.start(data);
    try {
      for (int round = 1; round <= ROUNDS; round++) {
        // Each round's choices come from its own seed, whatever earlier rounds did.
        Random random = new Random(SEED * 31 + round);
        boolean collect = round % 2 == 0 || random.nextInt(3) == 0;
        int killAfterMillis = 30 + random.nextInt(400);
        int pushes = loadThenKill(server, data, images, random.nextLong(), round, collect, killAfterMillis);

        // Besides whatever the kill left, bytes whose row never committed, as a crash right after an
        // upload's rename leaves them: so the orphan sweep surely has something to do.
        String planted = data.plantOrphan(images.uniqueLayer());
        // fsck reads the state exactly as the crash left it, while the server starts again beside it.
        CompletableFuture<BerthJar.Result> fsckAfterCrash = inBackground(data::fsck);
        server = ServerProcess.start(data);
        String where = "round " + round + (collect ? " (with gc)" : "") + ", killed after " + killAfterMillis + " ms";

        BerthJar.Result fsck = fsckAfterCrash.join();
        assertThat(fsck.exitCode()).as("%s: fsck right after the restart\n%s", where, fsck).isZero();
        assertThat(fsck.output()).as("%s: %s", where, fsck)
            .contains("0 dangling, 0 corrupt", "orphaned bytes " + planted);
        long orphans = orphanCount(fsck) - 1;
        assertEveryLiveBlobRowStored(where);
        assertAcknowledgedStateSurvived(server, where);
        runsCutShort.addAll(runsReportedRunning(data)); // nothing runs yet: these died with the killed server

        BerthJar.Result gc = data.gc("--grace", "0s", "--orphans");
        assertThat(gc.exitCode()).as("%s: %s", where, gc).isZero();
        assertThat(GcOutput.of(gc).handedOver()).as("%s: handed over? %s", where, gc).isTrue();
        assertThat(GcOutput.of(gc).summary()).as("%s: %s", where, gc).startsWith("collected:");
        assertThat(GcOutput.of(gc).blobs()).as("%s: %s", where, gc).contains(planted);
        assertThat(data.blobsOnDisk()).as("%s: planted orphan after gc --orphans", where).doesNotContain(planted);

        BerthJar.Result fsckAfterGc = data.fsck();
        assertThat(fsckAfterGc.exitCode()).as("%s: fsck after gc --orphans\n%s", where, fsckAfterGc).isZero();
        assertThat(fsckAfterGc.output()).as("%s: %s", where, fsckAfterGc).contains("0 dangling, 0 corrupt, 0 orphaned");

        try (OciHttp registry = new OciHttp(server.base())) {
          new PullVerifier(registry).pullEveryTag(REPOSITORIES).assertAllWhole();
        }
        orphansReclaimed += orphans;
        rounds.add(where + ": " + pushes + " pushes acknowledged, " + orphans + " orphaned blobs left by the kill");
      }

      try (OciHttp registry = new OciHttp(server.base())) {
        PullVerifier pulled = new PullVerifier(registry).pullEveryTag(REPOSITORIES).assertAllWhole();
        // Pushes cut off by a kill before their answer may have landed too.
        assertThat(pulled.tagsPulled()).isGreaterThanOrEqualTo(acknowledged.size() - deleted.size());
        System.out.printf("%s: %d rounds, %d kills, %d pushes acknowledged, %d deleted, %d tags pulled whole, "
                + "%d orphaned blobs left by the kills (and %d planted) reclaimed, %d gc runs cut short by a kill, "
                + "0 dangling%n  %s%n",
            getClass().getSimpleName(), ROUNDS, ROUNDS, acknowledged.size(), deleted.size(), pulled.tagsPulled(),
            orphansReclaimed, ROUNDS, runsCutShort.size(), String.join("\n  ", rounds));
      }
    } finally {
      server.close();
    }
  }

  /**
   * A run killed with its server never finishes, and its history must not claim otherwise: after the
   * restart nothing runs, so the admin API (and the console built on it) must not show that run as
   * running, for ever. No live row lost its bytes, the next run completes, and fsck finds nothing
   * wrong after it.
   */
  @Test
  void aRunCutShortByACrashIsNotReportedAsRunningAfterTheRestart() throws Exception {
    ServerProcess server = ServerProcess.start(data);
    try {
      try (OciHttp registry = new OciHttp(server.base())) {
        GarbageScenario.push(registry, "gc-crash/cut-short", new ImageFactory("cut-short", SEED, 2));
      }
      AdminApi admin = AdminApi.of(data.root());
      Optional<HeldRun> caught = HeldRun.start(admin, data.database(), AdminApi.options(false, true), 10);
      Assumptions.assumeTrue(caught.isPresent(), "every run finished before the test could hold it");
      String id;
      try (HeldRun run = caught.get()) {
        id = run.id();
        server.kill(); // the run dies with its process, in the middle
      }
      server = ServerProcess.start(data);

      JsonNode run = AdminApi.of(data.root()).run(id);
      assertThat(run.path("status").asText())
          .as("run %s, cut short by SIGKILL, as the restarted server reports it: %s", id, run)
          .isNotEqualTo("running");
      assertEveryLiveBlobRowStored("after the kill of run " + id);

      AdminApi.of(data.root()).runToSuccess(AdminApi.options(false, true));
      assertEveryLiveBlobRowStored("after the next run");
      BerthJar.Result fsck = data.fsck();
      assertThat(fsck.exitCode()).as("%s", fsck).isZero();
      assertThat(fsck.output()).as("%s", fsck).contains("0 dangling, 0 corrupt, 0 orphaned");
    } finally {
      server.close();
    }
  }

  /**
   * Pushes from several threads and, once a few pushes are through, starts a GC run if {@code
   * collect} and SIGKILLs the server {@code killAfterMillis} later. Returns how many pushes the server
   * acknowledged this round.
   */
  private int loadThenKill(ServerProcess server, DataDir data, ImageFactory images, long seed, int round,
      boolean collect, int killAfterMillis) throws Exception {
    int before = acknowledged.size();
    AtomicBoolean killed = new AtomicBoolean();
    try (OciHttp registry = new OciHttp(server.base()); Load load = new Load()) {
      if (collect) {
        deleteSome(registry, new Random(seed));
      }
      ImagePusher pusher = new ImagePusher(registry, 20);
      for (int p = 0; p < PUSHERS; p++) {
        Random pick = new Random(seed + 1 + p);
        int pusherId = p;
        load.start("round-" + round + "-pusher-" + p, 500, i -> {
          String repo = REPOSITORIES.get(pick.nextInt(REPOSITORIES.size()));
          String tag = "r" + round + "-p" + pusherId + "-" + i;
          try {
            pusher.push(repo, tag, images.next());
          } catch (IOException e) {
            if (killed.get()) {
              return false; // the server is gone; an unacknowledged push may or may not have landed
            }
            throw e;
          }
          acknowledged.add(new TagRef(repo, tag));
          return true;
        });
      }
      // Load first, then the crash at a random moment into it.
      load.runFor(Duration.ZERO, () -> acknowledged.size() - before >= PUSHES_BEFORE_THE_CRASH, Duration.ofSeconds(60));
      load.assertNoFailures();
      if (collect) {
        AdminApi.Start started = AdminApi.of(data.root()).start(AdminApi.options(false, true));
        assertThat(started.status()).as("%s", started).isEqualTo(202);
      }
      Thread.sleep(killAfterMillis); // the random moment of the crash, not a wait for anything
      killed.set(true);
      server.kill();
      load.stopAndJoin(Duration.ofSeconds(60));
      load.assertNoFailures();
    }
    return acknowledged.size() - before;
  }

  /**
   * The same invariant as fsck's "0 dangling", checked by the test itself: the live blob rows against
   * a listing of the blob store (the directory tree, or the bucket), nothing of Berth's code between.
   */
  private void assertEveryLiveBlobRowStored(String where) throws Exception {
    assertThat(data.blobsOnDisk()).as("%s: blobs in the %s store against the live blob rows", where, backend)
        .containsAll(data.liveBlobRows());
  }

  /** Deletes about half of the tags still there, by tag or by the manifest's digest. */
  private void deleteSome(OciHttp registry, Random random) throws IOException {
    for (TagRef ref : new ArrayList<>(acknowledged)) {
      if (deleted.contains(ref) || random.nextBoolean()) {
        continue;
      }
      String reference = ref.tag();
      if (random.nextBoolean()) {
        OciHttp.Reply manifest = registry.getManifest(ref.repo(), ref.tag());
        assertThat(manifest.status()).as("%s", manifest).isEqualTo(200);
        reference = manifest.header("Docker-Content-Digest");
      }
      OciHttp.Reply reply = registry.deleteManifest(ref.repo(), reference);
      assertThat(reply.status()).as("%s", reply).isEqualTo(202);
      deleted.add(ref);
    }
  }

  /** Every acknowledged push is still tagged, and no acknowledged delete came back. */
  private void assertAcknowledgedStateSurvived(ServerProcess server, String where) throws IOException {
    try (OciHttp registry = new OciHttp(server.base())) {
      for (String repo : REPOSITORIES) {
        List<String> tags = registry.tags(repo);
        for (TagRef ref : acknowledged) {
          if (ref.repo().equals(repo)) {
            boolean mustExist = !deleted.contains(ref);
            assertThat(tags.contains(ref.tag()))
                .as("%s: %s %s after the restart, tags: %s",
                    where, ref, mustExist ? "missing" : "deleted but back", tags)
                .isEqualTo(mustExist);
          }
        }
      }
    }
  }

  private static Set<String> runsReportedRunning(DataDir data) throws Exception {
    Set<String> running = new TreeSet<>();
    for (JsonNode run : AdminApi.of(data.root()).get("/api/v1/gc/runs").path("runs")) {
      if (run.path("status").asText().equals("running")) {
        running.add(run.path("id").asText());
      }
    }
    return running;
  }

  private static CompletableFuture<BerthJar.Result> inBackground(Callable<BerthJar.Result> command) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return command.call();
      } catch (Exception e) {
        throw new CompletionException(e);
      }
    });
  }

  private static long orphanCount(BerthJar.Result fsck) {
    return fsck.lines().stream().filter(l -> l.startsWith("orphaned bytes ")).count();
  }
}
