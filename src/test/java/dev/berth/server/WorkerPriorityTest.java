package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker writes the lowest nice to its own autogroup, and leaves one it shares alone. */
class WorkerPriorityTest {
  @TempDir Path dir;

  @Test
  void writesTheLowestNiceToTheAutogroup() throws Exception {
    Path autogroup = Files.writeString(dir.resolve("autogroup"), "/autogroup-42 nice 0\n");
    assertThat(WorkerPriority.lower(autogroup)).isEqualTo("autogroup 19");
    assertThat(Files.readString(autogroup)).isEqualTo("19");
  }

  @Test
  void leavesTheAutogroupOfTheSessionThatStartedItAlone() throws Exception {
    // The test JVM was started by Maven in Maven's session: its autogroup is not its own.
    String before = Files.exists(WorkerPriority.AUTOGROUP) ? Files.readString(WorkerPriority.AUTOGROUP) : "";
    assertThat(WorkerPriority.lower()).containsAnyOf("left alone", "no autogroups");
    if (Files.exists(WorkerPriority.AUTOGROUP)) {
      assertThat(Files.readString(WorkerPriority.AUTOGROUP)).isEqualTo(before);
    }
  }
}
