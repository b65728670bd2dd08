package dev.berth.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.berth.cleanup.GarbageCollector;
import dev.berth.cleanup.GcOptions;
import dev.berth.cleanup.GcService;
import dev.berth.metadata.AuditEntry;
import dev.berth.metadata.AuditFilter;
import dev.berth.metadata.GcScheduleRecord;
import dev.berth.metadata.InProcessDigestGuard;
import dev.berth.metadata.GcRunItem;
import dev.berth.metadata.GcRunRecord;
import dev.berth.metadata.HistoryStore;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.storage.fs.FilesystemBlobStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The life of a run as {@link GcService} tells it, on a real SQLite database and blob directory,
 * with the service's own thread frozen at the worst moment: the deterministic form of what
 * GcTwoProcessIT and GcStressIT see over HTTP.
 */
class GcRunLifecycleIT {
  private static final GcOptions OPTIONS = new GcOptions(false, true, Duration.ZERO, Duration.ofHours(168));

  @TempDir
  Path temp;

  /**
   * Once the history says a run finished (what {@code GET /api/v1/gc/runs/{id}} and {@code berth gc}
   * go by), a new run may start. Here the first run's thread is held right after its final status
   * committed, before it goes on (to the audit record, the log line, letting go of the run).
   */
  @Test
  void aRunWhoseHistorySaysFinishedNoLongerBlocksTheNextStart() throws Exception {
    try (Services services = new Services(temp)) {
      String first = services.gc.start(OPTIONS, "test", "api");
      assertThat(services.history.finishedAndHeld.await(30, TimeUnit.SECONDS)).as("first run reached its end").isTrue();
      try {
        assertThat(services.gc.findRun(first).orElseThrow().status()).isEqualTo(GcRunRecord.Status.SUCCEEDED);
        assertThatCode(() -> services.gc.start(OPTIONS, "test", "api"))
            .as("starting a run after the history reported the previous one succeeded")
            .doesNotThrowAnyException();
      } finally {
        services.history.release.countDown();
      }
    }
  }

  /** A real collector and service on SQLite and the filesystem, with a history that can hold a run. */
  private static final class Services implements AutoCloseable {
    final SqlMetadataStore metadata;
    final HoldAfterFirstFinish history;
    final GcService gc;

    Services(Path temp) throws Exception {
      metadata = SqlMetadataStore.sqlite(temp.resolve("metadata.db"));
      FilesystemBlobStore blobs = new FilesystemBlobStore(temp.resolve("data"));
      history = new HoldAfterFirstFinish(metadata.history());
      gc = new GcService(new GarbageCollector(metadata.collector(), blobs, new InProcessDigestGuard(), Clock.systemUTC()), history,
          Clock.systemUTC());
    }

    /** Lets any held run go, waits (bounded) until no run is recorded as running, and closes. */
    @Override
    public void close() throws Exception {
      history.release.countDown();
      Instant deadline = Instant.now().plusSeconds(30);
      for (int poll = 0; poll < 3000 && Instant.now().isBefore(deadline); poll++) {
        if (gc.recentRuns(10).stream().noneMatch(r -> r.status() == GcRunRecord.Status.RUNNING)) {
          break;
        }
        Thread.sleep(10);
      }
      metadata.close();
    }
  }

  /** The real history; the first {@code runFinished} commits and then holds its thread until released. */
  private static final class HoldAfterFirstFinish implements HistoryStore {
    final CountDownLatch finishedAndHeld = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private final AtomicBoolean first = new AtomicBoolean(true);
    private final HistoryStore delegate;

    HoldAfterFirstFinish(HistoryStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public void runFinished(String id, GcRunRecord.Status status, Instant finishedAt, long bytesFreed, String report,
        String log) {
      delegate.runFinished(id, status, finishedAt, bytesFreed, report, log);
      if (first.getAndSet(false)) {
        finishedAndHeld.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public boolean runStarted(GcRunRecord run) {
      return delegate.runStarted(run);
    }

    @Override
    public void runHeartbeat(String id, Instant at) {
      delegate.runHeartbeat(id, at);
    }

    @Override
    public int failRun(String id, Instant at, String reason) {
      return delegate.failRun(id, at, reason);
    }

    @Override
    public List<GcRunRecord> runningRuns() {
      return delegate.runningRuns();
    }

    @Override
    public void appendRunItems(String id, List<GcRunItem> items) {
      delegate.appendRunItems(id, items);
    }

    @Override
    public List<GcRunItem> runItems(String id, long afterSeq, int limit) {
      return delegate.runItems(id, afterSeq, limit);
    }

    @Override
    public List<GcRunRecord> recentRuns(int limit) {
      return delegate.recentRuns(limit);
    }

    @Override
    public Optional<GcRunRecord> findRun(String id) {
      return delegate.findRun(id);
    }

    @Override
    public void audit(AuditEntry entry) {
      delegate.audit(entry);
    }

    @Override
    public List<AuditEntry> audit(AuditFilter filter, int limit) {
      return delegate.audit(filter, limit);
    }

    @Override
    public Optional<GcScheduleRecord> gcSchedule() {
      return delegate.gcSchedule();
    }

    @Override
    public void setGcSchedule(GcScheduleRecord schedule) {
      delegate.setGcSchedule(schedule);
    }
  }
}
