package dev.berth.cleanup;

import static dev.berth.cleanup.RegistryFixture.repo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.oci.Digest;
import dev.berth.storage.UploadId;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fsck: dangling rows, wrong sizes, wrong bytes and orphaned bytes are each found. */
class ConsistencyCheckTest {
  @TempDir
  Path dir;

  private static Path dataOf(Path root, Digest digest) {
    return root.resolve("blobs/docker/registry/v2/blobs/sha256").resolve(digest.hex().substring(0, 2))
        .resolve(digest.hex()).resolve("data");
  }

  @Test
  void aCleanRegistryIsClean() throws Exception {
    try (RegistryFixture f = new RegistryFixture(dir)) {
      f.pushImage(repo("team/app"), "v1", List.of());
      ConsistencyCheck.Result result = new ConsistencyCheck(f.metadata.collector(), f.blobs).run(true, line -> { });
      assertThat(result.clean()).isTrue();
      assertThat(result.blobsChecked()).isEqualTo(2);
      assertThat(result.orphans()).isEmpty();
    }
  }

  @Test
  void findsDanglingCorruptAndOrphanedBlobs() throws Exception {
    try (RegistryFixture f = new RegistryFixture(dir)) {
      Digest lost = f.pushBlob(repo("team/app"), f.randomBytes(100));
      Digest truncated = f.pushBlob(repo("team/app"), f.randomBytes(100));
      Digest flipped = f.pushBlob(repo("team/app"), f.randomBytes(100));
      Files.delete(dataOf(dir, lost));
      Files.write(dataOf(dir, truncated), new byte[50]);
      byte[] other = f.randomBytes(100);
      Files.write(dataOf(dir, flipped), other);
      byte[] orphan = f.randomBytes(10);
      UploadId staged = UploadId.random();
      f.blobs.createUpload(staged);
      f.blobs.appendUpload(staged, 0, new ByteArrayInputStream(orphan));
      f.blobs.commitUpload(staged, Digest.sha256(orphan));
      List<String> lines = new ArrayList<>();

      ConsistencyCheck.Result quick = new ConsistencyCheck(f.metadata.collector(), f.blobs).run(false, lines::add);
      ConsistencyCheck.Result thorough = new ConsistencyCheck(f.metadata.collector(), f.blobs).run(true, line -> { });

      assertThat(quick.clean()).isFalse();
      assertThat(quick.dangling()).containsExactly(lost.toString());
      assertThat(quick.corrupt()).as("sizes only, without --verify-digests").containsExactly(truncated.toString());
      assertThat(thorough.corrupt()).containsExactlyInAnyOrder(truncated.toString(), flipped.toString());
      assertThat(quick.orphans()).containsExactly(Digest.sha256(orphan));
      assertThat(lines).anyMatch(l -> l.startsWith("DANGLING " + lost));
    }
  }
}
