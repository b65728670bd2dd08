package dev.berth.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.oci.Digest;
import dev.berth.storage.BlobStore;
import dev.berth.storage.BlobStoreContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemBlobStoreTest extends BlobStoreContract {
  @TempDir
  Path root;

  @Override
  protected BlobStore newStore() throws Exception {
    return new FilesystemBlobStore(root);
  }

  @Test
  void blobsSitWhereDockerRegistryPutsThem() throws Exception {
    byte[] content = "hello".getBytes();
    Digest digest = put(content);
    Path expected = root.resolve("docker/registry/v2/blobs/sha256")
        .resolve(digest.hex().substring(0, 2)).resolve(digest.hex()).resolve("data");
    assertThat(expected).hasBinaryContent(content);
    assertThat(store.open(digest).orElseThrow().localFile()).contains(expected.toAbsolutePath().normalize());
  }

  @Test
  void adoptsBlobsAlreadyInDockerRegistryLayout() throws Exception {
    byte[] content = "adopted".getBytes();
    Digest digest = Digest.sha256(content);
    Path data = root.resolve("docker/registry/v2/blobs/sha256")
        .resolve(digest.hex().substring(0, 2)).resolve(digest.hex()).resolve("data");
    Files.createDirectories(data.getParent());
    Files.write(data, content);
    assertThat(store.stat(digest)).contains((long) content.length);
  }

  /** Contents whose digests share the two-hex fan-out directory {@code prefix}. */
  private static List<byte[]> contentsUnder(String prefix, int count) {
    List<byte[]> found = new ArrayList<>();
    for (long n = 0; found.size() < count; n++) {
      byte[] content = ("fan-out " + n).getBytes();
      if (Digest.sha256(content).hex().startsWith(prefix)) {
        found.add(content);
      }
    }
    return found;
  }

  @Test
  void deletingTheLastBlobOfAFanOutDirectoryRemovesItAndNoOther() throws Exception {
    List<byte[]> contents = contentsUnder("ab", 2);
    Digest first = put(contents.get(0));
    Digest second = put(contents.get(1));
    Path fanOut = root.resolve("docker/registry/v2/blobs/sha256/ab");

    assertThat(store.delete(first)).isTrue();
    assertThat(fanOut).isDirectory();
    assertThat(fanOut.resolve(first.hex())).doesNotExist();

    assertThat(store.delete(second)).isTrue();
    assertThat(fanOut).doesNotExist();
    assertThat(root.resolve("docker/registry/v2/blobs/sha256")).isDirectory();
  }

  /**
   * Commits and deletions of different digests in one fan-out directory, at once: a deletion that
   * empties the directory while a commit is creating it must not fail the commit.
   */
  @Test
  void commitsSurviveDeletionsEmptyingTheirFanOutDirectory() throws Exception {
    List<byte[]> contents = contentsUnder("cd", 8);
    int rounds = 150;
    try (ExecutorService workers = Executors.newFixedThreadPool(contents.size())) {
      List<Future<?>> done = new ArrayList<>();
      for (byte[] content : contents) {
        done.add(workers.submit(() -> {
          for (int round = 0; round < rounds; round++) {
            Digest digest = put(content);
            assertThat(store.stat(digest)).contains((long) content.length);
            assertThat(store.delete(digest)).isTrue();
          }
          return null;
        }));
      }
      for (Future<?> worker : done) {
        worker.get();
      }
    }
    assertThat(root.resolve("docker/registry/v2/blobs/sha256/cd")).doesNotExist();
  }
}
