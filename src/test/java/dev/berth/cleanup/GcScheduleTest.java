package dev.berth.cleanup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.metadata.GcRunRecord;
import dev.berth.metadata.GcScheduleRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GcScheduleTest {
  private static final Instant THREE = Instant.parse("2026-01-02T03:00:00Z");
  private static final GcOptions DEFAULTS = new GcOptions(false, false, Duration.ofHours(24), Duration.ofDays(7));

  @TempDir
  Path dir;

  @Test
  void startsARunAtTheNextCronTimeAndRecordsItAsScheduled() throws Exception {
    try (RegistryFixture f = new RegistryFixture(dir)) {
      // A tenth of a second before a minute turns: "* * * * *" is due almost at once.
      f.clock.advance(Duration.ofSeconds(59).plusMillis(900));
      GcService service = new GcService(f.collector, f.metadata.history(), f.clock);
      GcOptions options = new GcOptions(false, true, Duration.ofHours(24), Duration.ofDays(7));
      GcSchedule schedule = new GcSchedule(f.metadata.history(), service, options, Optional.of("* * * * *"), f.clock);

      try (ScheduledJob job = schedule.start(f.metadata.jobClaims())) {
        List<GcRunRecord> runs = List.of();
        Instant deadline = Instant.now().plusSeconds(20);
        while (runs.isEmpty() && Instant.now().isBefore(deadline)) {
          Thread.sleep(20);
          runs = service.recentRuns(10);
        }
        assertThat(runs).isNotEmpty();
        assertThat(runs.getFirst().trigger()).isEqualTo("schedule");
        assertThat(runs.getFirst().deleteUntagged()).isTrue();
      }
    }
  }

  @Test
  void theConfigurationSeedsTheScheduleUntilOneIsStored() throws Exception {
    try (RegistryFixture f = new RegistryFixture(dir)) {
      GcService service = new GcService(f.collector, f.metadata.history(), f.clock);
      GcSchedule schedule = new GcSchedule(f.metadata.history(), service, DEFAULTS, Optional.of("0 3 * * *"), f.clock);

      assertThat(schedule.current()).isEqualTo(new GcScheduleRecord("0 3 * * *", true, false, Duration.ofHours(24),
          GcSchedule.CONFIGURATION, Instant.EPOCH));
      assertThat(new GcSchedule(f.metadata.history(), service, DEFAULTS, Optional.empty(), f.clock).current().enabled())
          .as("no gc.schedule: off").isFalse();

      schedule.set("alice", "30 1 * * 0", true, true, Duration.ofHours(2));
      assertThat(schedule.current()).isEqualTo(new GcScheduleRecord("30 1 * * 0", true, true, Duration.ofHours(2),
          "alice", f.clock.instant()));
    }
  }

  /** Two processes on one database: what one stores, the other's next tick follows, no restart. */
  @Test
  void aStoredChangeTakesEffectInEveryProcessAtItsNextTick() throws Exception {
    try (RegistryFixture f = new RegistryFixture(dir)) {
      GcService service = new GcService(f.collector, f.metadata.history(), f.clock);
      GcSchedule console = new GcSchedule(f.metadata.history(), service, DEFAULTS, Optional.of("0 3 * * *"), f.clock);
      GcSchedule worker = new GcSchedule(f.metadata.history(), service, DEFAULTS, Optional.of("0 3 * * *"), f.clock);

      console.set("alice", "0 3 * * *", false, false, Duration.ofHours(24));
      assertThat(worker.runDue(THREE)).as("switched off").isEmpty();
      assertThat(worker.runDue(THREE.plusSeconds(3600))).as("not a cron time").isEmpty();

      console.set("alice", "0 4 * * *", true, true, Duration.ofHours(1));
      String id = worker.runDue(THREE.plusSeconds(3600)).orElseThrow();
      GcRunRecord run = service.awaitEnd(id, Duration.ofSeconds(30)).orElseThrow();
      assertThat(run.trigger()).isEqualTo("schedule");
      assertThat(run.dryRun()).isFalse();
      assertThat(run.deleteUntagged()).isTrue();
      assertThat(run.grace()).isEqualTo(Duration.ofHours(1));
    }
  }

  @Test
  void settingTheScheduleIsAuditedAndRefusesABadExpressionUnlessSwitchedOffWithoutOne() throws Exception {
    try (RegistryFixture f = new RegistryFixture(dir)) {
      GcService service = new GcService(f.collector, f.metadata.history(), f.clock);
      GcSchedule schedule = new GcSchedule(f.metadata.history(), service, DEFAULTS, Optional.empty(), f.clock);

      assertThatThrownBy(() -> schedule.set("alice", "every night", true, false, Duration.ofHours(24)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> schedule.set("alice", "", true, false, Duration.ofHours(24)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(f.metadata.history().gcSchedule()).as("a refusal stores nothing").isEmpty();

      schedule.set("alice", "", false, false, Duration.ofHours(24));
      assertThat(f.metadata.history().recentAudit(10)).singleElement().satisfies(e -> {
        assertThat(e.action()).isEqualTo("gc.schedule");
        assertThat(e.actor()).isEqualTo("alice");
        assertThat(e.detail()).isEqualTo("no cron expression (off), untagged images kept, grace 24h");
      });
    }
  }

  @Test
  void nextTimesAreTheCronTimesInUtcAndNoneWhileOff() {
    GcScheduleRecord daily = new GcScheduleRecord("0 3 * * *", true, false, Duration.ofHours(24), "alice", THREE);
    assertThat(GcSchedule.nextTimes(daily, THREE, 2)).containsExactly(THREE.plus(Duration.ofDays(1)),
        THREE.plus(Duration.ofDays(2)));
    GcScheduleRecord off = new GcScheduleRecord("0 3 * * *", false, false, Duration.ofHours(24), "alice", THREE);
    assertThat(GcSchedule.nextTimes(off, THREE, 2)).isEmpty();
  }

  @Test
  void rejectsMalformedExpressions() {
    assertThatThrownBy(() -> GcSchedule.parse("every night")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GcSchedule.parse("61 * * * *")).isInstanceOf(IllegalArgumentException.class);
  }
}
