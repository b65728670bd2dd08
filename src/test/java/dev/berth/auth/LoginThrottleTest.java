package dev.berth.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
  private final MutableClock clock = new MutableClock(java.time.Instant.parse("2026-12-01T00:00:00Z"));
  private final LoginThrottle throttle = new LoginThrottle(3, Duration.ofMinutes(5), clock);

  private void fail(String user, String address, int times) {
    for (int i = 0; i < times; i++) {
      throttle.failed(user, address);
    }
  }

  @Test
  void failuresForOneNameFromOneAddressStopThatPairOnly() {
    fail("alice", "10.0.0.66", 3);

    assertThat(throttle.allows("alice", "10.0.0.66")).isFalse();
    assertThat(throttle.allows("alice", "10.0.0.7")).as("alice, from her own desk").isTrue();
    assertThat(throttle.allows("bob", "10.0.0.66")).as("another name from the same address").isTrue();
  }

  @Test
  void manyNamesFromOneAddressStopThatAddress() {
    for (int i = 0; i < 30; i++) {
      throttle.failed("user" + i, "10.0.0.66");
    }

    assertThat(throttle.allows("someone-else", "10.0.0.66")).isFalse();
    assertThat(throttle.allows("someone-else", "10.0.0.7")).isTrue();
  }

  @Test
  void theWindowMovesOnAndForgetsTheFailures() {
    fail("alice", "10.0.0.66", 3);
    clock.advance(Duration.ofMinutes(5).plusSeconds(1));

    assertThat(throttle.allows("alice", "10.0.0.66")).isTrue();
    assertThat(throttle.remembered()).as("expired entries are dropped, not kept empty").isZero();
  }

  @Test
  void aSprayOfRandomNamesDoesNotGrowTheMemoryWithoutEnd() {
    long sprayed = LoginThrottle.MAX_KEYS * 2;
    for (long i = 0; i < sprayed; i++) {
      throttle.failed("random-" + i, "10.0.0." + (i % 250));
    }

    assertThat(throttle.remembered()).isLessThanOrEqualTo(LoginThrottle.MAX_KEYS);
    assertThat(throttle.allows("anyone", "10.0.0.1")).as("the guessing addresses stay stopped").isFalse();
  }
}
