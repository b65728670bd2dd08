package dev.berth.ui;

import dev.berth.auth.Administration;
import dev.berth.auth.Users;
import dev.berth.ui.view.Format;
import dev.berth.ui.view.RobotRow;
import dev.berth.ui.view.UsersView;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every user and robot account, adding and removing users: for system administrators, by the rules
 * of {@code berth user} and of the admin API ({@link Administration}). A generated password is
 * rendered in the answer to the POST that made it, never put in a URL, and not shown again.
 */
final class UsersController {
  private final Administration administration;
  private final Pages pages;
  private final Clock clock;

  UsersController(Administration administration, Pages pages, Clock clock) {
    this.administration = administration;
    this.pages = pages;
    this.clock = clock;
  }

  void list(WebExchange ex, Session session) throws IOException {
    render(ex, session, Optional.empty());
  }

  /** A password left empty is generated, and shown once. */
  void add(WebExchange ex, Session session) throws IOException {
    String name = ex.field("name").orElse("").strip();
    Optional<String> given = ex.field("password").filter(p -> !p.isEmpty());
    String password = given.orElseGet(Users::generatePassword);
    boolean systemAdmin = ex.field("systemAdmin").isPresent();
    try {
      if (!administration.addUser(session.principal(), name, password, systemAdmin)) {
        throw new IllegalArgumentException("user " + name + " exists");
      }
    } catch (IllegalArgumentException e) {
      // The password is not kept: it would sit in the session's row until the page is shown.
      pages.refuse(ex, session, Links.USERS, e.getMessage(),
          Map.of("user-name", name, "user-admin", systemAdmin ? "on" : ""));
      return;
    }
    if (given.isPresent()) {
      pages.done(ex, session, Links.USERS, "Added user " + name + (systemAdmin ? ", a system administrator." : "."));
    } else {
      render(ex, session, Optional.of(new UsersView.Secret(name, password)));
    }
  }

  void remove(WebExchange ex, Session session) throws IOException {
    String name = ex.field("name").orElse("");
    try {
      if (!administration.removeUser(session.principal(), name)) {
        throw new IllegalArgumentException("no user " + name);
      }
    } catch (IllegalArgumentException e) {
      pages.refuse(ex, session, Links.USERS, e.getMessage());
      return;
    }
    pages.done(ex, session, Links.USERS, "Removed user " + name + ".");
  }

  private void render(WebExchange ex, Session session, Optional<UsersView.Secret> secret) throws IOException {
    List<UsersView.User> users = administration.listUsers(session.principal()).stream()
        .map(u -> new UsersView.User(u.name(), u.systemAdmin(), Format.time(u.createdAt()),
            administration.rolesOf(session.principal(), u.name()).entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue()).sorted().toList(),
            !u.name().equals(session.principal().name())))
        .toList();
    List<RobotRow> robots = administration.listRobots(session.principal()).stream()
        .map(r -> RobotRow.of(r, clock.instant())).toList();
    pages.render(ex, 200, "users", new UsersView(Pages.frame(session, "Users", "users"), secret, users, robots));
  }
}
