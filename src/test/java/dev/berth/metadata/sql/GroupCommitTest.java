package dev.berth.metadata.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitTest {
  @TempDir Path dir;
  private HikariDataSource pool;
  private Jdbi jdbi;
  private GroupCommit commits;

  @BeforeEach
  void open() {
    // One connection: what a transaction leaves behind on it, the next one sees.
    pool = OneConnectionPool.sqlite(dir.resolve("group.db"));
    jdbi = Jdbi.create(pool);
    jdbi.useHandle(h -> h.execute("CREATE TABLE rows (name TEXT NOT NULL PRIMARY KEY)"));
    commits = new GroupCommit(jdbi, pool);
  }

  @AfterEach
  void close() {
    pool.close();
  }

  @Test
  void aTransactionAloneThatFailsLeavesNothingAndItsCallerGetsItsException() {
    assertThatThrownBy(() -> commits.run(h -> {
      h.execute("INSERT INTO rows (name) VALUES ('half')");
      throw new IllegalStateException("changed its mind");
    })).isInstanceOf(IllegalStateException.class).hasMessage("changed its mind");

    commits.run(h -> h.execute("INSERT INTO rows (name) VALUES ('next')"));
    assertThat(names()).containsExactly("next");
  }

  @Test
  void aTransactionThatFailsInAGroupIsRolledBackAloneAndTheOthersCommit() throws Exception {
    CountDownLatch releaseLeader = new CountDownLatch(1);
    CompletableFuture<Integer> leader = holdingTheLock(t -> commits.run(t), releaseLeader,
        h -> h.execute("INSERT INTO rows (name) VALUES ('leader')"));
    // Both queue behind the leader's commit, so the next one to get the lock runs them as one group.
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread failing = Thread.ofPlatform().start(() -> {
      try {
        commits.run(h -> {
          h.execute("INSERT INTO rows (name) VALUES ('failing')");
          throw new IllegalStateException("no");
        });
      } catch (IllegalStateException e) {
        thrown.set(e);
      }
    });
    Thread succeeding = Thread.ofPlatform().start(() -> commits.run(h -> h.execute("INSERT INTO rows (name) VALUES ('kept')")));
    awaitParked(failing);
    awaitParked(succeeding);
    releaseLeader.countDown();

    assertThat(leader.get(30, TimeUnit.SECONDS)).isEqualTo(1);
    failing.join();
    succeeding.join();
    assertThat(thrown.get()).hasMessage("no");
    assertThat(names()).containsExactly("kept", "leader");
  }

  @Test
  void anUnsyncedTransactionCommitsWithoutSyncAndLeavesItsConnectionAsItWas() {
    assertThat(commits.runUnsynced(GroupCommitTest::synchronousLevel)).isEqualTo(NORMAL);
    assertThat(commits.run(GroupCommitTest::synchronousLevel)).isEqualTo(FULL);
    commits.runUnsynced(h -> h.execute("INSERT INTO rows (name) VALUES ('unsynced')"));
    assertThat(names()).containsExactly("unsynced");
  }

  @Test
  void anUnsyncedTransactionGroupedWithASyncedOneCommitsSynced() throws Exception {
    CountDownLatch releaseLeader = new CountDownLatch(1);
    CompletableFuture<Integer> leader = holdingTheLock(t -> commits.runUnsynced(t), releaseLeader, GroupCommitTest::synchronousLevel);
    AtomicReference<Integer> unsyncedLevel = new AtomicReference<>();
    Thread unsynced = Thread.ofPlatform().start(() -> unsyncedLevel.set(commits.runUnsynced(GroupCommitTest::synchronousLevel)));
    awaitParked(unsynced);
    Thread synced = Thread.ofPlatform().start(() -> commits.run(h -> h.execute("INSERT INTO rows (name) VALUES ('synced')")));
    awaitParked(synced);
    releaseLeader.countDown();

    assertThat(leader.get(30, TimeUnit.SECONDS)).isEqualTo(NORMAL);
    unsynced.join();
    synced.join();
    assertThat(unsyncedLevel.get()).isEqualTo(FULL);
    assertThat(names()).containsExactly("synced");
  }

  /**
   * Starts {@code transaction} through {@code runner} and returns once it is inside, holding the
   * commit lock until {@code release} opens: transactions queued meanwhile commit as one group next.
   */
  private static <R> CompletableFuture<R> holdingTheLock(Function<HandleCallback<R, RuntimeException>, R> runner,
      CountDownLatch release, HandleCallback<R, RuntimeException> transaction) throws InterruptedException {
    CountDownLatch inside = new CountDownLatch(1);
    CompletableFuture<R> leader = CompletableFuture.supplyAsync(() -> runner.apply(h -> {
      inside.countDown();
      await(release);
      return transaction.withHandle(h);
    }));
    assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
    return leader;
  }

  private static final int NORMAL = 1;
  private static final int FULL = 2;

  private static int synchronousLevel(org.jdbi.v3.core.Handle h) {
    return h.createQuery("PRAGMA synchronous").mapTo(Integer.class).one();
  }

  private List<String> names() {
    return jdbi.withHandle(h -> h.createQuery("SELECT name FROM rows ORDER BY name").mapTo(String.class).list());
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("never released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits until the thread waits for the commit lock, that is, has queued its transaction. */
  private static void awaitParked(Thread thread) throws InterruptedException {
    while (thread.getState() != Thread.State.WAITING) {
      if (!thread.isAlive()) {
        throw new IllegalStateException(thread + " ended before queueing");
      }
      Thread.sleep(5);
    }
  }
}
