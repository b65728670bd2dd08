package dev.berth.cleanup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReadAheadTest {

  @Test
  void givesEveryReadInTheListsOrderThenNoMore() {
    List<Integer> keys = List.of(1, 2, 3, 4, 5, 6, 7);
    List<Integer> got = new ArrayList<>();
    try (ReadAhead<Integer, Integer> ahead = new ReadAhead<>(keys, k -> k * 10, 2, "test-read")) {
      for (int i = 0; i < keys.size(); i++) {
        got.add(ahead.next());
      }
      assertThatThrownBy(ahead::next).isInstanceOf(NoSuchElementException.class);
    }
    assertThat(got).containsExactly(10, 20, 30, 40, 50, 60, 70);
  }

  @Test
  void readsNoFurtherAheadThanItsDepthWhileTheCallerWorks() throws Exception {
    CountDownLatch thirdRead = new CountDownLatch(1);
    List<Integer> read = java.util.Collections.synchronizedList(new ArrayList<>());
    try (ReadAhead<Integer, Integer> ahead = new ReadAhead<>(List.of(1, 2, 3, 4), k -> {
      read.add(k);
      if (k == 3) {
        thirdRead.countDown();
      }
      return k;
    }, 2, "test-read")) {
      assertThat(ahead.next()).isEqualTo(1);
      assertThat(thirdRead.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(read).containsExactly(1, 2, 3);
    }
  }

  @Test
  void aFailedReadIsThrownWhereItsItemIsTaken() {
    try (ReadAhead<Integer, Integer> ahead = new ReadAhead<>(List.of(1, 2, 3), k -> {
      if (k == 2) {
        throw new IllegalStateException("repository 2 unreadable");
      }
      return k;
    }, 2, "test-read")) {
      assertThat(ahead.next()).isEqualTo(1);
      assertThatThrownBy(ahead::next).isInstanceOf(IllegalStateException.class).hasMessage("repository 2 unreadable");
      assertThat(ahead.next()).isEqualTo(3);
    }
  }
}
