package dev.berth.cleanup;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.metadata.AuditAction;
import dev.berth.metadata.AuditEntry;
import dev.berth.metadata.GcRunItem;
import dev.berth.metadata.GcRunRecord;
import dev.berth.metadata.HistoryStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs collections for the server: one at a time, recorded in history with who asked, followed
 * live while they run, audited when they delete.
 */
public final class GcService {
  private static final Logger LOG = LoggerFactory.getLogger(GcService.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final GarbageCollector collector;
  private final HistoryStore history;
  private final Clock clock;
  private final Map<String, Progress> live = new ConcurrentHashMap<>();
  /** Released once history records the run's end, which is later than it leaves {@link #live}. */
  private final Map<String, CountDownLatch> recording = new ConcurrentHashMap<>();
  /** How often a wait for another process's run looks at history: that process signals nothing here. */
  private static final Duration OTHER_PROCESS_POLL = Duration.ofMillis(250);
  /**
   * How often a running collection records that its process is still alive. The system property
   * {@code berth.gc.heartbeat} (milliseconds) shortens it where a killed run must be recognised in
   * seconds rather than a minute: the cluster tests, which kill replicas on purpose.
   */
  static final Duration HEARTBEAT = Duration.ofMillis(Long.getLong("berth.gc.heartbeat", 10_000));
  /** A run whose heartbeat is this many beats old has lost its process. */
  private static final int BEATS_BEFORE_STALE = 6;
  /** This process, as history records the owner of its runs. */
  static final RunOwner OWNER = RunOwner.current();

  private final Duration heartbeat;

  public GcService(GarbageCollector collector, HistoryStore history, Clock clock) {
    this(collector, history, clock, HEARTBEAT);
  }

  GcService(GarbageCollector collector, HistoryStore history, Clock clock, Duration heartbeat) {
    this.collector = collector;
    this.history = history;
    this.clock = clock;
    this.heartbeat = heartbeat;
  }

  /**
   * A run as it goes: its phase, counters and log (phases and warnings) so far. What it removes goes
   * to the history in batches of {@link #ITEMS_PER_WRITE}, and at every phase change, so a reader
   * following the run sees each phase's items once the next begins.
   */
  public static final class Progress implements GcListener {
    static final int ITEMS_PER_WRITE = 1000;
    /** The log keeps the first warnings only; the report counts them all. */
    private static final int LOG_WARNINGS = 1000;

    private final String id;
    private final HistoryStore history;
    private final AtomicReference<GcPhase> phase = new AtomicReference<>(GcPhase.MARK_MANIFESTS);
    private final AtomicLong manifests = new AtomicLong();
    private final AtomicLong blobs = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final List<GcRunItem> unwritten = new ArrayList<>();
    private final GcListener next;
    private long seq;
    private int warnings;
    /** A lock rather than a monitor: followers wait on virtual threads, which a monitor pins on JDK 21. */
    private final ReentrantLock writes = new ReentrantLock();
    private final Condition wrote = writes.newCondition();
    private long written;
    private boolean ended;

    Progress(String id, HistoryStore history, GcListener next) {
      this.id = id;
      this.history = history;
      this.next = next;
    }

    @Override
    public void phase(GcPhase phase) {
      writeItems();
      this.phase.set(phase);
      log.add("phase " + phase.name().toLowerCase(java.util.Locale.ROOT));
      next.phase(phase);
    }

    @Override
    public void removed(GcItem item) {
      switch (item) {
        case GcItem.DeletedManifest m -> manifests.incrementAndGet();
        case GcItem.DeletedBlob b -> blobs.incrementAndGet();
        case GcItem.DeletedOrphan o -> blobs.incrementAndGet();
        default -> { }
      }
      bytes.addAndGet(item.size());
      unwritten.add(item.toRecord(++seq));
      if (unwritten.size() >= ITEMS_PER_WRITE) {
        writeItems();
      }
      next.removed(item);
    }

    @Override
    public void blobMarkedDeleting(dev.berth.oci.Digest digest) {
      next.blobMarkedDeleting(digest);
    }

    @Override
    public void warning(String message) {
      if (warnings++ < LOG_WARNINGS) {
        log.add("warning " + message);
      }
      next.warning(message);
    }

    /** Called from the run's own thread only, as every listener call is. */
    void writeItems() {
      history.appendRunItems(id, unwritten);
      unwritten.clear();
      signal(() -> written = seq);
    }

    /** History records the run's end: followers stop waiting for more items. */
    void ended() {
      signal(() -> ended = true);
    }

    private void signal(Runnable change) {
      writes.lock();
      try {
        change.run();
        wrote.signalAll();
      } finally {
        writes.unlock();
      }
    }

    /** Waits until history holds items after {@code afterSeq}, or the run has ended, or the timeout passes. */
    void awaitItemsAfter(long afterSeq, Duration timeout) throws InterruptedException {
      long left = timeout.toNanos();
      writes.lock();
      try {
        while (written <= afterSeq && !ended && left > 0) {
          left = wrote.awaitNanos(left);
        }
      } finally {
        writes.unlock();
      }
    }

    public Map<String, Object> snapshot() {
      return Map.of("phase", phase.get().name().toLowerCase(java.util.Locale.ROOT),
          "manifests", manifests.get(), "blobs", blobs.get(), "bytes", bytes.get());
    }

    String logText() {
      synchronized (log) {
        return String.join("\n", log);
      }
    }
  }

  /** Starts a run in the background; its id is returned at once. */
  public String start(GcOptions options, String requestedBy, String trigger) {
    return start(options, requestedBy, trigger, GcListener.NONE);
  }

  public String start(GcOptions options, String requestedBy, String trigger, GcListener listener) {
    if (collector.isRunning() || !live.isEmpty()) {
      throw new GcAlreadyRunningException();
    }
    String id = begin(options, requestedBy, trigger, listener);
    BackgroundThreads.factory(Thread.ofPlatform().name("berth-gc-" + id))
        .newThread(() -> execute(id, options, requestedBy))
        .start();
    return id;
  }

  /** Runs in the caller's thread, for the standalone CLI. */
  public GcReport runNow(GcOptions options, String requestedBy, String trigger, GcListener listener) {
    String id = begin(options, requestedBy, trigger, listener);
    return execute(id, options, requestedBy);
  }

  private synchronized String begin(GcOptions options, String requestedBy, String trigger, GcListener listener) {
    if (!live.isEmpty()) {
      throw new GcAlreadyRunningException();
    }
    String id = UUID.randomUUID().toString();
    // Recorded first: a run history refused never started, and must not block every later one.
    GcRunRecord run = new GcRunRecord(id, requestedBy, trigger, options.dryRun(), options.deleteUntagged(),
        options.grace(), GcRunRecord.Status.RUNNING, clock.instant(), Optional.empty(), 0, Optional.empty(),
        Optional.empty(), Optional.of(OWNER.toString()), Optional.empty());
    if (!history.runStarted(run)) {
      // Another process's run, or one a crash left recorded as running: close it if it is gone.
      closeInterruptedRuns();
      if (!history.runStarted(run)) {
        throw new GcAlreadyRunningException();
      }
    }
    if (!options.dryRun()) {
      history.audit(AuditEntry.of(clock.instant(), requestedBy, AuditAction.GC_START, "gc/" + id, Optional.empty(),
          "trigger " + trigger + ", untagged images " + (options.deleteUntagged() ? "too" : "kept") + ", grace "
              + GcOptions.text(options.grace())));
    }
    live.put(id, new Progress(id, history, listener));
    recording.put(id, new CountDownLatch(1));
    return id;
  }

  private GcReport execute(String id, GcOptions options, String requestedBy) {
    Progress progress = live.get(id);
    // A virtual thread at normal priority: the collector's own threads run at SCHED_IDLE, and a
    // machine busy with requests must not make a live run look dead.
    Thread beating = Thread.ofVirtual().name("berth-gc-heartbeat-" + id).start(() -> beat(id));
    try {
      return collectAndRecord(id, progress, options, requestedBy);
    } finally {
      beating.interrupt();
      recording.remove(id).countDown();
      progress.ended();
    }
  }

  private void beat(String id) {
    while (true) {
      try {
        Thread.sleep(heartbeat);
        history.runHeartbeat(id, clock.instant());
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // One missed beat is no harm; the run goes on, and so do the beats.
        LOG.warn("gc {}: recording its heartbeat failed: {}", id, e.toString());
      }
    }
  }

  private GcReport collectAndRecord(String id, Progress progress, GcOptions options, String requestedBy) {
    try {
      GcReport report;
      try {
        report = collector.run(options, progress);
        progress.writeItems();
      } finally {
        // The collection is over: from now on a new run may start, even before history says so.
        live.remove(id);
      }
      history.runFinished(id, GcRunRecord.Status.SUCCEEDED, clock.instant(), report.bytesFreed(),
          JSON.writeValueAsString(GcReports.toMap(report)), progress.logText());
      if (!options.dryRun()) {
        history.audit(AuditEntry.of(clock.instant(), requestedBy, AuditAction.GC_RUN, "gc/" + id, Optional.empty(),
            report.summary()));
      }
      LOG.info("gc {} {}", id, report.summary());
      return report;
    } catch (Exception | Error e) {
      LOG.error("gc {} failed", id, e);
      progress.warning("failed: " + e);
      try {
        // What the run removed before it failed is gone all the same; history must say so.
        progress.writeItems();
      } catch (RuntimeException writeFailure) {
        e.addSuppressed(writeFailure);
      }
      history.runFinished(id, GcRunRecord.Status.FAILED, clock.instant(), 0, null, progress.logText());
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("garbage collection failed", e);
    }
  }

  /**
   * Runs recorded as running whose process is gone were cut short by a crash or kill; nothing will
   * finish them, so history says so. A run's process is gone when its heartbeat is stale, or, for
   * a run owned on this host, when no process of its id is alive (or it is this process, which
   * does not run it): a replica elsewhere that still runs one keeps beating and is left alone.
   */
  public void closeInterruptedRuns() {
    Instant now = clock.instant();
    Instant staleBefore = now.minus(heartbeat.multipliedBy(BEATS_BEFORE_STALE));
    int closed = 0;
    for (GcRunRecord run : history.runningRuns()) {
      if (live.containsKey(run.id())) {
        continue;
      }
      Optional<RunOwner> owner = run.owner().flatMap(RunOwner::parse);
      boolean ownerGone = owner.isEmpty() || owner.get().isGoneOnThisHost(OWNER)
          || run.heartbeatAt().orElse(run.startedAt()).isBefore(staleBefore);
      if (ownerGone) {
        closed += history.failRun(run.id(), now, "interrupted: its process ("
            + run.owner().orElse("unrecorded") + ") stopped before the run finished");
      }
    }
    if (closed > 0) {
      LOG.warn("{} garbage collection run(s) were interrupted by a stop and are recorded as failed", closed);
    }
  }

  /**
   * Waits until history no longer records the run as running, or {@code timeout} passes, and
   * answers its record then: a follower learns of the end at once instead of polling for it.
   */
  public Optional<GcRunRecord> awaitEnd(String id, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    CountDownLatch local = recording.get(id);
    if (local != null) {
      local.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return history.findRun(id);
    }
    while (true) {
      Optional<GcRunRecord> run = history.findRun(id);
      long left = deadline - System.nanoTime();
      if (run.isEmpty() || run.get().status() != GcRunRecord.Status.RUNNING || left <= 0) {
        return run;
      }
      Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, OTHER_PROCESS_POLL.toMillis()));
    }
  }

  /**
   * Waits until the run has items after {@code afterSeq} in history, or has ended, or {@code timeout}
   * passes: a follower prints what a run removes while it runs, without polling. For another
   * process's run, which signals nothing here, it waits for the end. Answers the run's record as
   * it stands after the wait.
   */
  public Optional<GcRunRecord> awaitItems(String id, long afterSeq, Duration timeout) throws InterruptedException {
    Progress progress = live.get(id);
    if (progress == null) {
      return awaitEnd(id, timeout);
    }
    progress.awaitItemsAfter(afterSeq, timeout);
    return history.findRun(id);
  }

  public Optional<Progress> progress(String id) {
    return Optional.ofNullable(live.get(id));
  }

  public List<GcRunRecord> recentRuns(int limit) {
    return history.recentRuns(limit);
  }

  public Optional<GcRunRecord> findRun(String id) {
    return history.findRun(id);
  }

  public List<GcRunItem> runItems(String id, long afterSeq, int limit) {
    return history.runItems(id, afterSeq, limit);
  }
}
