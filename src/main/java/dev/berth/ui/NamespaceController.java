package dev.berth.ui;

import dev.berth.auth.Administration;
import dev.berth.auth.Role;
import dev.berth.auth.Users;
import dev.berth.cleanup.Inventory;
import dev.berth.cleanup.Policies;
import dev.berth.policy.ByteSize;
import dev.berth.ui.view.NamespaceView;
import dev.berth.ui.view.NamespacesView;
import dev.berth.ui.view.RobotRow;
import dev.berth.ui.view.UsersView;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Namespaces: the ones a user belongs to, and for a namespace's admins (and system administrators)
 * its storage usage against its quota, its members, robot accounts and public access, changed through {@link Administration}, whose
 * refusals the console handler turns into 403, or 404 for a namespace the user may not know of.
 */
final class NamespaceController {
  private static final String NO_ROLE = "none";

  private final Administration administration;
  private final Inventory inventory;
  private final Policies policies;
  private final Pages pages;
  private final Clock clock;

  NamespaceController(Administration administration, Inventory inventory, Policies policies, Pages pages,
      Clock clock) {
    this.administration = administration;
    this.inventory = inventory;
    this.policies = policies;
    this.pages = pages;
    this.clock = clock;
  }

  void list(WebExchange ex, Session session) throws IOException {
    boolean systemAdmin = administration.permissions().administersRegistry(session.principal());
    List<String> holding = systemAdmin
        ? inventory.repositories("").stream().map(r -> r.name().namespace()).toList() : List.of();
    List<NamespacesView.Row> rows = administration.namespacesOf(session.principal(), holding).entrySet().stream()
        .map(e -> new NamespacesView.Row(e.getKey(), e.getValue().map(Role::id).orElse("-"),
            administration.permissions().mayManage(session.principal(), e.getKey()) ? Links.namespace(e.getKey()) : ""))
        .toList();
    pages.render(ex, 200, "namespaces", new NamespacesView(Pages.frame(session, "Namespaces", "namespaces"), rows,
        systemAdmin));
  }

  void show(WebExchange ex, Session session) throws IOException {
    render(ex, session, ex.query("name").orElse("").strip(), Optional.empty());
  }

  /** Sets the user's role in the namespace; "none" takes it away. */
  void role(WebExchange ex, Session session) throws IOException {
    String namespace = ex.field("namespace").orElse("").strip();
    String user = ex.field("user").orElse("").strip();
    String role = ex.field("role").orElse("");
    String done = role.equals(NO_ROLE) ? "Removed " + user + " from " + namespace + "."
        : user + " is now " + role + " in " + namespace + ".";
    change(ex, session, namespace, done, Map.of("member-user", user, "member-role", role), () -> {
      if (role.equals(NO_ROLE)) {
        administration.revoke(session.principal(), user, namespace);
      } else {
        administration.grant(session.principal(), user, namespace, role);
      }
      return Optional.empty();
    });
  }

  void visibility(WebExchange ex, Session session) throws IOException {
    String namespace = ex.field("namespace").orElse("").strip();
    boolean open = "on".equals(ex.field("public").orElse(""));
    String done = open ? namespace + " is public: anyone may pull from it without signing in."
        : namespace + " is private: only its members may pull.";
    change(ex, session, namespace, done, Map.of(), () -> {
      administration.setPublic(session.principal(), namespace, open);
      return Optional.empty();
    });
  }

  /** Expiry is optional: a whole number of days, or empty for a robot that lasts until revoked. */
  void addRobot(WebExchange ex, Session session) throws IOException {
    String namespace = ex.field("namespace").orElse("").strip();
    String name = ex.field("name").orElse("").strip();
    String role = ex.field("role").orElse("");
    String days = ex.field("expiresInDays").orElse("").strip();
    change(ex, session, namespace, "", Map.of("robot-name", name, "robot-role", role, "robot-days", days), () -> {
      Users.NewRobot robot = administration.createRobot(session.principal(), namespace, name, role, lifetime(days))
          .orElseThrow(() -> new IllegalArgumentException("that robot exists"));
      return Optional.of(new UsersView.Secret(robot.login(), robot.secret()));
    });
  }

  void revokeRobot(WebExchange ex, Session session) throws IOException {
    String namespace = ex.field("namespace").orElse("").strip();
    String login = ex.field("login").orElse("");
    change(ex, session, namespace, "Revoked robot " + login + ".", Map.of(), () -> {
      if (!administration.revokeRobot(session.principal(), login)) {
        throw new IllegalArgumentException("no active robot " + login);
      }
      return Optional.empty();
    });
  }

  private static Optional<Duration> lifetime(String days) {
    if (days.isEmpty()) {
      return Optional.empty();
    }
    try {
      int parsed = Integer.parseInt(days);
      if (parsed >= 1) {
        return Optional.of(Duration.ofDays(parsed));
      }
    } catch (NumberFormatException e) {
      // Answered below, as for a number out of range.
    }
    throw new IllegalArgumentException("expiry is a whole number of days, 1 to " + Users.MAX_ROBOT_DAYS
        + ", or empty for none");
  }

  private interface Change {
    Optional<UsersView.Secret> apply();
  }

  /**
   * Applies a change; the page then shows its secret (in the answer to the POST, never in a URL),
   * or, after a redirect, {@code done}, or why the change was refused with the form showing
   * {@code kept} again.
   */
  private void change(WebExchange ex, Session session, String namespace, String done, Map<String, String> kept,
      Change change) throws IOException {
    Optional<UsersView.Secret> secret;
    try {
      secret = change.apply();
    } catch (IllegalArgumentException e) {
      pages.refuse(ex, session, Links.namespace(namespace), e.getMessage(), kept);
      return;
    }
    if (secret.isEmpty()) {
      pages.done(ex, session, Links.namespace(namespace), done);
    } else {
      render(ex, session, namespace, secret);
    }
  }

  private void render(WebExchange ex, Session session, String namespace, Optional<UsersView.Secret> secret)
      throws IOException {
    Administration.Namespace ns;
    try {
      ns = administration.namespace(session.principal(), namespace);
    } catch (IllegalArgumentException e) {
      pages.message(ex, 400, Pages.frame(session, "Not a namespace", "namespaces"), "Not a namespace",
          e.getMessage());
      return;
    }
    List<String> roles = Arrays.stream(Role.values()).map(Role::id).toList();
    Policies.Usage usage = policies.usage(ns.name());
    pages.render(ex, 200, "namespace", new NamespaceView(Pages.frame(session, ns.name(), "namespaces"), ns.name(),
        ns.isPublic(), new NamespaceView.Usage(usage.bytes(), usage.quota().map(ByteSize::bytes)), secret,
        ns.members().entrySet().stream().map(e -> new NamespaceView.Member(e.getKey(), e.getValue())).toList(),
        ns.robots().stream().map(r -> RobotRow.of(r, clock.instant())).toList(), roles,
        roles.stream().filter(r -> !r.equals(Role.ADMIN.id())).toList()));
  }
}
