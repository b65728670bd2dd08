package dev.berth.ui.view;

import java.util.List;
import java.util.Optional;

/**
 * A namespace as its admins manage it: members and their roles, robot accounts, public access.
 *
 * @param secret a robot secret just generated: shown on this one page, never again
 */
public record NamespaceView(Frame frame, String name, boolean isPublic, Optional<UsersView.Secret> secret,
    List<Member> members, List<RobotRow> robots, List<String> roles, List<String> robotRoles) {

  /** As {@code berth user robot}: CI pushes and pulls, but does not delete. */
  public String defaultRobotRole() {
    return dev.berth.auth.Role.DEVELOPER.id();
  }

  public record Member(String user, String role) {}
}
