package dev.berth.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.oci.Digest;
import dev.berth.oci.Tag;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

class SqliteMetadataStoreTest extends MetadataStoreContract {

  @TempDir Path dir;

  private Path databaseFile() {
    return dir.resolve("metadata.db");
  }

  @Override
  protected MetadataStore openStore() {
    return SqlMetadataStore.sqlite(databaseFile());
  }

  @Override
  protected Connection openConnection() throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.enforceForeignKeys(true);
    return config.createConnection("jdbc:sqlite:" + databaseFile());
  }

  @Test
  void theDatabaseIsInWalMode() throws SQLException {
    try (Connection c = openConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("wal");
    }
  }

  /**
   * Two stores on one file stand for two processes (a server and {@code berth gc}): their in-process
   * writer locks do not see each other, so only BEGIN IMMEDIATE and the busy timeout keep their
   * writers from failing with SQLITE_BUSY.
   */
  @Test
  void twoStoresOnOneFileWriteConcurrentlyWithoutBusyErrors() throws Exception {
    int rounds = 40;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (MetadataStore second = openStore()) {
      List<Future<?>> writers = new ArrayList<>();
      for (MetadataStore writer : List.of(store, second)) {
        String name = writer == store ? "first" : "second";
        writers.add(pool.submit(() -> {
          for (int round = 0; round < rounds; round++) {
            Digest config = writer.blobs().recordBlob(APP, digest("shared-config"), 6, T0).digest();
            Digest layer = writer.blobs().recordBlob(APP, digest(name + round), 1, T0).digest();
            writer.manifests().putManifest(image(APP, name + round, List.of(config, layer)), Optional.of(Tag.of(name + round)), T0);
          }
          return null;
        }));
      }
      for (Future<?> writer : writers) {
        writer.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(store.manifests().listTags(APP, Optional.empty(), 1000)).hasSize(2 * rounds);
  }

  /**
   * Writers of one store that queue behind each other commit in groups: every transaction that
   * succeeded is committed, and one that failed takes back only its own writes.
   */
  @Test
  void concurrentWritersCommitInGroupsAndAFailureUndoesOnlyItsOwnWrites() throws Exception {
    int writers = 24;
    Digest config = store.blobs().recordBlob(APP, digest("config"), 6, T0).digest();
    CyclicBarrier start = new CyclicBarrier(writers);
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<?>> results = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        int writer = i;
        results.add(pool.submit(() -> {
          start.await();
          for (int round = 0; round < 10; round++) {
            String name = "w" + writer + "r" + round;
            if (writer % 4 == 0) {
              assertThatThrownBy(() -> store.atomically(tx -> {
                tx.blobs().recordBlob(APP, digest(name), 1, T0);
                throw new IllegalStateException("refused after writing");
              })).isInstanceOf(IllegalStateException.class);
            } else {
              Digest layer = store.blobs().recordBlob(APP, digest(name), 1, T0).digest();
              store.manifests().putManifest(image(APP, name, List.of(config, layer)), Optional.of(Tag.of(name)), T0);
            }
          }
          return null;
        }));
      }
      for (Future<?> result : results) {
        result.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(store.manifests().listTags(APP, Optional.empty(), 1000)).hasSize(writers / 4 * 3 * 10);
    for (int writer = 0; writer < writers; writer += 4) {
      assertThat(store.blobs().findBlob(digest("w" + writer + "r0"))).as("failed writer's blob").isEmpty();
    }
  }

  /**
   * SQLite's count lives in the process that pushes (the one serving the directory): a process that
   * starts over the same file has not counted the namespace, whatever the row says, and counts again.
   */
  @Test
  void aQuotaCountIsTheProcesssOwnAndTheNextProcessCountsAgain() {
    ManifestRecord app = image(APP, "app", List.of(digest("config-app")));
    store.policies().put(new PolicyStore.StoredPolicy("team", "quota: 1KiB\n", T0, "alice"));
    store.atomically(tx -> {
      tx.quota().count("team", 700);
      return null;
    });
    Optional<QuotaLedger.Counted> counted = store.atomically(tx -> tx.quota().addToCount(app));
    assertThat(counted).isPresent();
    try (MetadataStore next = openStore()) {
      Optional<QuotaLedger.Counted> uncounted = next.atomically(tx -> tx.quota().addToCount(app));
      assertThat(uncounted).isEmpty();
      Optional<String> held = next.atomically(tx -> tx.quota().hold("team"));
      assertThat(held).contains("quota: 1KiB\n");
      long adds = next.atomically(tx -> {
        tx.quota().count("team", 900);
        return tx.quota().adds(app);
      });
      Optional<QuotaLedger.Counted> recounted = next.atomically(tx -> tx.quota().addToCount(app));
      assertThat(recounted.orElseThrow().usage()).isEqualTo(900 + adds);
    }
  }
}
