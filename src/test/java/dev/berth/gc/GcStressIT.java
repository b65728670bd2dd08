package dev.berth.gc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.BerthJar;
import dev.berth.testing.BlobBackend;
import dev.berth.testing.RunningRegistry;
import java.nio.file.Path;
import java.time.Duration;
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
  private static final Duration LOAD = Duration.ofSeconds(8);
  private static final int PUSHERS = 4;

  @TempDir
  Path temp;

  @ParameterizedTest
  @EnumSource(value = BlobBackend.class, names = {"FILESYSTEM", "S3"})
  void pushesDeletesAndBackToBackGcLeaveEveryTagWholeAndNoBlobDangling(BlobBackend backend) throws Exception {
    DataDir data = DataDir.create(temp);
    ImageFactory images = new ImageFactory("stress", StressWorkload.SEED, 6);
    String summary;

    try (RunningRegistry server = RunningRegistry.start(data.root(), true, backend);
        OciHttp registry = new OciHttp(server.uri("/"))) {
      data.useBlobsOf(server);
      ImagePusher pusher = new ImagePusher(registry, StressWorkload.RETRIES);
      StressWorkload workload = new StressWorkload(images).deleter(registry).gc(AdminApi.of(data.root()));
      for (int p = 0; p < PUSHERS; p++) {
        workload.pusher(pusher);
      }
      workload.run(LOAD);

      // Quiet now: one more image per repository, so there is surely something to pull, then two
      // full collections (the second sees everything older than its start).
      for (String repo : StressWorkload.REPOSITORIES) {
        pusher.push(repo, "final", images.next());
      }
      workload.collect(true);
      workload.collect(true);

      PullVerifier pulled = new PullVerifier(registry).pullEveryTag(StressWorkload.REPOSITORIES).assertAllWhole();
      assertThat(pulled.tagsPulled()).as("tags left to pull").isGreaterThanOrEqualTo(StressWorkload.REPOSITORIES.size());
      assertThat(data.blobsOnDisk())
          .as("after a full collection storage holds exactly the blobs of the tagged images")
          .containsExactlyInAnyOrderElementsOf(pulled.blobsSeen());
      summary = String.format("GcStressIT: %s; %d tags pulled, %d blobs verified, 0 corrupt", workload.summary(),
          pulled.tagsPulled(), pulled.blobsSeen().size());

      // fsck is read-only and safe beside the (now idle) server, whose S3 server must still run.
      BerthJar.Result fsck = data.fsck("--verify-digests");
      assertThat(fsck.exitCode()).as("%s", fsck).isZero();
      assertThat(fsck.output()).as("%s", fsck).contains("0 dangling, 0 corrupt, 0 orphaned");
    }

    System.out.println(summary);
  }
}
