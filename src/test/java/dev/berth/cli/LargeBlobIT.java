package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.oci.Digest;
import dev.berth.oci.DigestAlgorithm;
import dev.berth.testing.S3Server;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blobs stream: a 2 GiB blob is pushed and pulled through a server whose heap is 256 MiB, and
 * through one with the default heap whose blobs are on S3 (s3proxy in this JVM).
 */
class LargeBlobIT {
  private static final int BLOCK = 1 << 20;
  private static final int BLOCKS = 2048;

  @TempDir
  Path dir;

  /** 2 GiB of deterministic bytes: one random MiB, each copy stamped with its index so no two blocks match. */
  private static final class Generated extends InputStream {
    private final byte[] block = new byte[BLOCK];
    private int index = -1;
    private int position = BLOCK;

    Generated() {
      new Random(2).nextBytes(block);
    }

    @Override
    public int read() {
      throw new UnsupportedOperationException("read in blocks");
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
      if (position == BLOCK) {
        if (index + 1 == BLOCKS) {
          return -1;
        }
        index++;
        ByteBuffer.wrap(block).putInt(0, index);
        position = 0;
      }
      int n = Math.min(length, BLOCK - position);
      System.arraycopy(block, position, buffer, offset, n);
      position += n;
      return n;
    }
  }

  private static Digest digestOf(InputStream in) throws Exception {
    MessageDigest md = DigestAlgorithm.SHA256.newMessageDigest();
    byte[] buffer = new byte[BLOCK];
    int n;
    while ((n = in.read(buffer)) >= 0) {
      md.update(buffer, 0, n);
    }
    return Digest.of(md, DigestAlgorithm.SHA256);
  }

  @Test
  void twoGibibytesThroughA256MibHeap() throws Exception {
    try (BerthProcess berth = BerthProcess.serve(dir, List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"), "")) {
      pushAndPull(berth, "filesystem");
    }
  }

  /** On S3 every upload holds up to one part in memory; the default heap (bin/java-options) suffices. */
  @Test
  void twoGibibytesOnS3WithTheDefaultHeap() throws Exception {
    try (S3Server s3 = S3Server.start(java.nio.file.Files.createDirectories(dir.resolve("s3")));
        BerthProcess berth = BerthProcess.serve(dir, List.of("-Xmx160m", "-XX:+ExitOnOutOfMemoryError"), """
            datadirectory: %s
            storage:
              s3:
                region: us-east-1
                regionendpoint: %s
                bucket: %s
                accesskey: %s
                secretkey: %s
                forcepathstyle: true
              redirect:
                disable: true
            """.formatted(dir.resolve("data"), s3.endpoint(), S3Server.BUCKET, S3Server.ACCESS_KEY, S3Server.SECRET_KEY))) {
      pushAndPull(berth, "S3");
    }
  }

  private static void pushAndPull(BerthProcess berth, String where) throws Exception {
    Digest digest = digestOf(new Generated());
    long size = (long) BLOCK * BLOCKS;
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<Void> start = client.send(HttpRequest.newBuilder(berth.uri("/v2/big/blob/blobs/uploads/"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    String location = start.headers().firstValue("Location").orElseThrow();

    long pushStart = System.nanoTime();
    HttpResponse<Void> patch = client.send(HttpRequest.newBuilder(berth.uri(location))
        .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(Generated::new)).build(),
        HttpResponse.BodyHandlers.discarding());
    assertThat(patch.statusCode()).isEqualTo(202);
    assertThat(patch.headers().firstValue("Range")).contains("0-" + (size - 1));
    HttpResponse<Void> put = client.send(HttpRequest.newBuilder(berth.uri(location + "?digest=" + digest))
        .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    assertThat(put.statusCode()).isEqualTo(201);
    double pushSeconds = (System.nanoTime() - pushStart) / 1e9;

    long pullStart = System.nanoTime();
    HttpResponse<InputStream> get = client.send(HttpRequest.newBuilder(berth.uri("/v2/big/blob/blobs/" + digest)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.headers().firstValueAsLong("Content-Length")).hasValue(size);
    try (InputStream body = get.body()) {
      assertThat(digestOf(body)).isEqualTo(digest);
    }
    double pullSeconds = (System.nanoTime() - pullStart) / 1e9;
    assertThat(berth.process.isAlive()).as("server survived its heap").isTrue();
    System.out.printf("2 GiB blob on %s: push %.0f MB/s, pull %.0f MB/s (test client hashes in the same process)%n",
        where, size / 1e6 / pushSeconds, size / 1e6 / pullSeconds);
  }
}
