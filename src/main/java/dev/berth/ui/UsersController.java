package dev.berth.ui;

import dev.berth.auth.Role;
import dev.berth.auth.Users;
import dev.berth.metadata.AccessStore;
import dev.berth.ui.view.Format;
import dev.berth.ui.view.UsersView;
import java.io.IOException;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Users, namespace roles and robot accounts: the rules of {@code berth user} and of the admin API
 * ({@link Users}), behind forms. A generated password or robot secret is rendered in the answer to
 * the POST that made it, never put in a URL, and not shown again.
 */
final class UsersController {
  private static final String NO_ROLE = "none";

  private final Users users;
  private final AccessStore store;
  private final Pages pages;
  private final Clock clock;

  UsersController(Users users, AccessStore store, Pages pages, Clock clock) {
    this.users = users;
    this.store = store;
    this.pages = pages;
    this.clock = clock;
  }

  void list(WebExchange ex, Session session) throws IOException {
    render(ex, session, 200, Optional.empty(), "");
  }

  /** A password left empty is generated, and shown once. */
  void add(WebExchange ex, Session session) throws IOException {
    String name = ex.field("name").orElse("").strip();
    Optional<String> given = ex.field("password").filter(p -> !p.isEmpty());
    String password = given.orElseGet(Users::generatePassword);
    change(ex, session, () -> {
      if (!users.add(name, password, ex.field("systemAdmin").isPresent())) {
        throw new IllegalArgumentException("user " + name + " exists");
      }
      return given.isPresent() ? Optional.empty() : Optional.of(new UsersView.Secret(name, password));
    });
  }

  /** Sets the user's role in the namespace; "none" takes it away. */
  void role(WebExchange ex, Session session) throws IOException {
    String user = ex.field("user").orElse("");
    String namespace = ex.field("namespace").orElse("").strip();
    String role = ex.field("role").orElse("");
    change(ex, session, () -> {
      if (role.equals(NO_ROLE)) {
        store.removeRole(namespace, user);
      } else {
        users.grant(user, namespace, role);
      }
      return Optional.empty();
    });
  }

  void addRobot(WebExchange ex, Session session) throws IOException {
    String namespace = ex.field("namespace").orElse("").strip();
    String name = ex.field("name").orElse("").strip();
    String role = ex.field("role").orElse("");
    change(ex, session, () -> {
      Users.NewRobot robot = users.createRobot(namespace, name, role, session.principal().name(), Optional.empty())
          .orElseThrow(() -> new IllegalArgumentException("that robot exists"));
      return Optional.of(new UsersView.Secret(robot.login(), robot.secret()));
    });
  }

  void revokeRobot(WebExchange ex, Session session) throws IOException {
    String login = ex.field("login").orElse("");
    change(ex, session, () -> {
      if (!users.revokeRobot(login)) {
        throw new IllegalArgumentException("no robot " + login);
      }
      return Optional.empty();
    });
  }

  private interface Change {
    Optional<UsersView.Secret> apply();
  }

  /** Applies a change; the page then shows its secret, or why the change was refused. */
  private void change(WebExchange ex, Session session, Change change) throws IOException {
    try {
      Optional<UsersView.Secret> secret = change.apply();
      if (secret.isEmpty()) {
        ex.redirect(Links.USERS);
        return;
      }
      render(ex, session, 200, secret, "");
    } catch (IllegalArgumentException e) {
      render(ex, session, 400, Optional.empty(), e.getMessage());
    }
  }

  private void render(WebExchange ex, Session session, int status, Optional<UsersView.Secret> secret, String error)
      throws IOException {
    List<UsersView.User> userRows = store.listUsers().stream().map(u -> new UsersView.User(u.name(), u.systemAdmin(),
        Format.time(u.createdAt()), store.rolesOf(u.name()).entrySet().stream()
            .map(e -> e.getKey() + ": " + e.getValue()).sorted().toList())).toList();
    List<UsersView.Robot> robots = store.listRobots().stream().map(this::robot).toList();
    List<String> roles = Arrays.stream(Role.values()).map(Role::id).toList();
    pages.render(ex, status, "users", new UsersView(Pages.frame(session, "Users", "users"), secret, error, userRows,
        robots, roles, roles.stream().filter(r -> !r.equals(Role.ADMIN.id())).toList()));
  }

  private UsersView.Robot robot(AccessStore.RobotRecord r) {
    boolean expired = r.expiresAt().map(at -> !clock.instant().isBefore(at)).orElse(false);
    String status = r.revokedAt().map(at -> "revoked " + Format.time(at))
        .orElse(expired ? "expired" : r.expiresAt().map(at -> "active until " + Format.time(at)).orElse("active"));
    return new UsersView.Robot(r.name(), r.namespace(), r.role(), r.createdBy(), Format.time(r.createdAt()), status,
        r.revokedAt().isEmpty() && !expired);
  }
}
