package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.metadata.InProcessDigestGuard;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.storage.UploadId;
import dev.berth.storage.fs.FilesystemBlobStore;
import dev.berth.testing.MutableClock;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadsTest {
  @TempDir
  Path dir;

  @Test
  void aSessionWhoseRunningHashWasDroppedWhileIdleStillFinishesWithTheRightDigest() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    try (SqlMetadataStore metadata = SqlMetadataStore.sqlite(dir.resolve("m.db"))) {
      Uploads uploads = new Uploads(metadata.blobs(), new FilesystemBlobStore(dir.resolve("b")), new InProcessDigestGuard(), clock);
      RepositoryName repo = RepositoryName.of("team/app");
      byte[] content = new byte[300_000];
      new Random(3).nextBytes(content);
      byte[] first = java.util.Arrays.copyOfRange(content, 0, 100_000);
      byte[] rest = java.util.Arrays.copyOfRange(content, 100_000, content.length);

      UploadId id = uploads.start(repo);
      uploads.append(repo, id, OptionalLong.of(0), new ByteArrayInputStream(first));
      clock.advance(Duration.ofHours(2));
      uploads.start(repo);

      var blob = uploads.complete(repo, id, Digest.sha256(content), OptionalLong.of(100_000),
          new ByteArrayInputStream(rest));
      assertThat(blob.digest()).isEqualTo(Digest.sha256(content));
      assertThat(blob.size()).isEqualTo(content.length);
    }
  }
}
