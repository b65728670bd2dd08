package dev.berth.metadata.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.metadata.DigestGuard;
import dev.berth.oci.Digest;
import dev.berth.testing.SharedPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two guards on one database behave as the guards of two processes: whoever holds a digest excludes
 * the other, and a holder whose session ends (a killed process) lets go.
 */
class PostgresDigestGuardTest {
  private String url;
  private PostgresDigestGuard replicaA;
  private PostgresDigestGuard replicaB;
  private final Digest digest = Digest.sha256("layer".getBytes(StandardCharsets.UTF_8));

  @BeforeEach
  void open() {
    url = SharedPostgres.newDatabase();
    replicaA = PostgresDigestGuard.open(url, "postgres", "", 2);
    replicaB = PostgresDigestGuard.open(url, "postgres", "", 2);
  }

  @AfterEach
  void close() {
    replicaA.close();
    replicaB.close();
  }

  @Test
  void aDigestHeldOnOneReplicaIsWaitedForOnTheOther() throws Exception {
    DigestGuard.Held held = replicaA.hold(digest);
    CompletableFuture<Void> other = holdAndLetGo(replicaB, digest);
    awaitWaiters(1);
    assertThat(other).isNotDone();

    held.close();
    other.get(30, TimeUnit.SECONDS);
    assertThat(advisoryLocks(true)).isZero();
  }

  @Test
  void aCollectionBatchExcludesUploadsOfItsDigestsOnly() throws Exception {
    List<Digest> batch = IntStream.range(0, 300)
        .mapToObj(i -> Digest.sha256(("blob " + i).getBytes(StandardCharsets.UTF_8))).toList();
    try (DigestGuard.Batches run = replicaA.batches()) {
      DigestGuard.Held held = run.holdAll(batch);
      assertThat(advisoryLocks(true)).isEqualTo(300);
      // A digest outside the batch is not held up.
      holdAndLetGo(replicaB, digest).get(30, TimeUnit.SECONDS);
      CompletableFuture<Void> upload = holdAndLetGo(replicaB, batch.get(137));
      awaitWaiters(1);
      assertThat(upload).isNotDone();

      held.close();
      upload.get(30, TimeUnit.SECONDS);
    }
    assertThat(advisoryLocks(true)).isZero();
  }

  @Test
  void aHolderWhoseSessionEndsLetsGoAsAKilledProcessWould() throws Exception {
    DigestGuard.Held held = replicaA.hold(digest);
    CompletableFuture<Void> other = holdAndLetGo(replicaB, digest);
    awaitWaiters(1);

    try (Connection c = SharedPostgres.connect(url); Statement s = c.createStatement()) {
      s.execute("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = "
          + PostgresDigestGuard.DIGEST_LOCKS + " AND objid = " + Integer.toUnsignedLong(PostgresDigestGuard.keyOf(digest)));
    }
    other.get(30, TimeUnit.SECONDS);
    // The holder learns it at release, and says so; nothing is left held.
    held.close();
    assertThat(advisoryLocks(true)).isZero();
  }

  @Test
  void aBatchRunLetsGoOfWhatAFailedBatchLeftHeldWhenItCloses() throws Exception {
    DigestGuard.Batches run = replicaA.batches();
    run.holdAll(List.of(digest));
    run.close();
    assertThat(advisoryLocks(true)).isZero();
    holdAndLetGo(replicaB, digest).get(30, TimeUnit.SECONDS);
  }

  @Test
  void theGuardsShareOfTheConnectionsIsAQuarterAndAtLeastTwo() {
    assertThat(PostgresDigestGuard.connectionsOf(4)).isEqualTo(2);
    assertThat(PostgresDigestGuard.connectionsOf(16)).isEqualTo(4);
    assertThat(PostgresDigestGuard.connectionsOf(100)).isEqualTo(25);
  }

  private static CompletableFuture<Void> holdAndLetGo(DigestGuard guard, Digest digest) {
    return CompletableFuture.runAsync(() -> guard.hold(digest).close(), r -> Thread.ofPlatform().start(r));
  }

  private void awaitWaiters(int count) throws Exception {
    for (int i = 0; i < 3000 && advisoryLocks(false) < count; i++) {
      Thread.sleep(10);
    }
    assertThat(advisoryLocks(false)).as("sessions waiting for a digest").isEqualTo(count);
  }

  private long advisoryLocks(boolean granted) throws Exception {
    try (Connection c = SharedPostgres.connect(url); Statement s = c.createStatement();
        ResultSet result = s.executeQuery(SharedPostgres.COUNT_ADVISORY_LOCKS + " AND classid = "
            + PostgresDigestGuard.DIGEST_LOCKS + " AND granted = " + granted)) {
      result.next();
      return result.getLong(1);
    }
  }
}
