package dev.berth.gc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.server.DataDirectory;
import dev.berth.testing.BerthJar;
import dev.berth.testing.BlobBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code berth gc} beside other processes on one data directory: handed to a running server (dry
 * and real, with pushes going on), standalone when no server runs, and never two owners of the
 * directory or two runs at once.
 */
class GcTwoProcessIT {
  private static final long SEED = 42;
  private static final String IN_USE = "is in use by another berth process";

  @TempDir
  Path temp;
  private DataDir data;

  /** Blobs on the filesystem here; in the bucket of an S3 server (s3proxy) in {@code S3GcTwoProcessIT}. */
  @BeforeEach
  void createDataDirectory(TestInfo test) throws Exception {
    data = DataDir.create(temp, BlobBackend.of(test));
  }

  @AfterEach
  void stopBlobStore() throws Exception {
    data.close();
  }

  private final ImageFactory images = new ImageFactory("two-process", SEED, 3);

  @Test
  void aDryRunHandedToTheServerChangesNothingAndNamesExactlyWhatTheRealRunDeletes() throws Exception {
    try (ServerProcess server = ServerProcess.start(data); OciHttp registry = new OciHttp(server.base())) {
      GarbageScenario scenario = GarbageScenario.push(registry, "gc-two/handed", images);
      Snapshot before = Snapshot.of(data, registry, scenario.repositories);

      BerthJar.Result dry = data.gc("--dry-run", "--grace", "0s");
      assertHandedOverAndSucceeded(dry, "dry run:");
      assertLists(dry, scenario.garbage(false));
      assertThat(Snapshot.of(data, registry, scenario.repositories)).as("after %s", dry).isEqualTo(before);
      assertManifestsAnswer(registry, scenario.garbage(true).manifests(), 200);

      BerthJar.Result dryUntagged = data.gc("--dry-run", "--grace", "0s", "--delete-untagged");
      assertHandedOverAndSucceeded(dryUntagged, "dry run:");
      GcOutput wouldDelete = GcOutput.of(dryUntagged);
      assertLists(dryUntagged, scenario.garbage(true));
      assertThat(Snapshot.of(data, registry, scenario.repositories)).as("after %s", dryUntagged).isEqualTo(before);
      assertManifestsAnswer(registry, scenario.garbage(true).manifests(), 200);

      BerthJar.Result real = data.gc("--grace", "0s", "--delete-untagged");
      assertHandedOverAndSucceeded(real, "collected:");
      GcOutput deleted = GcOutput.of(real);
      assertThat(deleted.reportLines()).as("what the real run deleted, against what the dry run listed\n%s", real)
          .containsExactlyInAnyOrderElementsOf(wouldDelete.reportLines());

      Set<String> remaining = new TreeSet<>(before.blobsOnDisk());
      remaining.removeAll(deleted.blobs());
      assertThat(data.blobsOnDisk()).as("blobs on disk after the real run").isEqualTo(remaining);
      assertThat(Snapshot.of(data, registry, scenario.repositories).tags()).isEqualTo(before.tags());
      assertManifestsAnswer(registry, deleted.manifests(), 404);
      scenario.assertKeptImagesPull(registry);
    }
  }

  @Test
  void pushesGoOnWhileAHandedOverRunCollects() throws Exception {
    String repo = "gc-two/busy";
    Set<String> acknowledged = new ConcurrentSkipListSet<>();
    try (ServerProcess server = ServerProcess.start(data); OciHttp registry = new OciHttp(server.base())) {
      ImagePusher pusher = new ImagePusher(registry, 50);
      Set<String> untagged = new TreeSet<>(); // garbage for the run to collect while the pusher pushes
      for (int i = 0; i < 4; i++) {
        TestImage old = images.next();
        pusher.push(repo, "old-" + i, old);
        assertThat(registry.deleteManifest(repo, "old-" + i).status()).isEqualTo(202);
        untagged.add(GcOutput.manifestKey(repo, old.digest()));
      }
      AtomicBoolean gcDone = new AtomicBoolean();
      AtomicInteger pushedAfterGc = new AtomicInteger();
      try (Load load = new Load()) {
        load.start("pusher", 1_000, i -> {
          boolean startedAfterGc = gcDone.get();
          pusher.push(repo, "t" + i, images.next());
          acknowledged.add("t" + i);
          return !startedAfterGc || pushedAfterGc.incrementAndGet() < 2;
        });
        load.runFor(Duration.ZERO, () -> acknowledged.size() >= 2, Duration.ofSeconds(60));
        load.assertNoFailures();

        BerthJar.Result gc = data.gc("--grace", "0s", "--delete-untagged");
        assertHandedOverAndSucceeded(gc, "collected:");
        assertThat(GcOutput.of(gc).manifests()).as("%s", gc).containsExactlyInAnyOrderElementsOf(untagged);
        gcDone.set(true);

        load.runFor(Duration.ZERO, () -> pushedAfterGc.get() >= 2, Duration.ofSeconds(60));
        load.stopAndJoin(Duration.ofSeconds(60));
        load.assertNoFailures();
      }
      assertThat(registry.tags(repo)).containsExactlyInAnyOrderElementsOf(acknowledged);
      new PullVerifier(registry).pullEveryTag(List.of(repo)).assertAllWhole();
      System.out.printf("GcTwoProcessIT: %d pushes beside a handed-over gc run, %d retried from scratch%n",
          pusher.pushes(), pusher.retries());
    }
  }

  @Test
  void withoutAServerGcRunsStandaloneAndNoOtherProcessGetsTheDirectoryMeanwhile() throws Exception {
    GarbageScenario scenario = stoppedServerWithScenario(data, "gc-two/standalone");
    Set<String> blobsBefore = data.blobsOnDisk();

    BerthJar.Result gc = data.gc("--grace", "0s");
    assertThat(gc.exitCode()).as("%s", gc).isZero();
    GcOutput collected = GcOutput.of(gc);
    assertThat(collected.handedOver()).as("handed over? %s", gc).isFalse();
    assertThat(collected.summary()).as("%s", gc).startsWith("collected:");
    assertLists(gc, scenario.garbage(false));
    Set<String> remaining = new TreeSet<>(blobsBefore);
    remaining.removeAll(collected.blobs());
    assertThat(data.blobsOnDisk()).isEqualTo(remaining);

    // A standalone run holds the directory as a server does: here the test holds it the same way.
    try (DataDirectory held = DataDirectory.tryAcquire(data.root()).orElseThrow()) {
      BerthJar.Result serve =
          ServerProcess.serveExpectingExit(data, data.extraConfig("while-held", ServerProcess.freePort()));
      assertThat(serve.exitCode()).as("exit 69, unavailable: %s", serve).isEqualTo(69);
      assertThat(serve.output()).as("%s", serve).contains(IN_USE);

      BerthJar.Result secondGc = data.gc("--grace", "0s", "--delete-untagged");
      assertThat(secondGc.exitCode()).as("a gc that finds the directory held and nobody to hand to\n%s", secondGc)
          .isEqualTo(69);
      assertThat(secondGc.output()).contains("published no address").doesNotContain("Exception");
      assertThat(data.blobsOnDisk()).isEqualTo(remaining);
    }

    try (ServerProcess server = ServerProcess.start(data); OciHttp registry = new OciHttp(server.base())) {
      BerthJar.Result second =
          ServerProcess.serveExpectingExit(data, data.extraConfig("second", ServerProcess.freePort()));
      assertThat(second.exitCode()).as("%s", second).isEqualTo(69);
      assertThat(second.output()).as("%s", second).contains(IN_USE);

      scenario.assertKeptImagesPull(registry);
      AdminApi admin = AdminApi.of(data.root());
      JsonNode runs = admin.get("/api/v1/gc/runs").path("runs");
      assertThat(runs).as("gc history: %s", runs).anySatisfy(run -> {
        assertThat(run.path("trigger").asText()).isEqualTo("cli");
        assertThat(run.path("status").asText()).isEqualTo("succeeded");
      });
      assertThat(admin.get("/api/v1/audit").path("entries")).as("audit log")
          .anySatisfy(entry -> assertThat(entry.path("action").asText()).isEqualTo("gc.run"));
    }
  }

  @Test
  void aStandaloneDryRunLeavesTheDatabaseByteForByteIdentical() throws Exception {
    GarbageScenario scenario = stoppedServerWithScenario(data, "gc-two/dry");
    Map<String, byte[]> database = databaseFiles(data);
    Set<String> blobs = data.blobsOnDisk();

    BerthJar.Result dry = data.gc("--dry-run", "--grace", "0s", "--delete-untagged");
    assertThat(dry.exitCode()).as("%s", dry).isZero();
    assertThat(GcOutput.of(dry).handedOver()).as("handed over? %s", dry).isFalse();
    assertThat(GcOutput.of(dry).summary()).as("%s", dry).startsWith("dry run:");
    assertLists(dry, scenario.garbage(true));

    Map<String, byte[]> after = databaseFiles(data);
    assertThat(after).as("database files after %s", dry).containsOnlyKeys(database.keySet());
    database.forEach((name, bytes) ->
        assertThat(after.get(name)).as("%s after a standalone dry run", name).isEqualTo(bytes));
    assertThat(data.blobsOnDisk()).isEqualTo(blobs);
  }

  @Test
  void aSecondStartWhileARunIsInProgressIsRefusedWith409() throws Exception {
    try (ServerProcess server = ServerProcess.start(data); OciHttp registry = new OciHttp(server.base())) {
      GarbageScenario.push(registry, "gc-two/conflict", images);
      AdminApi admin = AdminApi.of(data.root());

      Optional<HeldRun> caught = HeldRun.start(admin, data.database(), AdminApi.options(true, true), 10);
      Assumptions.assumeTrue(caught.isPresent(), "every run finished before the test could hold it");
      String held;
      try (HeldRun run = caught.get()) {
        held = run.id();
        AdminApi.Start second = admin.start(AdminApi.options(false, true));
        assertThat(second.status()).as("%s", second).isEqualTo(409);
        assertThat(second.body()).contains("already running");
        AdminApi.Start third = admin.start(AdminApi.options(true, false));
        assertThat(third.status()).as("%s", third).isEqualTo(409);
      }
      assertThat(admin.await(held).path("status").asText()).isEqualTo("succeeded");
      admin.runToSuccess(AdminApi.options(false, true));
    }
  }

  /**
   * A client that saw a run finish may start the next one. (The server answers "succeeded" as soon
   * as the run's history row commits, but goes on refusing starts with 409 until it has also written
   * the audit record and let go of the run; pushes going on make that write wait its turn.)
   */
  @Test
  void aRunReportedFinishedNoLongerBlocksTheNextStart() throws Exception {
    try (ServerProcess server = ServerProcess.start(data); OciHttp registry = new OciHttp(server.base());
        Load load = new Load()) {
      ImagePusher pusher = new ImagePusher(registry, 50);
      for (int p = 0; p < 2; p++) {
        String repo = "gc-two/next-start-" + p;
        load.start("pusher-" + p, 10_000, i -> {
          pusher.tryPush(repo, "t" + (i % 5), images.next()); // only there to keep the database busy
          return true;
        });
      }
      AdminApi admin = AdminApi.of(data.root());
      Map<String, Object> options = AdminApi.options(false, true);
      List<String> refused = new ArrayList<>();
      LongAdder retries = new LongAdder();
      JsonNode previous = null;
      for (int run = 0; run < 20; run++) {
        AdminApi.Start started = admin.start(options);
        if (started.status() == 409) {
          refused.add("run " + previous.path("id").asText() + " was reported " + previous.path("status").asText()
              + " (finished at " + previous.path("finishedAt").asText() + "), yet the next start got " + started);
          started = admin.startDespiteRefusals(options, retries);
        }
        assertThat(started.status()).as("%s", started).isEqualTo(202);
        previous = admin.await(started.id(), Duration.ofMillis(1));
        assertThat(previous.path("status").asText()).isEqualTo("succeeded");
      }
      load.stopAndJoin(Duration.ofSeconds(60));
      load.assertNoFailures();
      assertThat(refused).as("starts refused although the previous run was reported finished (of 20)").isEmpty();
    }
  }

  // ---- shared steps

  /** Pushes the scenario through a server and stops the server cleanly. */
  private GarbageScenario stoppedServerWithScenario(DataDir data, String prefix) throws Exception {
    try (ServerProcess server = ServerProcess.start(data); OciHttp registry = new OciHttp(server.base())) {
      GarbageScenario scenario = GarbageScenario.push(registry, prefix, images);
      assertThat(server.stop()).as("exit code on SIGTERM").isIn(0, 143);
      return scenario;
    }
  }

  private static void assertHandedOverAndSucceeded(BerthJar.Result gc, String summaryStart) {
    assertThat(gc.exitCode()).as("%s", gc).isZero();
    assertThat(GcOutput.of(gc).handedOver()).as("handed over? %s", gc).isTrue();
    assertThat(GcOutput.of(gc).summary()).as("%s", gc).startsWith(summaryStart);
  }

  private static void assertLists(BerthJar.Result gc, GarbageScenario.Garbage expected) {
    GcOutput output = GcOutput.of(gc);
    assertThat(output.manifests()).as("manifests listed by %s", gc)
        .containsExactlyInAnyOrderElementsOf(expected.manifests());
    assertThat(output.blobs()).as("blobs listed by %s", gc).containsExactlyInAnyOrderElementsOf(expected.blobs());
  }

  /** Each manifest ({@link GcOutput#manifestKey}) answers GET by digest with {@code status}. */
  private static void assertManifestsAnswer(OciHttp registry, Set<String> manifests, int status) throws Exception {
    for (String manifest : manifests) {
      String[] key = manifest.split("@");
      assertThat(registry.getManifest(key[0], key[1]).status()).as("GET %s", manifest).isEqualTo(status);
    }
  }

  /** The SQLite database and its write-ahead log, as bytes (the shared-memory index is not data). */
  private static Map<String, byte[]> databaseFiles(DataDir data) throws Exception {
    Map<String, byte[]> files = new HashMap<>();
    for (String suffix : List.of("", "-wal")) {
      Path file = data.database().resolveSibling(data.database().getFileName() + suffix);
      if (Files.exists(file) && Files.size(file) > 0) {
        files.put(file.getFileName().toString(), Files.readAllBytes(file));
      }
    }
    return files;
  }

  /** What a dry run must leave alone: the blobs on disk and every repository's tags. */
  record Snapshot(Set<String> blobsOnDisk, Map<String, List<String>> tags) {
    static Snapshot of(DataDir data, OciHttp registry, List<String> repositories) throws Exception {
      Map<String, List<String>> tags = new HashMap<>();
      for (String repo : repositories) {
        tags.put(repo, registry.tags(repo));
      }
      return new Snapshot(data.blobsOnDisk(), tags);
    }
  }
}
