package dev.berth.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class BackgroundThreadsTest {
  @Test
  void theirThreadsRunUnderSchedIdleAtTheLowestJavaPriority() throws Exception {
    CompletableFuture<Integer> policy = new CompletableFuture<>();
    Thread thread = BackgroundThreads.factory(Thread.ofPlatform().name("berth-gc-test"))
        .newThread(() -> policy.complete(GcServiceTest.schedulingPolicyOfThisThread()));
    thread.start();
    thread.join();

    assertThat(policy.get()).as("SCHED_IDLE").isEqualTo(5);
    assertThat(thread.getPriority()).isEqualTo(Thread.MIN_PRIORITY);
    assertThat(thread.isDaemon()).isTrue();
  }

  @Test
  void theCallingThreadKeepsItsPolicy() {
    assertThat(GcServiceTest.schedulingPolicyOfThisThread()).as("SCHED_OTHER").isZero();
  }
}
