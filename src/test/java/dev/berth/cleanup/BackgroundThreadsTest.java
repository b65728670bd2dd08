package dev.berth.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class BackgroundThreadsTest {
  @Test
  void theirThreadsRunUnderSchedIdleAtTheLowestJavaPriority() throws Exception {
    CompletableFuture<Integer> policy = new CompletableFuture<>();
    Thread thread = BackgroundThreads.factory(Thread.ofPlatform().name("berth-gc-test"))
        .newThread(() -> policy.complete(schedulingPolicyOfThisThread()));
    thread.start();
    thread.join();

    assertThat(policy.get()).as("SCHED_IDLE").isEqualTo(5);
    assertThat(thread.getPriority()).isEqualTo(Thread.MIN_PRIORITY);
    assertThat(thread.isDaemon()).isTrue();
  }

  @Test
  void theCallingThreadKeepsItsPolicy() {
    assertThat(schedulingPolicyOfThisThread()).as("SCHED_OTHER").isZero();
  }

  /** Field 41 of /proc/thread-self/stat, counted after the command name (which may hold spaces). */
  static int schedulingPolicyOfThisThread() {
    try {
      String stat = Files.readString(Path.of("/proc/thread-self/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Integer.parseInt(fields[41 - 3]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
