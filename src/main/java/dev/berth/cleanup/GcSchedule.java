package dev.berth.cleanup;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts collections at the times of a UNIX cron expression ({@code 0 3 * * *}: every day at 03:00). */
public final class GcSchedule implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GcSchedule.class);
  private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private final ExecutionTime times;
  private final Thread thread;

  private GcSchedule(ExecutionTime times, GcService service, GcOptions options, Clock clock) {
    this.times = times;
    this.thread = Thread.ofVirtual().name("berth-gc-schedule").start(() -> loop(service, options, clock));
  }

  /** Validates the expression; throws IllegalArgumentException with the parser's reason. */
  public static ExecutionTime parse(String cron) {
    return ExecutionTime.forCron(PARSER.parse(cron));
  }

  public static GcSchedule start(String cron, GcService service, GcOptions options, Clock clock) {
    return new GcSchedule(parse(cron), service, options, clock);
  }

  private void loop(GcService service, GcOptions options, Clock clock) {
    while (!Thread.currentThread().isInterrupted()) {
      Optional<Duration> wait = times.timeToNextExecution(ZonedDateTime.now(clock));
      if (wait.isEmpty()) {
        return;
      }
      try {
        Thread.sleep(wait.get().plusMillis(1));
      } catch (InterruptedException e) {
        return;
      }
      try {
        service.start(options, "schedule", "schedule");
      } catch (GcAlreadyRunningException e) {
        LOG.info("scheduled gc skipped: another run is in progress");
      } catch (RuntimeException e) {
        LOG.error("scheduled gc could not start", e);
      }
    }
  }

  @Override
  public void close() {
    thread.interrupt();
  }
}
