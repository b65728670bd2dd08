package dev.berth.cleanup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.metadata.GcRunRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GcScheduleTest {
  @TempDir
  Path dir;

  @Test
  void startsARunAtTheNextCronTimeAndRecordsItAsScheduled() throws Exception {
    try (RegistryFixture f = new RegistryFixture(dir)) {
      // A tenth of a second before a minute turns: "* * * * *" is due almost at once.
      f.clock.advance(Duration.ofSeconds(59).plusMillis(900));
      GcService service = new GcService(f.collector, f.metadata.history(), f.clock);
      GcOptions options = new GcOptions(false, true, Duration.ofHours(24), Duration.ofDays(7));

      try (ScheduledJob schedule = GcSchedule.start("* * * * *", service, options, f.metadata.jobClaims(), f.clock)) {
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
  void rejectsMalformedExpressions() {
    assertThatThrownBy(() -> GcSchedule.parse("every night")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GcSchedule.parse("61 * * * *")).isInstanceOf(IllegalArgumentException.class);
  }
}
