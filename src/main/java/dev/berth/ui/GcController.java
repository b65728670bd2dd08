package dev.berth.ui;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.cleanup.GcAlreadyRunningException;
import dev.berth.cleanup.GcOptions;
import dev.berth.cleanup.GcReport;
import dev.berth.cleanup.GcReports;
import dev.berth.cleanup.GcSchedule;
import dev.berth.cleanup.GcService;
import dev.berth.cleanup.Inventory;
import dev.berth.config.Durations;
import dev.berth.metadata.GcRunRecord;
import dev.berth.metadata.GcScheduleRecord;
import dev.berth.ui.view.Format;
import dev.berth.ui.view.Frame;
import dev.berth.ui.view.GcView;
import dev.berth.ui.view.Paging;
import dev.berth.ui.view.RunView;
import java.io.IOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Garbage collection: start a dry or a real run, follow it, read the history with reports and logs,
 * and set the schedule.
 */
final class GcController {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int HISTORY = 50;
  /** What the editor offers while the schedule has no expression: every day at 03:00 UTC. */
  private static final String SUGGESTED_CRON = "0 3 * * *";
  /** Items (deleted manifests, blobs, ...) per page of a run. */
  static final int ITEMS_PAGE = 200;

  /** How many of the schedule's next times the page shows. */
  private static final int NEXT_TIMES = 3;

  private final GcService gc;
  private final GcOptions defaults;
  private final GcSchedule schedule;
  private final Inventory inventory;
  private final Pages pages;
  private final Clock clock;

  GcController(GcService gc, GcOptions defaults, GcSchedule schedule, Inventory inventory, Pages pages, Clock clock) {
    this.gc = gc;
    this.defaults = defaults;
    this.schedule = schedule;
    this.inventory = inventory;
    this.pages = pages;
    this.clock = clock;
  }

  void list(WebExchange ex, Session session) throws IOException {
    List<GcView.Run> runs = gc.recentRuns(HISTORY).stream().map(RunRows::of).toList();
    Frame frame = Pages.frame(session, "Garbage collection", "gc");
    pages.render(ex, 200, "gc", new GcView(frame, GcOptions.text(defaults.grace()), defaults.deleteUntagged(),
        scheduleView(frame), runs));
  }

  /** The stored schedule, or, after a refused change, what was typed. */
  private GcView.Schedule scheduleView(Frame frame) {
    GcScheduleRecord current = schedule.current();
    String setBy = current.updatedBy().equals(GcSchedule.CONFIGURATION)
        ? "the configuration (gc.schedule); nothing set here yet"
        : current.updatedBy() + " at " + Format.time(current.updatedAt());
    List<String> next = GcSchedule.nextTimes(current, clock.instant(), NEXT_TIMES).stream().map(Format::time).toList();
    if (!frame.kept("cron").isEmpty() || !frame.kept("scheduleGrace").isEmpty()) {
      return new GcView.Schedule(frame.kept("cron"), !frame.kept("enabled").isEmpty(),
          !frame.kept("scheduleUntagged").isEmpty(), frame.kept("scheduleGrace"), setBy, next);
    }
    return new GcView.Schedule(current.cron().isEmpty() ? SUGGESTED_CRON : current.cron(), current.enabled(),
        current.deleteUntagged(), GcOptions.text(current.grace()), setBy, next);
  }

  /** The form under "Schedule": stored, so every process's scheduler follows it from its next minute. */
  void schedule(WebExchange ex, Session session) throws IOException {
    String cron = ex.field("cron").orElse("");
    boolean enabled = ex.field("enabled").isPresent();
    boolean deleteUntagged = ex.field("scheduleUntagged").isPresent();
    String grace = ex.field("scheduleGrace").orElse("");
    try {
      GcScheduleRecord set = schedule.set(session.actor(ex.remoteAddress()), cron, enabled, deleteUntagged,
          Durations.parse(grace));
      pages.done(ex, session, Links.GC, "Schedule saved: " + GcSchedule.describe(set) + ".");
    } catch (IllegalArgumentException e) {
      Map<String, String> kept = new HashMap<>(Map.of("cron", cron, "scheduleGrace", grace));
      if (enabled) {
        kept.put("enabled", "on");
      }
      if (deleteUntagged) {
        kept.put("scheduleUntagged", "on");
      }
      pages.refuse(ex, session, Links.GC, "Schedule not saved: " + e.getMessage() + ".", kept);
    }
  }

  /** The form's two buttons say dry run or real run; the options are the admin API's. */
  void start(WebExchange ex, Session session) throws IOException {
    GcOptions options;
    try {
      options = new GcOptions("dry".equals(ex.field("mode").orElse("")), ex.field("deleteUntagged").isPresent(),
          Durations.parse(ex.field("grace").orElse(GcOptions.text(defaults.grace()))), defaults.uploadMaxAge());
    } catch (IllegalArgumentException e) {
      pages.refuse(ex, session, Links.GC, "Not started: " + e.getMessage() + ".");
      return;
    }
    try {
      String id = gc.start(options, session.actor(ex.remoteAddress()), "console", inventory.sampleWhenDone());
      ex.redirect(Links.run(id));
    } catch (GcAlreadyRunningException e) {
      pages.refuse(ex, session, Links.GC, "Not started: another collection is running; wait for it to finish.");
    }
  }

  void run(WebExchange ex, Session session) throws IOException {
    Frame frame = Pages.frame(session, "Collection run", "gc");
    Optional<GcRunRecord> record = ex.query("id").flatMap(gc::findRun);
    if (record.isEmpty()) {
      pages.notFound(ex, frame, "There is no such run.");
      return;
    }
    GcRunRecord run = record.get();
    String progress = gc.progress(run.id()).map(p -> describe(p.snapshot())).orElse("");
    List<String> log = run.log().filter(l -> !l.isEmpty()).map(l -> List.of(l.split("\n"))).orElse(List.of());
    int page = Paging.requested(ex.query("page"));
    // One row past the page tells whether another follows.
    List<String> items = gc.runItems(run.id(), (long) (page - 1) * ITEMS_PAGE, ITEMS_PAGE + 1).stream()
        .map(item -> GcReports.line(item, run.dryRun())).toList();
    Paging paging = Paging.of(page, items.size() > ITEMS_PAGE, Links.run(run.id()) + "&page=");
    pages.render(ex, 200, "run", new RunView(frame, RunRows.of(run), run.status() == GcRunRecord.Status.RUNNING,
        progress, summary(run), keptByGrace(run), log, items.subList(0, Math.min(items.size(), ITEMS_PAGE)),
        paging));
  }

  private static String describe(Map<String, Object> snapshot) {
    return "phase " + snapshot.get("phase") + ": " + snapshot.get("manifests") + " manifests, "
        + snapshot.get("blobs") + " blobs, " + snapshot.get("bytes") + " bytes so far";
  }

  /** What the grace period kept; empty when it kept nothing (or the run has no report). */
  private static String keptByGrace(GcRunRecord run) {
    return RunRows.keptByGrace(run).filter(GcReport.KeptByGrace::any)
        .map(kept -> kept.describe() + ": younger than that, a later run collects them if still unused.").orElse("");
  }

  /** The report's one-line summary, as the CLI prints it. */
  private static String summary(GcRunRecord run) {
    return run.report().map(report -> {
      try {
        return JSON.readTree(report).path("summary").asText("");
      } catch (IOException e) {
        return "";
      }
    }).orElse("");
  }
}
