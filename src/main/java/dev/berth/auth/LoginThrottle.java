package dev.berth.auth;

import dev.berth.metadata.AuditAction;
import dev.berth.metadata.AuditEntry;
import dev.berth.metadata.HistoryStore;
import dev.berth.metadata.LoginFailureStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Slows password guessing: after {@code limit} failed logins for one user name from one address,
 * or ten times as many from one address whatever the names (many users may share one, behind NAT
 * or a CI runner), within {@code window}, further attempts from there are refused until the window
 * moves on.
 *
 * <p>Never per name alone: then anyone could lock a user out from everywhere by failing to log in
 * as them. The failures are counted in the metadata database, so every replica on it refuses an
 * address that failed on any of them; its keys are hashes, since a user name that failed is often
 * a password typed in the wrong field. Each failure forgets the failures older than the window:
 * the store holds one window of failures, and as each one cost a password check, a spray of
 * random names grows it no faster than the registry checks passwords.
 */
public final class LoginThrottle {
  private static final int ADDRESS_FACTOR = 10;
  /** A name typed longer than any user's is cut in the audit log. */
  private static final int MAX_AUDITED_NAME = 100;

  private final LoginFailureStore failures;
  private final int limit;
  private final Duration window;
  private final Clock clock;
  private final HistoryStore history;

  /** @param history where each failure is audited: at most as many a window as the limits let through */
  public LoginThrottle(LoginFailureStore failures, int limit, Duration window, Clock clock, HistoryStore history) {
    this.failures = failures;
    this.limit = limit;
    this.window = window;
    this.clock = clock;
    this.history = history;
  }

  /** Berth's limits: 10 failures per 5 minutes for a name from an address, 100 for an address. */
  public static LoginThrottle standard(LoginFailureStore failures, Clock clock, HistoryStore history) {
    return new LoginThrottle(failures, 10, Duration.ofMinutes(5), clock, history);
  }

  public boolean allows(String user, String address) {
    Instant since = clock.instant().minus(window);
    return failures.countSince(pair(user, address), since) < limit
        && failures.countSince(address(address), since) < limit * ADDRESS_FACTOR;
  }

  public void failed(String user, String address) {
    Instant now = clock.instant();
    failures.record(List.of(pair(user, address), address(address)), now);
    failures.forgetBefore(now.minus(window));
    String name = user.length() > MAX_AUDITED_NAME ? user.substring(0, MAX_AUDITED_NAME) + "…" : user;
    history.audit(AuditEntry.of(now, name + "@" + address, AuditAction.LOGIN_FAILED, name, Optional.empty(),
        "wrong password, or no such user"));
  }

  private static String pair(String user, String address) {
    return SecretHash.sha256("user:" + address + " " + user);
  }

  private static String address(String address) {
    return SecretHash.sha256("addr:" + address);
  }
}
