package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM drains in-flight requests within the drain timeout and never leaves a partial blob. */
class ShutdownIT {
  private static final int CHUNK = 64 * 1024;

  @TempDir
  Path dir;

  private final HttpClient client = HttpClient.newHttpClient();

  /** A request body that trickles out in chunks, signalling once the first chunk has gone. */
  private static final class SlowBody extends InputStream {
    private final byte[] content;
    private final long pauseMillis;
    private final CountDownLatch started;
    private int position;

    SlowBody(byte[] content, long pauseMillis, CountDownLatch started) {
      this.content = content;
      this.pauseMillis = pauseMillis;
      this.started = started;
    }

    @Override
    public int read() {
      throw new UnsupportedOperationException("read in chunks");
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (position >= content.length) {
        return -1;
      }
      if (position > 0) {
        started.countDown();
        try {
          Thread.sleep(pauseMillis);
        } catch (InterruptedException e) {
          throw new IOException(e);
        }
      }
      int n = Math.min(Math.min(length, CHUNK), content.length - position);
      System.arraycopy(content, position, buffer, offset, n);
      position += n;
      return n;
    }
  }

  private String startUpload(BerthProcess berth, String repository) throws Exception {
    HttpResponse<Void> r = client.send(HttpRequest.newBuilder(berth.uri("/v2/" + repository + "/blobs/uploads/"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    assertThat(r.statusCode()).isEqualTo(202);
    return r.headers().firstValue("Location").orElseThrow();
  }

  /** The request is in flight once the server has staged some of its body. */
  private void awaitBytesArrived(BerthProcess berth, String location) throws Exception {
    for (int attempt = 0; attempt < 200; attempt++) {
      HttpResponse<Void> status = client.send(HttpRequest.newBuilder(berth.uri(location)).build(),
          HttpResponse.BodyHandlers.discarding());
      if (!status.headers().firstValue("Range").orElse("0-0").equals("0-0")) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the upload body never reached the server");
  }

  private static byte[] random(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }

  /**
   * A PATCH still sending when SIGTERM comes is answered; its bytes stay staged with the upload,
   * which the next server finishes. (A PATCH, because a blob sent whole, by POST or PUT, streams to
   * its place without being staged, and so without the upload status that shows it arriving.)
   */
  @Test
  void inFlightUploadCompletesAfterSigterm() throws Exception {
    byte[] content = random(16 * CHUNK);
    Digest digest = Digest.sha256(content);
    String location;
    try (BerthProcess berth = BerthProcess.serve(dir, List.of(), "  draintimeout: 20s\n")) {
      location = URI.create(startUpload(berth, "drain/test")).getRawPath();
      CountDownLatch started = new CountDownLatch(1);
      CompletableFuture<HttpResponse<Void>> patch = client.sendAsync(
          HttpRequest.newBuilder(berth.uri(location)).header("Content-Type", "application/octet-stream")
              .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(() -> new SlowBody(content, 100, started)))
              .build(),
          HttpResponse.BodyHandlers.discarding());
      started.await();
      awaitBytesArrived(berth, location);
      int exit = berth.terminate(Duration.ofSeconds(30));

      HttpResponse<Void> patched = patch.get();
      assertThat(patched.statusCode()).isEqualTo(202);
      assertThat(patched.headers().firstValue("Range")).contains("0-" + (content.length - 1));
      assertThat(exit).isIn(0, 143);
      assertThat(Files.readString(berth.log)).contains("shutting down", "stopped");
    }
    try (BerthProcess again = BerthProcess.serve(dir, List.of(), "  draintimeout: 20s\n")) {
      HttpResponse<Void> put = client.send(HttpRequest.newBuilder(again.uri(location + "?digest=" + digest))
          .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
      assertThat(put.statusCode()).isEqualTo(201);
    }
    assertThat(blobData(dir.resolve("data"))).singleElement()
        .satisfies(data -> assertThat(data.getParent().getFileName().toString()).isEqualTo(digest.hex()));
    assertEveryBlobIsWhole(dir.resolve("data"));
  }

  @Test
  void uploadCutOffByTheDrainTimeoutLeavesNoBlob() throws Exception {
    byte[] content = random(64 * CHUNK);
    Digest digest = Digest.sha256(content);
    try (BerthProcess berth = BerthProcess.serve(dir, List.of(), "  draintimeout: 1s\n")) {
      CountDownLatch started = new CountDownLatch(1);
      CompletableFuture<HttpResponse<Void>> post = client.sendAsync(
          HttpRequest.newBuilder(berth.uri("/v2/drain/cut/blobs/uploads/?digest=" + digest))
              .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new SlowBody(content, 100, started))).build(),
          HttpResponse.BodyHandlers.discarding());
      started.await();
      berth.terminate(Duration.ofSeconds(30));
      try {
        assertThat(post.get(30, TimeUnit.SECONDS).statusCode()).isNotEqualTo(201);
      } catch (ExecutionException cutOff) {
        // The connection closed under the request: the expected outcome once the drain time is up.
      }
    }
    assertThat(blobData(dir.resolve("data"))).isEmpty();
    try (BerthProcess again = BerthProcess.serve(dir, List.of(), "  draintimeout: 1s\n")) {
      HttpResponse<Void> head = client.send(HttpRequest.newBuilder(again.uri("/v2/drain/cut/blobs/" + digest))
          .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
      assertThat(head.statusCode()).isEqualTo(404);
    }
  }

  private static List<Path> blobData(Path root) throws IOException {
    Path blobs = root.resolve("docker/registry/v2/blobs");
    if (!Files.exists(blobs)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(blobs)) {
      return files.filter(p -> p.getFileName().toString().equals("data")).toList();
    }
  }

  private static void assertEveryBlobIsWhole(Path root) throws IOException {
    for (Path data : blobData(root)) {
      assertThat(Digest.sha256(Files.readAllBytes(data)).hex()).isEqualTo(data.getParent().getFileName().toString());
    }
  }
}
