package dev.berth.gc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.BerthCluster;
import dev.berth.testing.BerthJar;
import dev.berth.testing.Digests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deployment whose replicas leave the schedule to a {@code berth worker}: the scheduled
 * collection runs in the worker, claimed once, and {@code berth gc --url} hands a run to a replica.
 */
class ClusterWorkerIT {
  /** A cron minute, plus the worker's start and its run, with room for a slow machine. */
  private static final Duration SCHEDULED_RUN_WAIT = Duration.ofMinutes(3);

  @TempDir
  Path work;

  @Test
  void theWorkerRunsTheScheduledCollectionAndGcUrlHandsARunToAReplica() throws Exception {
    try (BerthCluster cluster = BerthCluster.start(work.resolve("cluster"), false)) {
      ImageFactory images = new ImageFactory("cluster-worker", 3301, 1);
      Set<String> garbage = new LinkedHashSet<>();
      try (OciHttp proxy = new OciHttp(cluster.uri("/"))) {
        ImagePusher pusher = new ImagePusher(proxy, 3);
        pusher.push("worker/keep", "v1", image(images, "keep"));
        for (int i = 0; i < 3; i++) {
          TestImage doomed = image(images, "garbage-" + i);
          pusher.push("worker/garbage", "g" + i, doomed);
          assertThat(proxy.deleteManifest("worker/garbage", doomed.digest()).status()).isEqualTo(202);
          doomed.blobs().forEach(blob -> garbage.add(Digests.sha256(blob)));
        }
      }
      assertThat(cluster.blobRows()).containsAll(garbage);

      Process worker = cluster.startWorker("* * * * *");
      Path autogroup = Path.of("/proc/" + worker.pid() + "/autogroup");
      if (Files.exists(Path.of("/proc/self/autogroup"))) {
        for (int i = 0; i < 600 && worker.isAlive() && !Files.readString(autogroup).contains("nice 19"); i++) {
          TimeUnit.MILLISECONDS.sleep(100);
        }
        assertThat(Files.readString(autogroup)).as("the worker's autogroup").contains("nice 19");
      }
      List<String> scheduled = awaitScheduledRun(cluster, worker);
      assertThat(scheduled.get(1)).as("the scheduled run's status").isEqualTo("succeeded");
      assertThat(scheduled.get(2)).as("the scheduled run's owner").startsWith("worker/");
      assertThat(cluster.blobRows()).as("the garbage's rows").doesNotContainAnyElementsOf(garbage);
      assertThat(cluster.blobsInBucket()).as("the garbage's objects").doesNotContainAnyElementsOf(garbage);
      assertThat(query(cluster, "SELECT DISTINCT claimed_by FROM job_claims WHERE job = 'gc'"))
          .as("who claimed the schedule's occurrences").allMatch(owner -> owner.startsWith("worker/"));

      BerthCluster.Replica b = cluster.replica(1);
      cluster.addAdmin("ops", "ops-password-1");
      BerthJar.Result handed = BerthJar.run(Files.createDirectories(work.resolve("cli")),
          java.util.Map.of("BERTH_PASSWORD", "ops-password-1"),
          "gc", "--url", b.uri("/").toString(), "--user", "ops", "--grace", "0s");
      assertThat(handed.exitCode()).as("%s", handed).isZero();
      assertThat(handed.output()).contains("collected: 0 manifests, 0 blobs");
      assertThat(query(cluster, "SELECT owner FROM gc_runs WHERE trigger_kind = 'api'"))
          .as("the handed run ran in replica b").containsExactly(b.name() + "/" + b.pid());
      assertThat(query(cluster, "SELECT requested_by FROM gc_runs WHERE trigger_kind = 'api'"))
          .as("and is recorded as the signed-in user's").allMatch(user -> user.startsWith("ops@"));
    }
  }

  /** [id, status, owner] of the first scheduled run, once it has ended. */
  private static List<String> awaitScheduledRun(BerthCluster cluster, Process worker) throws Exception {
    Instant deadline = Instant.now().plus(SCHEDULED_RUN_WAIT);
    while (Instant.now().isBefore(deadline)) {
      assertThat(worker.isAlive()).as("the worker runs").isTrue();
      List<String> run = query(cluster,
          "SELECT id, status, owner FROM gc_runs WHERE trigger_kind = 'schedule' AND status <> 'running'");
      if (!run.isEmpty()) {
        return run.subList(0, 3);
      }
      TimeUnit.MILLISECONDS.sleep(500);
    }
    throw new AssertionError("no scheduled run ended within " + SCHEDULED_RUN_WAIT);
  }

  /** Every column of every row, in order. */
  private static List<String> query(BerthCluster cluster, String sql) throws Exception {
    List<String> values = new ArrayList<>();
    try (Connection c = cluster.database(); Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
      int columns = rows.getMetaData().getColumnCount();
      while (rows.next()) {
        for (int i = 1; i <= columns; i++) {
          values.add(String.valueOf(rows.getString(i)));
        }
      }
    }
    return values;
  }

  private static TestImage image(ImageFactory images, String name) {
    return TestImage.of(("{\"architecture\":\"amd64\",\"os\":\"linux\",\"name\":\"" + name + "\"}")
        .getBytes(StandardCharsets.UTF_8), List.of(images.uniqueLayer()));
  }
}
