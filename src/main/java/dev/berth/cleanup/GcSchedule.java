package dev.berth.cleanup;

import com.cronutils.model.time.ExecutionTime;
import dev.berth.metadata.AuditAction;
import dev.berth.metadata.AuditEntry;
import dev.berth.metadata.GcScheduleRecord;
import dev.berth.metadata.HistoryStore;
import dev.berth.metadata.JobClaims;
import dev.berth.policy.CronSchedule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts collections at the times of a UNIX cron expression ({@code 0 3 * * *}: every day at 03:00
 * UTC), each time in one process of the deployment. The schedule is the one stored in the metadata
 * database (set in the console or through the admin API), or the configuration's {@code gc.schedule}
 * while none is stored. It changes while processes run, so rather than a job per cron time there is
 * one job per minute (a cron's resolution) that reads the schedule and runs a collection when a
 * time falls within that minute: a change counts on every replica at the next minute.
 */
public final class GcSchedule {
  private static final Logger LOG = LoggerFactory.getLogger(GcSchedule.class);
  /** The job's name in the claims: one schedule per deployment. */
  static final String JOB = "gc";
  private static final Duration TICK = Duration.ofMinutes(1);
  /** Who the configuration's schedule reads as set by. */
  public static final String CONFIGURATION = "configuration";

  private final HistoryStore history;
  private final GcService service;
  private final GcOptions defaults;
  private final Optional<String> configuredCron;
  private final Clock clock;

  /**
   * @param defaults the configuration's options: the seed of the stored schedule's, and the upload
   *     age of every scheduled run
   */
  public GcSchedule(HistoryStore history, GcService service, GcOptions defaults, Optional<String> configuredCron,
      Clock clock) {
    this.history = history;
    this.service = service;
    this.defaults = defaults;
    this.configuredCron = configuredCron.filter(cron -> !cron.isBlank());
    this.clock = clock;
    this.configuredCron.ifPresent(GcSchedule::parse);
  }

  /** Validates the expression; throws IllegalArgumentException with the parser's reason. */
  public static ExecutionTime parse(String cron) {
    return new CronSchedule(cron).executionTime();
  }

  /** The schedule in force: the stored one, or the configuration's while none is stored. */
  public GcScheduleRecord current() {
    return history.gcSchedule().orElseGet(() -> new GcScheduleRecord(configuredCron.orElse(""),
        configuredCron.isPresent(), defaults.deleteUntagged(), defaults.grace(), CONFIGURATION, Instant.EPOCH));
  }

  /**
   * Stores a schedule and audits the change. An enabled schedule needs a valid cron expression; a
   * disabled one may keep none.
   *
   * @throws IllegalArgumentException for a bad expression or a negative grace period
   */
  public GcScheduleRecord set(String actor, String cron, boolean enabled, boolean deleteUntagged, Duration grace) {
    String expression = cron.strip();
    if (enabled || !expression.isEmpty()) {
      parse(expression);
    }
    if (grace.isNegative()) {
      throw new IllegalArgumentException("the grace period must not be negative");
    }
    GcScheduleRecord record = new GcScheduleRecord(expression, enabled, deleteUntagged, grace, actor,
        clock.instant());
    history.setGcSchedule(record);
    history.audit(AuditEntry.of(record.updatedAt(), actor, AuditAction.GC_SCHEDULE, "gc/schedule", Optional.empty(),
        describe(record)));
    return record;
  }

  /** The schedule in a line: "0 3 * * * (on), untagged images too, grace 24h". */
  public static String describe(GcScheduleRecord schedule) {
    return (schedule.cron().isEmpty() ? "no cron expression" : schedule.cron())
        + (schedule.enabled() ? " (on)" : " (off)") + ", untagged images "
        + (schedule.deleteUntagged() ? "too" : "kept") + ", grace " + GcOptions.text(schedule.grace());
  }

  /** The first {@code count} times after {@code from} at which the schedule starts a run; none while it is off. */
  public static List<Instant> nextTimes(GcScheduleRecord schedule, Instant from, int count) {
    List<Instant> times = new ArrayList<>();
    if (!schedule.enabled()) {
      return times;
    }
    ExecutionTime execution = parse(schedule.cron());
    Optional<ZonedDateTime> next = execution.nextExecution(from.atZone(ZoneOffset.UTC));
    while (next.isPresent() && times.size() < count) {
      times.add(next.get().toInstant());
      next = execution.nextExecution(next.get());
    }
    return times;
  }

  public ScheduledJob start(JobClaims claims) {
    return ScheduledJob.start(JOB, ScheduledJob.Occurrences.every(TICK), claims, clock,
        () -> runDue(clock.instant().truncatedTo(ChronoUnit.MINUTES)));
  }

  /**
   * Starts a collection if the schedule in force has a time in the minute ending at {@code tick}
   * (after {@code tick - 1 min}, up to {@code tick}); returns its id.
   */
  Optional<String> runDue(Instant tick) {
    GcScheduleRecord schedule = current();
    if (!schedule.enabled()) {
      return Optional.empty();
    }
    // In UTC, whatever each process's zone: every replica must compute the same instants.
    Optional<Instant> next = parse(schedule.cron()).nextExecution(tick.minus(TICK).atZone(ZoneOffset.UTC))
        .map(ZonedDateTime::toInstant);
    if (next.isEmpty() || next.get().isAfter(tick)) {
      return Optional.empty();
    }
    GcOptions options = new GcOptions(false, schedule.deleteUntagged(), schedule.grace(), defaults.uploadMaxAge());
    try {
      return Optional.of(service.start(options, "schedule", "schedule"));
    } catch (GcAlreadyRunningException e) {
      LOG.info("scheduled gc skipped: another run is in progress");
      return Optional.empty();
    }
  }
}
