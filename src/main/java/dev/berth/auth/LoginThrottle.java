package dev.berth.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing: after {@code limit} failed logins for one user name, or ten times as
 * many from one address (many users may share one, behind NAT or a CI runner), within
 * {@code window}, further attempts are refused until the window moves on.
 */
public final class LoginThrottle {
  private static final int ADDRESS_FACTOR = 10;
  private final int limit;
  private final Duration window;
  private final Clock clock;
  private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

  public LoginThrottle(int limit, Duration window, Clock clock) {
    this.limit = limit;
    this.window = window;
    this.clock = clock;
  }

  public boolean allows(String user, String address) {
    return recent("user:" + user) < limit && recent("addr:" + address) < limit * ADDRESS_FACTOR;
  }

  public void failed(String user, String address) {
    record("user:" + user);
    record("addr:" + address);
  }

  private int recent(String key) {
    Deque<Instant> times = failures.get(key);
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

  private void record(String key) {
    Deque<Instant> times = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
    synchronized (times) {
      times.addLast(clock.instant());
      while (times.size() > limit * ADDRESS_FACTOR) {
        times.pollFirst();
      }
    }
  }
}
