package dev.berth.ui.view;

import java.util.List;
import java.util.Optional;

/**
 * Every user with their namespace roles, and every robot account (managed on its namespace's page).
 *
 * @param secret a password just generated: shown on this one page, never again
 */
public record UsersView(Frame frame, Optional<Secret> secret, List<User> users, List<RobotRow> robots) {

  public record Secret(String login, String secret) {}

  /** {@code removable}: every user but the one signed in. */
  public record User(String name, boolean systemAdmin, String createdAt, List<String> roles, boolean removable) {}
}
