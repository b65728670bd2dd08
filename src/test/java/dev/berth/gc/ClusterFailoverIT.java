package dev.berth.gc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.testing.BerthCluster;
import dev.berth.testing.BerthJar;
import dev.berth.testing.Digests;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL of one replica of three (issue 21): of the replica running a collection, and of a
 * replica in the middle of an upload. The others keep serving; the killed run is closed as failed
 * by its stale heartbeat (each replica runs as its own node, {@code -Dberth.node}, so no replica
 * can tell from a process id that another is gone) and the next run, on another replica, finishes
 * its work; an upload cut off on one replica resumes on another from the offset it reports; fsck
 * is clean afterwards. Each test starts the killed replica again, so the next finds three.
 */
class ClusterFailoverIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .followRedirects(HttpClient.Redirect.NEVER).build();
  /** Polls of the held S3 removals and of refused starts: bounded, and generous for a busy machine. */
  private static final int MAX_POLLS = 1200;
  private static final Duration POLL = Duration.ofMillis(50);

  @TempDir
  static Path work;

  static BerthCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = BerthCluster.start(work.resolve("cluster"), false);
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void everyReplicaRunsAgain() throws Exception {
    cluster.s3().faults().release();
    for (BerthCluster.Replica replica : cluster.replicas()) {
      if (!replica.isAlive()) {
        replica.start();
      }
    }
  }

  @Test
  void aReplicaKilledDuringItsCollectionLeavesARunClosedByItsStaleHeartbeatAndTheNextRunFinishesTheWork()
      throws Exception {
    BerthCluster.Replica a = cluster.replica(0);
    BerthCluster.Replica b = cluster.replica(1);
    ImageFactory images = new ImageFactory("cluster-kill-gc", 2101, 1);
    TestImage keep = image(images, "keep");
    Set<String> garbage = new LinkedHashSet<>();
    try (OciHttp proxy = new OciHttp(cluster.uri("/")); OciHttp onB = new OciHttp(b.uri("/"));
        OciHttp onC = new OciHttp(cluster.replica(2).uri("/"))) {
      ImagePusher pusher = new ImagePusher(proxy, 5);
      pusher.push("failover/keep", "v1", keep);
      for (int i = 0; i < 4; i++) {
        TestImage doomed = image(images, "garbage-" + i);
        pusher.push("failover/garbage", "g" + i, doomed);
        assertThat(proxy.deleteManifest("failover/garbage", doomed.digest()).status()).isEqualTo(202);
        doomed.blobs().forEach(blob -> garbage.add(Digests.sha256(blob)));
      }

      // A's collection is caught removing its first object from the bucket, and killed there.
      cluster.s3().faults().hold("removeBlob", "removeBlobs");
      AdminApi onA = AdminApi.of(a.root());
      AdminApi.Start started = onA.start(AdminApi.options(false, true));
      assertThat(started.status()).as("%s", started).isEqualTo(202);
      for (int poll = 0; poll < MAX_POLLS && cluster.s3().faults().held() == 0; poll++) {
        Thread.sleep(POLL);
      }
      assertThat(cluster.s3().faults().held()).as("removals A's collection is held in").isPositive();
      assertThat(onA.run(started.id()).path("status").asText()).isEqualTo("running");
      long killedPid = a.pid();
      a.kill();
      cluster.s3().faults().release();

      // The others keep serving, directly and through the proxy.
      new PullVerifier(onB).pullEveryTag(List.of("failover/keep")).assertAllWhole();
      new PullVerifier(onC).pullEveryTag(List.of("failover/keep")).assertAllWhole();
      new PullVerifier(proxy).pullEveryTag(List.of("failover/keep")).assertAllWhole();
      new ImagePusher(onC, 5).push("failover/after", "v1", image(images, "after"));

      // B's start is refused while A's run still looks alive, and accepted once its heartbeat is stale.
      AdminApi onBAdmin = AdminApi.of(b.root());
      LongAdder refused = new LongAdder();
      AdminApi.Start next = onBAdmin.start(AdminApi.options(false, true));
      for (int poll = 0; poll < MAX_POLLS && next.status() == 409; poll++) {
        refused.increment();
        Thread.sleep(POLL);
        next = onBAdmin.start(AdminApi.options(false, true));
      }
      assertThat(next.status()).as("%s", next).isEqualTo(202);
      JsonNode finished = onBAdmin.await(next.id());
      assertThat(finished.path("status").asText()).as("%s", finished).isEqualTo("succeeded");

      Map<String, String> killedRun = runRow(started.id());
      assertThat(killedRun.get("status")).isEqualTo("failed");
      assertThat(killedRun.get("owner")).isEqualTo(a.name() + "/" + killedPid);
      assertThat(killedRun.get("log")).contains("interrupted: its process (" + a.name() + "/" + killedPid + ")");
      assertThat(cluster.blobsInBucket()).as("the garbage's objects").doesNotContainAnyElementsOf(garbage);
      assertThat(cluster.blobRows()).as("the garbage's rows").doesNotContainAnyElementsOf(garbage);
      new PullVerifier(onB).pullEveryTag(List.of("failover/keep", "failover/after")).assertAllWhole();
      System.out.printf("ClusterFailoverIT: the killed run's start was refused %d times before its heartbeat "
          + "went stale%n", refused.sum());
    }
    assertFsckClean();
  }

  @Test
  void anUploadCutOffByAKilledReplicaResumesOnAnotherAndAnAbandonedOneIsPurged() throws Exception {
    BerthCluster.Replica a = cluster.replica(0);
    BerthCluster.Replica b = cluster.replica(1);
    BerthCluster.Replica c = cluster.replica(2);
    byte[] blob = new byte[3 * 1024 * 1024];
    new Random(2102).nextBytes(blob);
    String digest = Digests.sha256(blob);
    int chunk = 1024 * 1024;

    String upload = start(a, "failover/upload");
    patch(a.uri(upload), blob, 0, chunk);
    String abandoned = start(a, "failover/abandoned");
    patch(a.uri(abandoned), blob, 0, 200_000);

    // The second chunk streams to A until half of it is sent; A is killed with the rest unsent.
    CountDownLatch halfSent = new CountDownLatch(1);
    CountDownLatch killed = new CountDownLatch(1);
    InputStream body = new StallingStream(Arrays.copyOfRange(blob, chunk, 2 * chunk), chunk / 2, halfSent, killed);
    CompletableFuture<HttpResponse<String>> cutOff = HTTP.sendAsync(HttpRequest.newBuilder(a.uri(upload))
            .method("PATCH", HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                () -> body), chunk))
            .header("Content-Type", "application/octet-stream")
            .header("Content-Range", chunk + "-" + (2 * chunk - 1)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(halfSent.await(60, TimeUnit.SECONDS)).as("half the chunk sent").isTrue();
    a.kill();
    killed.countDown();
    try {
      HttpResponse<String> answer = cutOff.get(60, TimeUnit.SECONDS);
      assertThat(answer.statusCode()).as("a chunk whose request was cut off: %s", answer.body()).isNotEqualTo(202);
    } catch (ExecutionException expected) {
      assertThat(expected.getCause()).isInstanceOf(IOException.class);
    }

    // Another replica reports how much of the upload it has; the client goes on from there.
    HttpResponse<String> status = HTTP.send(HttpRequest.newBuilder(b.uri(upload)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(status.statusCode()).as(status.body()).isEqualTo(204);
    String range = status.headers().firstValue("Range").orElseThrow();
    int offset = Integer.parseInt(range.substring(range.indexOf('-') + 1)) + 1;
    assertThat(offset).as("bytes the upload kept (%s)", range).isBetween(chunk, 2 * chunk);
    patch(b.uri(upload), blob, offset, blob.length);
    HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(c.uri(upload) + "?digest=" + digest))
        .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
    a.start();
    for (BerthCluster.Replica replica : cluster.replicas()) {
      assertThat(blobDigest(replica.uri("/v2/failover/upload/blobs/" + digest))).as(replica.name()).isEqualTo(digest);
    }
    assertFsckClean();

    // Nobody resumes the other upload: a collection purging idle uploads takes it, bytes and all
    // (and the blob above, which no manifest references).
    String abandonedId = abandoned.substring(abandoned.lastIndexOf('/') + 1);
    assertThat(cluster.objectKeys()).anyMatch(key -> key.contains(abandonedId));
    Map<String, Object> purge = AdminApi.options(false, false);
    purge.put("uploadMaxAge", "0s");
    AdminApi.of(c.root()).runToSuccessDespiteRefusals(purge, new LongAdder());
    assertThat(HTTP.send(HttpRequest.newBuilder(b.uri(abandoned)).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode()).as("the abandoned upload's status").isEqualTo(404);
    assertThat(cluster.objectKeys()).noneMatch(key -> key.contains(abandonedId));
    assertFsckClean();
  }

  /** An image of one layer and a config of its own, sharing no blob with any other. */
  private static TestImage image(ImageFactory images, String name) {
    return TestImage.of(("{\"architecture\":\"amd64\",\"os\":\"linux\",\"name\":\"" + name + "\"}")
        .getBytes(StandardCharsets.UTF_8), List.of(images.uniqueLayer()));
  }

  private static void assertFsckClean() throws Exception {
    BerthJar.Result fsck = cluster.replica(1).command("fsck", "--verify-digests");
    assertThat(fsck.exitCode()).as("%s", fsck).isZero();
    assertThat(fsck.output()).as("%s", fsck).contains("0 dangling, 0 corrupt, 0 orphaned");
  }

  private static Map<String, String> runRow(String id) throws Exception {
    try (Connection c = cluster.database();
        PreparedStatement s = c.prepareStatement("SELECT status, owner, log FROM gc_runs WHERE id = ?")) {
      s.setString(1, id);
      try (ResultSet row = s.executeQuery()) {
        assertThat(row.next()).as("run %s in history", id).isTrue();
        return Map.of("status", row.getString(1), "owner", String.valueOf(row.getString(2)),
            "log", String.valueOf(row.getString(3)));
      }
    }
  }

  /** Starts an upload on {@code replica}; answers its path. */
  private static String start(BerthCluster.Replica replica, String repo) throws Exception {
    HttpResponse<String> started = HTTP.send(HttpRequest.newBuilder(replica.uri("/v2/" + repo + "/blobs/uploads/"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    return URI.create(started.headers().firstValue("Location").orElseThrow()).getPath();
  }

  /** Sends {@code blob}'s bytes {@code from} (inclusive) {@code to} (exclusive) as the upload's next chunk. */
  private static void patch(URI upload, byte[] blob, int from, int to) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(upload)
        .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(blob, from, to - from))
        .header("Content-Type", "application/octet-stream")
        .header("Content-Range", from + "-" + (to - 1)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("PATCH %d-%d: %s", from, to - 1, r.body()).isEqualTo(202);
  }

  private static String blobDigest(URI blob) throws Exception {
    HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(blob).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).as("GET %s: %s", blob, new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    return Digests.sha256(r.body());
  }

  /**
   * A request body that gives its first {@code stallAt} bytes, says so, and then gives nothing
   * until the replica it goes to is dead; the rest is never sent.
   */
  private static final class StallingStream extends InputStream {
    private final byte[] bytes;
    private final int stallAt;
    private final CountDownLatch reached;
    private final CountDownLatch killed;
    private final AtomicLong position = new AtomicLong();

    StallingStream(byte[] bytes, int stallAt, CountDownLatch reached, CountDownLatch killed) {
      this.bytes = bytes;
      this.stallAt = stallAt;
      this.reached = reached;
      this.killed = killed;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
      int at = (int) position.get();
      if (at >= stallAt) {
        reached.countDown();
        try {
          killed.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new IOException("the replica this chunk went to was killed");
      }
      int n = Math.min(length, stallAt - at);
      System.arraycopy(bytes, at, target, offset, n);
      position.addAndGet(n);
      return n;
    }
  }
}
