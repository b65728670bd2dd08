package dev.berth.ui.view;

import java.util.List;
import java.util.Optional;

/**
 * Users with their namespace roles, and robot accounts.
 *
 * @param secret a password or robot secret just generated: shown on this one page, never again
 * @param error why the last change was refused (empty: it was not)
 */
public record UsersView(Frame frame, Optional<Secret> secret, String error, List<User> users, List<Robot> robots,
    List<String> roles, List<String> robotRoles) {

  /** As {@code berth user robot}: CI pushes and pulls, but does not delete. */
  public String defaultRobotRole() {
    return dev.berth.auth.Role.DEVELOPER.id();
  }

  public record Secret(String login, String secret) {}

  public record User(String name, boolean systemAdmin, String createdAt, List<String> roles) {}

  public record Robot(String login, String namespace, String role, String createdBy, String createdAt, String status,
      boolean active) {}
}
