package dev.berth.ui.view;

import java.util.List;
import java.util.Optional;

/**
 * A namespace as its admins manage it: storage usage, members and their roles, robot accounts,
 * public access.
 *
 * @param secret a robot secret just generated: shown on this one page, never again
 */
public record NamespaceView(Frame frame, String name, boolean isPublic, Usage usage, Optional<UsersView.Secret> secret,
    List<Member> members, List<RobotRow> robots, List<String> roles, List<String> robotRoles) {

  /** As {@code berth user robot}: CI pushes and pulls, but does not delete. */
  public String defaultRobotRole() {
    return dev.berth.auth.Role.DEVELOPER.id();
  }

  public record Member(String user, String role) {}

  /** What the namespace's manifests hold, in bytes, against its policy's quota when it has one. */
  public record Usage(long bytes, Optional<Long> quota) {
    public String used() {
      return Format.bytesExact(bytes);
    }

    public String limit() {
      return quota.map(Format::bytesExact).orElse("");
    }

    /** Whole percent of the quota used, rounded down; past 100 when a quota was lowered below the usage. */
    public long percent() {
      return quota.map(q -> q == 0 ? (bytes == 0 ? 0 : 100) : Math.round(Math.floor(100.0 * bytes / q))).orElse(0L);
    }
  }
}
