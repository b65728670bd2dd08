package dev.berth.cleanup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BatchWriterTest {

  @Test
  void writesFullBatchesInOrderThenWhatIsLeftAtTheFinish() {
    List<List<Integer>> written = Collections.synchronizedList(new ArrayList<>());
    try (BatchWriter<Integer> writer = new BatchWriter<>(written::add, 3, 2, "test-write")) {
      for (int i = 1; i <= 7; i++) {
        writer.add(i);
      }
      writer.finish();
    }
    assertThat(written).containsExactly(List.of(1, 2, 3), List.of(4, 5, 6), List.of(7));
  }

  @Test
  void theFinishWritesAnEmptyBatchWhenNothingIsLeft() {
    List<List<Integer>> written = Collections.synchronizedList(new ArrayList<>());
    try (BatchWriter<Integer> writer = new BatchWriter<>(written::add, 2, 2, "test-write")) {
      writer.add(1);
      writer.add(2);
      writer.finish();
    }
    assertThat(written).containsExactly(List.of(1, 2), List.of());
  }

  @Test
  void theCallerWaitsWhenDepthBatchesAreQueued() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger started = new AtomicInteger();
    try (BatchWriter<Integer> writer = new BatchWriter<>(batch -> {
      started.incrementAndGet();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, 1, 2, "test-write")) {
      writer.add(1);
      writer.add(2);
      Thread third = Thread.ofPlatform().start(() -> writer.add(3));
      third.join(300);
      assertThat(third.isAlive()).as("the third batch waits for the first write").isTrue();
      release.countDown();
      third.join(30_000);
      assertThat(third.isAlive()).isFalse();
      writer.finish();
    }
    assertThat(started).hasValue(4);
  }

  @Test
  void aFailedWriteIsThrownToTheCallerOnceWaitedFor() {
    try (BatchWriter<Integer> writer = new BatchWriter<>(batch -> {
      if (batch.contains(2)) {
        throw new IllegalStateException("database gone");
      }
    }, 1, 4, "test-write")) {
      writer.add(1);
      writer.add(2);
      assertThatThrownBy(writer::finish).isInstanceOf(IllegalStateException.class).hasMessage("database gone");
    }
  }
}
