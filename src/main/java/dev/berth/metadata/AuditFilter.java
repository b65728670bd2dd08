package dev.berth.metadata;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Which audit entries to read: each present part must match: the actor (a user, whether or not the
 * entry also names the address they came from), the namespace, the action exactly; {@code from}
 * inclusive, {@code until} exclusive.
 */
public record AuditFilter(Optional<String> actor, Optional<String> namespace, Optional<String> action,
    Optional<Instant> from, Optional<Instant> until) {

  public static final AuditFilter ANY =
      new AuditFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

  /**
   * A filter as people type it: blank parts match anything; the action one of {@link AuditAction}'s
   * names; times an instant ({@code 2026-12-07T05:00:00Z}) or a day in UTC ({@code 2026-12-07}),
   * {@code until} a day meaning up to its end.
   *
   * @throws IllegalArgumentException naming the part that is not understood
   */
  public static AuditFilter parse(Optional<String> actor, Optional<String> namespace, Optional<String> action,
      Optional<String> from, Optional<String> until) {
    Optional<String> actionName = given(action);
    actionName.ifPresent(a -> AuditAction.fromWire(a)
        .orElseThrow(() -> new IllegalArgumentException("no such action: " + a)));
    return new AuditFilter(given(actor), given(namespace), actionName, given(from).map(f -> instant(f, false)),
        given(until).map(u -> instant(u, true)));
  }

  public boolean isAny() {
    return equals(ANY);
  }

  private static Optional<String> given(Optional<String> part) {
    return part.map(String::strip).filter(p -> !p.isEmpty());
  }

  private static Instant instant(String text, boolean endOfDay) {
    try {
      if (text.length() == 10) {
        LocalDate day = LocalDate.parse(text);
        return (endOfDay ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not a day (2026-12-07) or an instant (2026-12-07T05:00:00Z): " + text);
    }
  }
}
