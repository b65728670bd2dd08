package dev.berth.cleanup;

import static dev.berth.cleanup.RegistryFixture.repo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.metadata.GcRunItem;
import dev.berth.metadata.GcRunRecord;
import dev.berth.metadata.HistoryStore;
import dev.berth.metadata.MetadataException;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs as the server records them: what they removed goes to history item by item, the report keeps counts. */
class GcServiceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  RegistryFixture f;
  GcService service;

  @BeforeEach
  void open() throws Exception {
    f = new RegistryFixture(dir);
    service = new GcService(f.collector, f.metadata.history(), f.clock);
  }

  @AfterEach
  void close() throws Exception {
    f.close();
  }

  @Test
  void everyRemovedItemIsInHistoryInOrderWhileTheReportAndLogStaySmall() throws Exception {
    // More blobs than one write of items holds, so the items reach history in several batches.
    RepositoryName app = repo("team/app");
    Set<Digest> pushed = new HashSet<>();
    for (int i = 0; i < GcService.Progress.ITEMS_PER_WRITE * 3 / 4; i++) {
      pushed.add(f.pushBlob(app, f.randomBytes(10)));
    }
    f.clock.advance(Duration.ofDays(2));

    GcReport report = service.runNow(new GcOptions(false, true, Duration.ofDays(1), Duration.ofDays(7)), "ops", "cli",
        GcListener.NONE);

    GcRunRecord run = service.recentRuns(1).get(0);
    List<GcRunItem> items = allItems(run.id());
    assertThat(items).extracting(GcRunItem::seq)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, items.size()).boxed().toList());
    List<Digest> blobs = items.stream().filter(i -> i.kind() == GcRunItem.Kind.BLOB)
        .map(i -> i.digest().orElseThrow()).toList();
    assertThat(blobs).containsExactlyInAnyOrderElementsOf(pushed);
    assertThat(items.stream().filter(i -> i.kind() == GcRunItem.Kind.BLOB))
        .allSatisfy(i -> assertThat(i.repositories()).containsExactly(app));
    assertThat(items).filteredOn(i -> i.kind() == GcRunItem.Kind.REPOSITORY)
        .containsExactly(new GcRunItem(items.size(), GcRunItem.Kind.REPOSITORY, List.of(app), Optional.empty(), 0));
    assertThat(items.stream().mapToLong(GcRunItem::size).sum()).isEqualTo(report.bytesFreed()).isEqualTo(run.bytesFreed());

    JsonNode stored = JSON.readTree(run.report().orElseThrow());
    assertThat(stored.path("blobs").asLong()).isEqualTo(pushed.size());
    assertThat(stored.path("repositories").asLong()).isEqualTo(1);
    assertThat(stored.path("summary").asText()).isEqualTo(report.summary());
    assertThat(run.log().orElseThrow().split("\n")).allMatch(line -> line.startsWith("phase "));
  }

  @Test
  void aDryRunRecordsWhatItWouldRemoveAndRemovesNothing() throws Exception {
    RepositoryName app = repo("team/app");
    Digest blob = f.pushBlob(app, f.randomBytes(10));
    f.clock.advance(Duration.ofDays(2));

    String id = service.start(new GcOptions(true, true, Duration.ofDays(1), Duration.ofDays(7)), "ops", "api");
    GcRunRecord run = awaitFinished(id);

    assertThat(run.dryRun()).isTrue();
    assertThat(allItems(id)).extracting(GcRunItem::kind, GcRunItem::digest).contains(
        org.assertj.core.groups.Tuple.tuple(GcRunItem.Kind.BLOB, Optional.of(blob)));
    assertThat(f.blobBytesExist(blob)).isTrue();
    assertThat(GcReports.line(allItems(id).get(0), true)).startsWith("would delete ");
  }

  /**
   * A server's run must not sit on a carrier of the virtual threads that serve requests (it would
   * hold one of them for as long as it computes), and runs under SCHED_IDLE, so that a request
   * thread waking up takes the CPU from it at once.
   */
  @Test
  void aServersRunHasAPlatformThreadThatRequestsPreemptAtOnce() throws Exception {
    java.util.concurrent.CompletableFuture<Thread> runner = new java.util.concurrent.CompletableFuture<>();
    java.util.concurrent.CompletableFuture<Integer> policy = new java.util.concurrent.CompletableFuture<>();
    String id = service.start(new GcOptions(true, true, Duration.ofDays(1), Duration.ofDays(7)), "ops", "api",
        new GcListener() {
          @Override
          public void phase(GcPhase phase) {
            runner.complete(Thread.currentThread());
            policy.complete(BackgroundThreadsTest.schedulingPolicyOfThisThread());
          }
        });
    awaitFinished(id);

    Thread thread = runner.get();
    assertThat(thread.isVirtual()).isFalse();
    assertThat(thread.getPriority()).isEqualTo(Thread.MIN_PRIORITY);
    assertThat(policy.get()).as("SCHED_IDLE").isEqualTo(5);
  }

  @Test
  void aFollowerWaitingForARunLearnsOfItsEndAsSoonAsHistoryHasIt() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    String id = service.start(new GcOptions(true, true, Duration.ofDays(1), Duration.ofDays(7)), "ops", "api",
        new GcListener() {
          @Override
          public void phase(GcPhase phase) {
            if (phase == GcPhase.DONE) {
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          }
        });

    // Held before its end: the wait gives up and answers the run as it stands.
    assertThat(service.awaitEnd(id, Duration.ofMillis(20)).orElseThrow().status()).isEqualTo(GcRunRecord.Status.RUNNING);
    release.countDown();
    assertThat(service.awaitEnd(id, Duration.ofMinutes(1)).orElseThrow().status()).isEqualTo(GcRunRecord.Status.SUCCEEDED);
    assertThat(service.awaitEnd("00000000-0000-0000-0000-000000000000", Duration.ofMinutes(1))).isEmpty();
  }

  @Test
  void aFollowerWaitingForItemsLearnsOfEachWriteAndOfTheEnd() throws Exception {
    f.pushBlob(repo("team/app"), f.randomBytes(10));
    f.clock.advance(Duration.ofDays(2));
    CountDownLatch begin = new CountDownLatch(1);
    CountDownLatch atDone = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    String id = service.start(new GcOptions(false, false, Duration.ofDays(1), Duration.ofDays(7)), "ops", "api",
        new GcListener() {
          @Override
          public void phase(GcPhase phase) {
            try {
              if (phase == GcPhase.MARK_MANIFESTS) {
                begin.await();
              } else if (phase == GcPhase.DONE) {
                atDone.countDown();
                finish.await();
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        });

    // Held before it removes anything: the wait gives up.
    assertThat(service.awaitItems(id, 0, Duration.ofMillis(20)).orElseThrow().status())
        .isEqualTo(GcRunRecord.Status.RUNNING);
    assertThat(service.runItems(id, 0, 100)).isEmpty();
    begin.countDown();
    // Woken by the first write, while the run goes on.
    assertThat(service.awaitItems(id, 0, Duration.ofMinutes(1)).orElseThrow().status())
        .isEqualTo(GcRunRecord.Status.RUNNING);
    assertThat(service.runItems(id, 0, 100)).isNotEmpty();

    atDone.await();
    // Every item is written at the change to DONE, where the run is held now: no more come.
    List<GcRunItem> written = service.runItems(id, 0, 100);
    assertThat(written).extracting(GcRunItem::kind).contains(GcRunItem.Kind.BLOB, GcRunItem.Kind.REPOSITORY);
    long last = written.getLast().seq();
    assertThat(service.awaitItems(id, last, Duration.ofMillis(20)).orElseThrow().status())
        .isEqualTo(GcRunRecord.Status.RUNNING);
    finish.countDown();
    // Woken by the end.
    assertThat(service.awaitItems(id, last, Duration.ofMinutes(1)).orElseThrow().status())
        .isEqualTo(GcRunRecord.Status.SUCCEEDED);
    assertThat(service.awaitItems("00000000-0000-0000-0000-000000000000", 0, Duration.ofMinutes(1))).isEmpty();
  }

  private String recordRunning(String id, String owner, java.time.Instant heartbeat) {
    f.metadata.history().runStarted(new GcRunRecord(id, "ops", "api", false, false, Duration.ZERO, GcRunRecord.Status.RUNNING,
        heartbeat, Optional.empty(), 0, Optional.empty(), Optional.empty(), Optional.of(owner), Optional.of(heartbeat)));
    return id;
  }

  /** Only runs whose process is gone are closed: another replica's run that still beats is left alone. */
  @Test
  void interruptedRunsAreThoseWhoseProcessIsGone() {
    RunOwner self = GcService.OWNER;
    long parent = ProcessHandle.current().parent().orElseThrow().pid();
    java.time.Instant now = f.clock.instant();
    java.time.Instant stale = now.minus(GcService.HEARTBEAT.multipliedBy(7));
    record Case(String owner, java.time.Instant heartbeat, boolean interrupted) {}
    List<Case> cases = List.of(
        new Case("other-host/7", now, false),
        new Case("other-host/8", stale, true),
        new Case(self.host() + "/" + parent, now, false),
        new Case(self.host() + "/" + deadPid(), now, true),
        new Case(self.toString(), now, true));
    int n = 0;
    for (Case c : cases) {
      String id = recordRunning("22222222-2222-2222-2222-22222222220" + n++, c.owner(), c.heartbeat());

      service.closeInterruptedRuns();

      GcRunRecord run = f.metadata.history().findRun(id).orElseThrow();
      assertThat(run.status()).as(c.toString())
          .isEqualTo(c.interrupted() ? GcRunRecord.Status.FAILED : GcRunRecord.Status.RUNNING);
      if (c.interrupted()) {
        assertThat(run.log()).hasValueSatisfying(log -> assertThat(log).contains("interrupted", c.owner()));
      } else {
        assertThatThrownBy(() -> service.start(new GcOptions(true, false, Duration.ZERO, Duration.ofDays(7)), "ops",
            "api")).as("one run at a time, whichever process runs it").isInstanceOf(GcAlreadyRunningException.class);
        f.metadata.history().runFinished(id, GcRunRecord.Status.SUCCEEDED, now, 0, "{}", "");
      }
    }
  }

  @Test
  void aRunLeftRunningByAGoneProcessDoesNotBlockTheNext() throws Exception {
    recordRunning("22222222-2222-2222-2222-222222222299", "other-host/9",
        f.clock.instant().minus(GcService.HEARTBEAT.multipliedBy(7)));

    String id = service.start(new GcOptions(true, false, Duration.ZERO, Duration.ofDays(7)), "ops", "api");

    assertThat(service.awaitEnd(id, Duration.ofMinutes(1)).orElseThrow().status()).isEqualTo(GcRunRecord.Status.SUCCEEDED);
    assertThat(f.metadata.history().findRun("22222222-2222-2222-2222-222222222299").orElseThrow().status())
        .isEqualTo(GcRunRecord.Status.FAILED);
  }

  private static long deadPid() {
    try {
      Process exited = new ProcessBuilder("true").start();
      exited.waitFor();
      return exited.pid();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aRunningCollectionRecordsItsHeartbeatAndOwner() throws Exception {
    GcService beating = new GcService(f.collector, f.metadata.history(), f.clock, Duration.ofMillis(20));
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    String id = beating.start(new GcOptions(true, false, Duration.ZERO, Duration.ofDays(7)), "ops", "api",
        new GcListener() {
          @Override
          public void phase(GcPhase phase) {
            held.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        });
    try {
      held.await();
      f.clock.advance(Duration.ofMinutes(5));
      java.time.Instant later = f.clock.instant();
      GcRunRecord run = f.metadata.history().findRun(id).orElseThrow();
      for (int i = 0; i < 500 && !run.heartbeatAt().orElseThrow().equals(later); i++) {
        Thread.sleep(10);
        run = f.metadata.history().findRun(id).orElseThrow();
      }
      assertThat(run.heartbeatAt()).contains(later);
      assertThat(run.owner()).contains(GcService.OWNER.toString());
      beating.closeInterruptedRuns();
      assertThat(f.metadata.history().findRun(id).orElseThrow().status()).as("its own live run").isEqualTo(GcRunRecord.Status.RUNNING);
    } finally {
      release.countDown();
    }
    assertThat(beating.awaitEnd(id, Duration.ofMinutes(1)).orElseThrow().status()).isEqualTo(GcRunRecord.Status.SUCCEEDED);
  }

  @Test
  void aFollowerOfAnotherProcesssRunWatchesHistory() throws Exception {
    String id = "11111111-1111-1111-1111-111111111111";
    f.metadata.history().runStarted(new GcRunRecord(id, "ops", "api", false, false, Duration.ZERO, GcRunRecord.Status.RUNNING,
        f.clock.instant(), Optional.empty(), 0, Optional.empty(), Optional.empty(), Optional.of("elsewhere/1"),
        Optional.of(f.clock.instant())));

    assertThat(service.awaitEnd(id, Duration.ofMillis(20)).orElseThrow().status()).isEqualTo(GcRunRecord.Status.RUNNING);
    Thread finisher = Thread.ofVirtual().start(() ->
        f.metadata.history().runFinished(id, GcRunRecord.Status.SUCCEEDED, f.clock.instant(), 0, "{}", ""));
    assertThat(service.awaitEnd(id, Duration.ofMinutes(1)).orElseThrow().status()).isEqualTo(GcRunRecord.Status.SUCCEEDED);
    finisher.join();
  }

  @Test
  void aRunHistoryRefusedToRecordBlocksNoLaterRun() throws Exception {
    AtomicBoolean refuse = new AtomicBoolean(true);
    HistoryStore flaky = (HistoryStore) Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {HistoryStore.class}, (proxy, method, args) -> {
          if (method.getName().equals("runStarted") && refuse.get()) {
            throw new MetadataException("the database is read-only", null);
          }
          try {
            return method.invoke(f.metadata.history(), args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    GcService refusing = new GcService(f.collector, flaky, f.clock);
    GcOptions options = new GcOptions(true, true, Duration.ofDays(1), Duration.ofDays(7));

    assertThatThrownBy(() -> refusing.runNow(options, "ops", "cli", GcListener.NONE))
        .isInstanceOf(MetadataException.class);
    refuse.set(false);
    assertThat(refusing.runNow(options, "ops", "cli", GcListener.NONE).dryRun()).isTrue();
  }

  private List<GcRunItem> allItems(String id) {
    List<GcRunItem> all = new ArrayList<>();
    List<GcRunItem> page;
    while (!(page = service.runItems(id, all.size(), 100)).isEmpty()) {
      all.addAll(page);
    }
    return all;
  }

  private GcRunRecord awaitFinished(String id) throws InterruptedException {
    GcRunRecord run = service.awaitEnd(id, Duration.ofMinutes(1)).orElseThrow();
    assertThat(run.status()).as("the run finished").isNotEqualTo(GcRunRecord.Status.RUNNING);
    return run;
  }

}
