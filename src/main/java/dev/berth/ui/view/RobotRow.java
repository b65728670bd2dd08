package dev.berth.ui.view;

import dev.berth.metadata.AccessStore;
import java.time.Instant;

/**
 * A robot account as a row: who made it and when, and whether it still works (revoked, expired,
 * active until a date, or active).
 */
public record RobotRow(String login, String namespace, String role, String createdBy, String createdAt, String status,
    boolean active) {

  public static RobotRow of(AccessStore.RobotRecord r, Instant now) {
    boolean expired = r.expiresAt().map(at -> !now.isBefore(at)).orElse(false);
    String status = r.revokedAt().map(at -> "revoked " + Format.time(at))
        .orElse(expired ? "expired" : r.expiresAt().map(at -> "active until " + Format.time(at)).orElse("active"));
    return new RobotRow(r.name(), r.namespace(), r.role(), r.createdBy(), Format.time(r.createdAt()), status,
        r.revokedAt().isEmpty() && !expired);
  }
}
