package dev.berth.gc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.BerthCluster;
import dev.berth.testing.BerthJar;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The concurrent push + delete + GC stress against three replicas of one deployment: GC runs back
 * to back on replica A, and in {@code berth gc} processes beside the replicas (as a worker's runs),
 * while B and C take pushes (plain and HEAD-then-skip), tag moves and deletes. Afterwards every tag pulls whole from every replica, the bucket and the blob
 * rows hold exactly the blobs of the tagged images, and fsck finds nothing wrong. Without the
 * per-digest guard shared by the processes, a collection on one replica could take a blob another
 * replica has just committed: this test is there to see it.
 */
class ClusterGcStressIT {
  private static final Duration LOAD = Duration.ofSeconds(10);

  @TempDir
  Path temp;

  @Test
  void gcOnOneReplicaWhileOthersPushMoveTagsAndDeleteLeavesEveryLiveImageWholeAndNoGarbage() throws Exception {
    ImageFactory images = new ImageFactory("cluster-stress", StressWorkload.SEED, 6);
    List<OciHttp> clients = new ArrayList<>();
    try (BerthCluster cluster = BerthCluster.start(temp.resolve("cluster"), false)) {
      for (BerthCluster.Replica replica : cluster.replicas()) {
        clients.add(new OciHttp(replica.uri("/")));
      }
      OciHttp onB = clients.get(1);
      OciHttp onC = clients.get(2);
      StressWorkload workload = new StressWorkload(images)
          .pusher(new ImagePusher(onB, StressWorkload.RETRIES))
          .pusher(new ImagePusher(onC, StressWorkload.RETRIES))
          .pusher(new ImagePusher(onB, StressWorkload.RETRIES, true))
          .pusher(new ImagePusher(onC, StressWorkload.RETRIES, true))
          .deleter(onC)
          .tagMover(onB)
          .gc(AdminApi.of(cluster.replica(0).root()))
          // As a worker's would, a collection in a process serving nothing: berth gc on PostgreSQL.
          .otherCollector(() -> {
            BerthJar.Result run = cluster.replica(2).command("gc", "--grace", "0s");
            assertThat(run.exitCode()).as("%s", run).isIn(0, 69);
            return run.exitCode() == 0;
          });
      workload.run(LOAD);

      // Quiet now: one more image per repository through the proxy, then two full collections (the
      // second sees everything older than its start).
      try (OciHttp proxy = new OciHttp(cluster.uri("/"))) {
        ImagePusher last = new ImagePusher(proxy, StressWorkload.RETRIES, true);
        for (String repo : StressWorkload.REPOSITORIES) {
          last.push(repo, "final", images.next());
        }
      }
      workload.collect(true);
      workload.collect(true);

      Set<String> live = null;
      int tags = 0;
      for (int i = 0; i < BerthCluster.REPLICAS; i++) {
        PullVerifier pulled = new PullVerifier(clients.get(i)).pullEveryTag(StressWorkload.REPOSITORIES)
            .assertAllWhole();
        assertThat(pulled.tagsPulled()).as("tags left to pull from %s", cluster.replica(i).name())
            .isGreaterThanOrEqualTo(StressWorkload.REPOSITORIES.size());
        if (live == null) {
          live = pulled.blobsSeen();
          tags = pulled.tagsPulled();
        } else {
          assertThat(pulled.blobsSeen()).as("what %s serves", cluster.replica(i).name())
              .containsExactlyInAnyOrderElementsOf(live);
        }
      }
      assertThat(cluster.blobsInBucket())
          .as("after a full collection the bucket holds exactly the blobs of the tagged images")
          .containsExactlyInAnyOrderElementsOf(live);
      assertThat(cluster.blobRows())
          .as("after a full collection the database has rows for exactly the blobs of the tagged images")
          .containsExactlyInAnyOrderElementsOf(live);

      BerthJar.Result fsck = cluster.replica(1).command("fsck", "--verify-digests");
      assertThat(fsck.exitCode()).as("%s", fsck).isZero();
      assertThat(fsck.output()).as("%s", fsck).contains("0 dangling, 0 corrupt, 0 orphaned");
      System.out.printf("ClusterGcStressIT: %s; %d tags pulled from each of %d replicas, %d blobs verified%n",
          workload.summary(), tags, BerthCluster.REPLICAS, live.size());
    } finally {
      clients.forEach(OciHttp::close);
    }
  }
}
