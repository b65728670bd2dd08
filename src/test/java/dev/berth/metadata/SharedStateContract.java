package dev.berth.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.metadata.ConsoleSessionStore.SessionRecord;
import dev.berth.metadata.PolicyStore.StoredPolicy;
import dev.berth.oci.InvalidNameException;
import dev.berth.metadata.sql.SqlMetadataStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Console sessions, failed logins and namespaces' policies, which every replica on one database shares, run against each
 * real database by a subclass. Two stores on one database stand for two replicas.
 */
public abstract class SharedStateContract {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private SqlMetadataStore replicaA;
  private SqlMetadataStore replicaB;

  /** Opens a store on this test's database, empty at the first call; each call is another replica. */
  protected abstract SqlMetadataStore openStore();

  @BeforeEach
  final void openReplicas() {
    replicaA = openStore();
    replicaB = openStore();
    replicaA.access().addUser(new AccessStore.UserRecord("alice", "hash", false, T0));
    replicaA.access().addUser(new AccessStore.UserRecord("bob", "hash", false, T0));
  }

  @AfterEach
  final void closeReplicas() {
    replicaA.close();
    replicaB.close();
  }

  private static SessionRecord session(String hash, String user, Instant expiresAt) {
    return new SessionRecord(hash, user, "csrf-of-" + hash, expiresAt, "");
  }

  // ---- console sessions

  @Test
  void aSessionCreatedOnOneReplicaIsFoundOnAnotherUntilItExpires() {
    SessionRecord created = session("h1", "alice", T0.plusSeconds(60));
    replicaA.consoleSessions().create(created);

    assertThat(replicaB.consoleSessions().find("h1", T0)).contains(created);
    assertThat(replicaB.consoleSessions().find("h1", T0.plusSeconds(59))).isPresent();
    assertThat(replicaB.consoleSessions().find("h1", T0.plusSeconds(60))).as("expired").isEmpty();
    assertThat(replicaB.consoleSessions().find("h2", T0)).isEmpty();
  }

  @Test
  void extendingMovesTheExpiryOfALiveSessionOnly() {
    replicaA.consoleSessions().create(session("live", "alice", T0.plusSeconds(60)));
    replicaA.consoleSessions().create(session("gone", "alice", T0.plusSeconds(10)));

    replicaB.consoleSessions().extend("live", T0.plusSeconds(600), T0.plusSeconds(30));
    replicaB.consoleSessions().extend("gone", T0.plusSeconds(600), T0.plusSeconds(30));

    assertThat(replicaA.consoleSessions().find("live", T0.plusSeconds(599))).map(SessionRecord::expiresAt)
        .contains(T0.plusSeconds(600));
    assertThat(replicaA.consoleSessions().find("gone", T0.plusSeconds(30))).as("not revived").isEmpty();
  }

  @Test
  void signingOutOnOneReplicaEndsTheSessionOnAll() {
    replicaA.consoleSessions().create(session("h1", "alice", T0.plusSeconds(60)));
    replicaA.consoleSessions().create(session("h2", "alice", T0.plusSeconds(60)));

    replicaB.consoleSessions().delete("h1");

    assertThat(replicaA.consoleSessions().find("h1", T0)).isEmpty();
    assertThat(replicaA.consoleSessions().find("h2", T0)).isPresent();
  }

  @Test
  void removingAUserRemovesTheirSessionsOnly() {
    replicaA.consoleSessions().create(session("alice-1", "alice", T0.plusSeconds(60)));
    replicaA.consoleSessions().create(session("alice-2", "alice", T0.plusSeconds(60)));
    replicaA.consoleSessions().create(session("bob-1", "bob", T0.plusSeconds(60)));

    assertThat(replicaB.access().removeUser("alice")).isTrue();

    assertThat(replicaA.consoleSessions().find("alice-1", T0)).isEmpty();
    assertThat(replicaA.consoleSessions().find("alice-2", T0)).isEmpty();
    assertThat(replicaA.consoleSessions().find("bob-1", T0)).isPresent();
  }

  @Test
  void aFlashIsClearedOnlyIfItIsStillTheOneShown() {
    replicaA.consoleSessions().create(session("h1", "alice", T0.plusSeconds(60)));

    replicaA.consoleSessions().setFlash("h1", "first refusal");
    assertThat(replicaB.consoleSessions().find("h1", T0)).map(SessionRecord::flash).contains("first refusal");
    replicaA.consoleSessions().setFlash("h1", "second refusal");
    replicaB.consoleSessions().clearFlash("h1", "first refusal");
    assertThat(replicaB.consoleSessions().find("h1", T0)).map(SessionRecord::flash).contains("second refusal");
    replicaB.consoleSessions().clearFlash("h1", "second refusal");
    assertThat(replicaA.consoleSessions().find("h1", T0)).map(SessionRecord::flash).contains("");
  }

  @Test
  void expiredSessionsAreDeletedAndLiveOnesKept() {
    replicaA.consoleSessions().create(session("old-1", "alice", T0.plusSeconds(10)));
    replicaA.consoleSessions().create(session("old-2", "bob", T0.plusSeconds(20)));
    replicaA.consoleSessions().create(session("live", "bob", T0.plusSeconds(21)));

    assertThat(replicaB.consoleSessions().deleteExpired(T0.plusSeconds(20))).isEqualTo(2);

    assertThat(replicaA.consoleSessions().find("live", T0.plusSeconds(20))).isPresent();
    assertThat(replicaB.consoleSessions().deleteExpired(T0.plusSeconds(20))).isZero();
  }

  // ---- failed logins

  @Test
  void failuresAreCountedPerKeyOverEveryReplica() {
    replicaA.loginFailures().record(List.of("pair", "address"), T0);
    replicaB.loginFailures().record(List.of("pair", "address"), T0.plusMillis(300));
    replicaB.loginFailures().record(List.of("other-pair", "address"), T0.plusSeconds(5));

    assertThat(replicaA.loginFailures().countSince("pair", T0)).isEqualTo(2);
    assertThat(replicaA.loginFailures().countSince("address", T0)).isEqualTo(3);
    assertThat(replicaB.loginFailures().countSince("other-pair", T0)).isEqualTo(1);
    assertThat(replicaB.loginFailures().countSince("nobody", T0)).isZero();
  }

  @Test
  void failuresOfEarlierSecondsAreNotCountedAndAreForgotten() {
    replicaA.loginFailures().record(List.of("key"), T0);
    replicaA.loginFailures().record(List.of("key"), T0.plusSeconds(1));
    replicaA.loginFailures().record(List.of("key"), T0.plusSeconds(2).plusMillis(999));

    assertThat(replicaB.loginFailures().countSince("key", T0.plusSeconds(1).plusMillis(500)))
        .as("the whole second of 'since' counts").isEqualTo(2);
    assertThat(replicaB.loginFailures().countSince("key", T0.plusSeconds(3))).isZero();

    replicaB.loginFailures().forgetBefore(T0.plusSeconds(2).plusMillis(500));
    assertThat(replicaA.loginFailures().countSince("key", T0)).as("the second of the horizon stays").isEqualTo(1);
  }

  /** Each failure adds to the row in the statement that writes it, so none is lost to another. */
  @Test
  void concurrentFailuresOnTwoReplicasAreAllCounted() throws Exception {
    int threadsPerReplica = 4;
    int failuresPerThread = 25;
    CyclicBarrier start = new CyclicBarrier(2 * threadsPerReplica);
    ExecutorService pool = Executors.newFixedThreadPool(2 * threadsPerReplica);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (SqlMetadataStore replica : List.of(replicaA, replicaB)) {
        for (int t = 0; t < threadsPerReplica; t++) {
          String pair = "pair-" + writers.size();
          writers.add(pool.submit(() -> {
            LoginFailureStore failures = replica.loginFailures();
            start.await();
            for (int i = 0; i < failuresPerThread; i++) {
              failures.record(List.of(pair, "address"), T0);
            }
            return null;
          }));
        }
      }
      for (Future<?> writer : writers) {
        writer.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(replicaA.loginFailures().countSince("address", T0)).isEqualTo(2 * threadsPerReplica * failuresPerThread);
    assertThat(replicaB.loginFailures().countSince("pair-0", T0)).isEqualTo(failuresPerThread);
  }

  // ---- namespace policies

  private static final String POLICY = """
      retention:
        rules:
          - repositories: ["**"]   # every repository
            tags: ["v*", "!*-rc*"]
            keep: { mostRecentlyPushed: 10 }
      quota: 20GiB
      """;

  @Test
  void aPolicySetOnOneReplicaIsReadOnAnotherAsWritten() {
    StoredPolicy set = new StoredPolicy("team", POLICY, T0, "alice");
    replicaA.policies().put(set);

    assertThat(replicaB.policies().find("team")).contains(set);
    assertThat(replicaB.policies().find("other")).isEmpty();
  }

  @Test
  void settingAPolicyAgainReplacesItWhole() {
    replicaA.policies().put(new StoredPolicy("team", POLICY, T0, "alice"));
    StoredPolicy replaced = new StoredPolicy("team", "quota: 1GiB\n", T0.plusSeconds(60), "bob");
    replicaB.policies().put(replaced);

    assertThat(replicaA.policies().find("team")).contains(replaced);
    assertThat(replicaA.policies().all()).containsExactly(replaced);
  }

  @Test
  void allListsEveryNamespacesPolicyByNamespace() {
    StoredPolicy zeta = new StoredPolicy("zeta", POLICY, T0, "alice");
    StoredPolicy alpha = new StoredPolicy("alpha", "quota: 1GiB\n", T0.plusMillis(1), "bob");
    replicaA.policies().put(zeta);
    replicaB.policies().put(alpha);

    assertThat(replicaA.policies().all()).containsExactly(alpha, zeta);
  }

  @Test
  void removingAPolicyRemovesThatNamespacesOnly() {
    replicaA.policies().put(new StoredPolicy("team", POLICY, T0, "alice"));
    replicaA.policies().put(new StoredPolicy("other", POLICY, T0, "alice"));

    assertThat(replicaB.policies().remove("team")).isTrue();
    assertThat(replicaB.policies().remove("team")).as("already gone").isFalse();

    assertThat(replicaA.policies().find("team")).isEmpty();
    assertThat(replicaA.policies().find("other")).isPresent();
  }

  @Test
  void aPolicyBelongsToANamespaceNotARepository() {
    assertThatThrownBy(() -> new StoredPolicy("team/app", POLICY, T0, "alice")).isInstanceOf(InvalidNameException.class);
    assertThatThrownBy(() -> new StoredPolicy("Team", POLICY, T0, "alice")).isInstanceOf(InvalidNameException.class);
  }
}
