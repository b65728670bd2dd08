package dev.berth.metadata;

import java.time.Instant;
import java.util.Collection;

/**
 * Failed logins per throttle key, counted per second, in the database every replica shares: a
 * failure on any replica counts on all of them, and failures at the same moment are all counted.
 */
public interface LoginFailureStore {

  /** Counts one failure at {@code at} for each of the keys, together. */
  void record(Collection<String> keys, Instant at);

  /**
   * The failures of the key since {@code since}, counting every failure of that second: one up to a
   * second older may count, one younger is never missed.
   */
  int countSince(String key, Instant since);

  /** Forgets the failures of the seconds wholly before {@code horizon}. */
  void forgetBefore(Instant horizon);
}
