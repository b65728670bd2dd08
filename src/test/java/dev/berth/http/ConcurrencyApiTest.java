package dev.berth.http;

import static dev.berth.testing.ManifestBuilder.OCI_CONFIG;
import static dev.berth.testing.ManifestBuilder.OCI_LAYER;
import static dev.berth.testing.ManifestBuilder.OCI_MANIFEST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.BlobBackend;
import dev.berth.testing.Digests;
import dev.berth.testing.ManifestBuilder;
import dev.berth.testing.ManifestBuilder.Descriptor;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.RegistryResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many clients at once, pushing overlapping content: the same bytes from several threads, into the
 * same and into different repositories, monolithic and chunked; every byte pulled back must match
 * its digest.
 */
class ConcurrencyApiTest {
  private static final int THREADS = 16;
  private static final int ROUNDS = 4;
  private static final int CHUNK = 64 * 1024;

  @TempDir
  static Path root;
  static RegistryClient registry;

  /** On the filesystem here; again on S3 in {@code S3ConcurrencyApiTest}. */
  @BeforeAll
  static void start(TestInfo test) throws Exception {
    registry = RegistryClient.start(root, false, BlobBackend.of(test));
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  /** Content every thread draws from, so that identical bytes are pushed concurrently. */
  private static List<byte[]> sharedContent() {
    List<byte[]> pool = new ArrayList<>();
    for (int size : new int[] {0, 1, 1024, 70_000, 200_000, 300_001}) {
      pool.add(RegistryClient.randomBytes(size));
    }
    return pool;
  }

  private static void assertPullsBack(String repo, byte[] content) {
    String digest = Digests.sha256(content);
    RegistryResponse r = registry.get("/v2/" + repo + "/blobs/" + digest);
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    assertThat(Digests.sha256(r.body())).as("pulled bytes of %s in %s", digest, repo).isEqualTo(digest);
    assertThat(r.header("Docker-Content-Digest")).isEqualTo(digest);
  }

  private static <T> List<T> runConcurrently(List<Callable<T>> tasks) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
    try {
      CountDownLatch gate = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> task : tasks) {
        futures.add(pool.submit(() -> {
          gate.await();
          return task.call();
        }));
      }
      gate.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get(60, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  /** One blob a client pushed, and where. */
  private record Pushed(String repo, byte[] content) {}

  @Test
  @Timeout(120)
  void parallelOverlappingUploadsAllVerify() throws Exception {
    List<byte[]> content = sharedContent();
    String shared = RegistryClient.uniqueRepo("concurrency");
    List<String> pairs = List.of(RegistryClient.uniqueRepo("concurrency"), RegistryClient.uniqueRepo("concurrency"));

    List<Callable<List<Pushed>>> clients = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      String own = RegistryClient.uniqueRepo("concurrency");
      clients.add(() -> {
        List<Pushed> pushed = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
          byte[] bytes = content.get((thread + round) % content.size());
          String repo = switch ((thread + 2 * round) % 3) {
            case 0 -> shared;
            case 1 -> pairs.get(thread % 2);
            default -> own;
          };
          if ((thread + round) % 2 == 0) {
            registry.pushBlob(repo, bytes);
          } else {
            registry.pushBlobChunked(repo, bytes, CHUNK);
          }
          assertPullsBack(repo, bytes);
          pushed.add(new Pushed(repo, bytes));
        }
        return pushed;
      });
    }

    List<Pushed> everything = runConcurrently(clients).stream().flatMap(List::stream).toList();

    assertThat(everything).hasSize(THREADS * ROUNDS);
    assertThat(everything.stream().filter(p -> p.repo().equals(shared)).map(p -> Digests.sha256(p.content()))
        .distinct().count()).as("distinct blobs pushed to the shared repository").isGreaterThan(1);
    for (Pushed p : everything) {
      assertPullsBack(p.repo(), p.content());
    }
  }

  @Test
  @Timeout(120)
  void parallelManifestPushesIntoOneRepositoryAllLand() throws Exception {
    String repo = RegistryClient.uniqueRepo("concurrency");
    byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    byte[] layer = RegistryClient.randomBytes(4096);

    List<Callable<String>> clients = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      String tag = "t" + t;
      clients.add(() -> {
        // Every client uploads the same config and layer, then its own manifest naming them.
        registry.pushBlob(repo, config);
        registry.pushBlobChunked(repo, layer, 1000);
        ManifestBuilder manifest = ManifestBuilder.image(OCI_MANIFEST)
            .config(Descriptor.of(OCI_CONFIG, config))
            .layers(Descriptor.of(OCI_LAYER, layer))
            .annotation("tag", tag);
        return registry.pushManifest(repo, tag, manifest).digest();
      });
    }

    List<String> digests = runConcurrently(clients);

    List<String> expectedTags = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      expectedTags.add("t" + t);
      RegistryResponse r = registry.getManifest(repo, "t" + t, OCI_MANIFEST);
      assertThat(r.status()).isEqualTo(200);
      assertThat(Digests.sha256(r.body())).isEqualTo(digests.get(t));
    }
    assertThat(registry.allTags(repo, 5)).containsExactlyInAnyOrderElementsOf(expectedTags);
    assertPullsBack(repo, layer);
  }
}
