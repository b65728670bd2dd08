package dev.berth.cleanup;

import dev.berth.metadata.AuditAction;
import dev.berth.metadata.AuditEntry;
import dev.berth.metadata.MetadataStore;
import dev.berth.metadata.RetentionStore;
import dev.berth.metadata.RetentionStore.RunItem;
import dev.berth.metadata.RetentionStore.RunRecord;
import dev.berth.metadata.RetentionStore.Status;
import dev.berth.metadata.RetentionStore.Totals;
import dev.berth.oci.RepositoryName;
import dev.berth.policy.NamespacePolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention runs as the server, the CLI and the schedule start them: each namespace's policy applied
 * in turn ({@link RetentionRun}), recorded in history with who asked and every decision, followed
 * while it goes.
 */
public final class RetentionRuns {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionRuns.class);
  static final int ITEMS_PER_WRITE = 1000;
  /** Batches of items made and not yet written; the run waits when this many are. */
  private static final int WRITES_QUEUED = 4;
  /**
   * A run beats at every write of its items; one whose heartbeat is this old, and that this process
   * is not running, lost its process.
   */
  private static final Duration STALE = Duration.ofMinutes(5);
  private static final Duration OTHER_PROCESS_POLL = Duration.ofMillis(250);
  /** How far back a namespace's runs are looked for among every namespace's. */
  private static final int RECENT_SCANNED = 1000;

  private final MetadataStore metadata;
  private final Policies policies;
  private final Clock clock;
  private final Runnable beforeReading;
  private final Map<String, CountDownLatch> running = new ConcurrentHashMap<>();

  /**
   * @param beforeReading what makes every pull recorded so far visible to the run's read (the
   *     server's pull recorder's flush), so a pull counts at once
   */
  public RetentionRuns(MetadataStore metadata, Policies policies, Clock clock, Runnable beforeReading) {
    this.metadata = metadata;
    this.policies = policies;
    this.clock = clock;
    this.beforeReading = beforeReading;
  }

  /**
   * @param namespace one namespace's policy; empty: every namespace's that has retention rules
   * @param trigger {@code api}, {@code cli}, {@code console} or {@code schedule}
   */
  public record Request(Optional<String> namespace, boolean dryRun, String requestedBy, String trigger) {
    public Request {
      namespace.ifPresent(RetentionRuns::requireNamespace);
    }
  }

  /** A namespace is a repository name's first component: a valid name without a slash. */
  private static void requireNamespace(String namespace) {
    if (!RepositoryName.of(namespace).namespace().equals(namespace)) {
      throw new dev.berth.oci.InvalidNameException("invalid namespace: " + namespace);
    }
  }

  /**
   * Starts a recorded run in the background and returns its id at once.
   *
   * @throws NoPolicyException when the request names a namespace without a policy
   */
  public String start(Request request) {
    List<Policies.Current> targets = targets(request);
    String id = begin(request);
    Thread.ofVirtual().name("berth-retention-" + id).start(() -> execute(id, request, targets, item -> { }));
    return id;
  }

  /** A recorded run in the caller's thread, {@code items} seeing each decision as it is made. */
  public RunRecord runNow(Request request, Consumer<RunItem> items) {
    List<Policies.Current> targets = targets(request);
    String id = begin(request);
    execute(id, request, targets, items);
    return findRun(id).orElseThrow();
  }

  /**
   * A dry run that records nothing at all, not even itself: what {@code berth retention run
   * --dry-run} does on a data directory no server holds.
   */
  public Totals dryRunUnrecorded(Optional<String> namespace, Consumer<RunItem> items) {
    Totals totals = Totals.NONE;
    long[] seq = {0};
    for (Policies.Current target : targets(new Request(namespace, true, "", "cli"))) {
      totals = sum(totals, preview(target.stored().namespace(), target.policy(), seq[0], item -> {
        seq[0] = item.seq();
        items.accept(item);
      }));
    }
    return totals;
  }

  /**
   * What {@code policy} would do to the namespace, whether or not it is the namespace's: the
   * console's preview of a document before it is saved. Records nothing.
   */
  public Totals preview(String namespace, NamespacePolicy policy, Consumer<RunItem> items) {
    requireNamespace(namespace);
    return preview(namespace, policy, 0, items);
  }

  private Totals preview(String namespace, NamespacePolicy policy, long seq, Consumer<RunItem> items) {
    return new RetentionRun(metadata, clock).apply(namespace, policy, true, "preview", seq, items);
  }

  /** The namespace's runs among the most recent ones, newest first. */
  public List<RunRecord> recentRuns(String namespace, int limit) {
    return recentRuns(RECENT_SCANNED).stream().filter(r -> r.namespace().equals(Optional.of(namespace)))
        .limit(limit).toList();
  }

  private List<Policies.Current> targets(Request request) {
    if (request.namespace().isPresent()) {
      String namespace = request.namespace().get();
      return List.of(policies.find(namespace).orElseThrow(() -> new NoPolicyException(namespace)));
    }
    return policies.all().stream().filter(p -> !p.policy().retention().rules().isEmpty()).toList();
  }

  private String begin(Request request) {
    String id = UUID.randomUUID().toString();
    Instant now = clock.instant();
    metadata.retention().startRun(new RunRecord(id, request.namespace(), request.requestedBy(), request.trigger(),
        request.dryRun(), Status.RUNNING, GcService.OWNER.toString(), now, now, Optional.empty(), Totals.NONE,
        Optional.empty()));
    if (!request.dryRun()) {
      // Whatever started it (the API, the console, the CLI, the schedule), as a GC run's start is.
      metadata.history().audit(AuditEntry.of(now, request.requestedBy(), AuditAction.RETENTION_START,
          "retention/" + id, request.namespace(), "trigger " + request.trigger() + ", "
              + request.namespace().map(n -> "the policy of " + n).orElse("every namespace's policy")));
    }
    running.put(id, new CountDownLatch(1));
    return id;
  }

  private void execute(String id, Request request, List<Policies.Current> targets, Consumer<RunItem> listener) {
    RetentionStore history = metadata.retention();
    long[] seq = {0};
    Totals totals = Totals.NONE;
    // Each write of items beats the run's heartbeat, the last one too.
    try (BatchWriter<RunItem> items = new BatchWriter<>(batch -> history.recordItems(id, batch, clock.instant()),
        ITEMS_PER_WRITE, WRITES_QUEUED, "berth-retention-write")) {
      try {
        beforeReading.run();
        for (Policies.Current target : targets) {
          totals = sum(totals, new RetentionRun(metadata, clock).apply(target.stored().namespace(), target.policy(),
              request.dryRun(), id, seq[0], item -> {
                seq[0] = item.seq();
                items.add(item);
                listener.accept(item);
              }));
        }
        items.finish();
        history.finishRun(id, Status.SUCCEEDED, clock.instant(), totals, Optional.empty());
      } catch (RuntimeException e) {
        LOG.error("retention run {} failed", id, e);
        try {
          items.finish();
        } catch (RuntimeException unwritten) {
          e.addSuppressed(unwritten);
        }
        history.finishRun(id, Status.FAILED, clock.instant(), totals, Optional.of(String.valueOf(e.getMessage())));
      }
    } finally {
      running.remove(id).countDown();
    }
  }

  private static Totals sum(Totals a, Totals b) {
    return new Totals(a.images() + b.images(), a.kept() + b.kept(), a.deleted() + b.deleted(),
        a.skipped() + b.skipped(), a.bytesFreed() + b.bytesFreed());
  }

  /** The run as recorded; one whose process died while it ran is closed as failed when found. */
  public Optional<RunRecord> findRun(String id) {
    return metadata.retention().findRun(id).map(this::closedIfInterrupted);
  }

  public List<RunRecord> recentRuns(int limit) {
    return metadata.retention().recentRuns(limit).stream().map(this::closedIfInterrupted).toList();
  }

  public List<RunItem> runItems(String id, long after, int limit) {
    return metadata.retention().runItems(id, after, limit);
  }

  /** The run once it has ended, or as it is when {@code timeout} runs out; empty when there is no such run. */
  public Optional<RunRecord> awaitEnd(String id, Duration timeout) throws InterruptedException {
    CountDownLatch here = running.get(id);
    if (here != null) {
      here.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return findRun(id);
    }
    Instant deadline = clock.instant().plus(timeout);
    Optional<RunRecord> run = findRun(id);
    while (run.filter(r -> r.status() == Status.RUNNING).isPresent() && clock.instant().isBefore(deadline)) {
      Thread.sleep(OTHER_PROCESS_POLL.toMillis());
      run = findRun(id);
    }
    return run;
  }

  private RunRecord closedIfInterrupted(RunRecord run) {
    if (run.status() != Status.RUNNING || running.containsKey(run.id())
        || run.heartbeatAt().plus(STALE).isAfter(clock.instant())) {
      return run;
    }
    String reason = "interrupted: its process (" + run.owner() + ") stopped while it ran";
    metadata.retention().finishRun(run.id(), Status.FAILED, run.heartbeatAt(), run.totals(), Optional.of(reason));
    return metadata.retention().findRun(run.id()).orElseThrow();
  }
}
