package dev.berth.http;

import static dev.berth.testing.ApiAssertions.assertError;
import static dev.berth.testing.ManifestBuilder.OCI_MANIFEST;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testing.Digests;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.RegistryClient.PushedManifest;
import dev.berth.testing.RegistryResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Many pushes of distinct images into one namespace with a quota at once, through one registry or
 * several sharing a database: each thread uploads its blobs, then all PUT their manifests together.
 */
final class QuotaRace {
  static final int PUSHES = 16;
  /** Room for about five of the sixteen images (each about 1 KiB). */
  static final long QUOTA = 5 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private QuotaRace() {}

  /** What the race left: the pushes taken and the ones refused. */
  record Outcome(String repo, List<PushedManifest> accepted, List<PushedManifest> refused) {
    long acceptedBytes() {
      return accepted.stream().mapToLong(QuotaRace::bytesOf).sum();
    }

    /** After a collection: the refused pushes' blobs are gone, the accepted ones' are there. */
    void assertOnlyAcceptedBlobsLeft(RegistryClient registry) {
      for (PushedManifest image : accepted) {
        for (JsonNode blob : blobsOf(image)) {
          assertThat(registry.head("/v2/" + repo + "/blobs/" + blob.path("digest").asText()).status()).isEqualTo(200);
        }
      }
      for (PushedManifest image : refused) {
        for (JsonNode blob : blobsOf(image)) {
          assertThat(registry.head("/v2/" + repo + "/blobs/" + blob.path("digest").asText()).status())
              .as("a refused push's blob after GC").isEqualTo(404);
        }
      }
    }
  }

  /** Pushes {@link #PUSHES} images into {@code <namespace>/app}, spread over the registries. */
  static Outcome run(List<RegistryClient> registries, String namespace) throws Exception {
    String repo = namespace + "/app";
    ExecutorService pool = Executors.newFixedThreadPool(PUSHES);
    try {
      CountDownLatch uploaded = new CountDownLatch(PUSHES);
      List<Future<Pushed>> pushes = new ArrayList<>();
      for (int i = 0; i < PUSHES; i++) {
        RegistryClient registry = registries.get(i % registries.size());
        String tag = "v" + i;
        pushes.add(pool.submit(() -> {
          byte[] manifest = registry.imageWithFreshBlobs(repo, OCI_MANIFEST).build();
          uploaded.countDown();
          uploaded.await();
          return new Pushed(new PushedManifest(OCI_MANIFEST, manifest, Digests.sha256(manifest)),
              registry.putManifest(repo, tag, OCI_MANIFEST, manifest));
        }));
      }
      List<PushedManifest> accepted = new ArrayList<>();
      List<PushedManifest> refused = new ArrayList<>();
      for (Future<Pushed> push : pushes) {
        Pushed pushed = push.get();
        if (pushed.response().status() == 201) {
          accepted.add(pushed.image());
        } else {
          assertError(pushed.response(), 403, "DENIED");
          refused.add(pushed.image());
        }
      }
      assertThat(accepted).as("pushes taken").isNotEmpty();
      assertThat(refused).as("pushes refused").isNotEmpty();
      assertThat(accepted.stream().mapToLong(QuotaRace::bytesOf).sum()).isLessThanOrEqualTo(QUOTA);
      return new Outcome(repo, accepted, refused);
    } finally {
      pool.shutdownNow();
    }
  }

  private record Pushed(PushedManifest image, RegistryResponse response) {}

  /** The config and layers of an image manifest. */
  static List<JsonNode> blobsOf(PushedManifest image) {
    try {
      JsonNode manifest = JSON.readTree(image.bytes());
      List<JsonNode> blobs = new ArrayList<>();
      blobs.add(manifest.path("config"));
      manifest.path("layers").forEach(blobs::add);
      return blobs;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What the image adds to a namespace holding none of its content: its blobs and itself. */
  static long bytesOf(PushedManifest image) {
    return image.bytes().length + blobsOf(image).stream().mapToLong(blob -> blob.path("size").asLong()).sum();
  }
}
