package dev.berth.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * Slows password guessing: after {@code limit} failed logins for one user name from one address,
 * or ten times as many from one address whatever the names (many users may share one, behind NAT
 * or a CI runner), within {@code window}, further attempts from there are refused until the window
 * moves on.
 *
 * <p>Never per name alone: then anyone could lock a user out from everywhere by failing to log in
 * as them. Failures are forgotten a window after the last one, and at most {@link #MAX_KEYS}
 * (name, address) pairs and addresses are remembered, so a spray of random names cannot grow the
 * memory without end; the cache keeps the keys that fail often, such as a guessing address.
 */
public final class LoginThrottle {
  private static final int ADDRESS_FACTOR = 10;
  static final long MAX_KEYS = 100_000;

  private final int limit;
  private final Duration window;
  private final Clock clock;
  private final Cache<String, Deque<Instant>> failures;

  public LoginThrottle(int limit, Duration window, Clock clock) {
    this.limit = limit;
    this.window = window;
    this.clock = clock;
    this.failures = Caffeine.newBuilder()
        .expireAfterWrite(window)
        .maximumSize(MAX_KEYS)
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .executor(Runnable::run)
        .build();
  }

  public boolean allows(String user, String address) {
    return recent(pair(user, address)) < limit && recent(address(address)) < limit * ADDRESS_FACTOR;
  }

  public void failed(String user, String address) {
    record(pair(user, address), limit);
    record(address(address), limit * ADDRESS_FACTOR);
  }

  /** How many keys are remembered now (after pending expiries and evictions): for tests. */
  long remembered() {
    failures.cleanUp();
    return failures.estimatedSize();
  }

  private static String pair(String user, String address) {
    return "user:" + address + " " + user;
  }

  private static String address(String address) {
    return "addr:" + address;
  }

  private int recent(String key) {
    Deque<Instant> times = failures.getIfPresent(key);
    if (times == null) {
      return 0;
    }
    synchronized (times) {
      Instant horizon = clock.instant().minus(window);
      while (!times.isEmpty() && times.peekFirst().isBefore(horizon)) {
        times.pollFirst();
      }
      return times.size();
    }
  }

  private void record(String key, int keep) {
    // compute, not get-then-put: it counts as a write, so the entry lives a window past its last failure
    failures.asMap().compute(key, (k, times) -> {
      Deque<Instant> updated = times == null ? new ArrayDeque<>() : times;
      synchronized (updated) {
        updated.addLast(clock.instant());
        while (updated.size() > keep) {
          updated.pollFirst();
        }
      }
      return updated;
    });
  }
}
