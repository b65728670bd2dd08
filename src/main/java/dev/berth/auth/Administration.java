package dev.berth.auth;

import dev.berth.metadata.AccessStore;
import dev.berth.metadata.AuditAction;
import dev.berth.metadata.AuditEntry;
import dev.berth.metadata.HistoryStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Administrative changes with the rule for who may make each, for the admin API and the console
 * alike: neither can reach {@link Users} or the store around these checks. System administrators
 * manage users; a namespace's admins manage its members, robots and public access; every user
 * changes their own password.
 */
public final class Administration {
  private final Users users;
  private final AccessStore store;
  private final AccessControl access;
  private final Permissions permissions;
  private final HistoryStore history;
  private final Clock clock;

  public Administration(Users users, AccessStore store, AccessControl access, HistoryStore history, Clock clock) {
    this.users = users;
    this.store = store;
    this.access = access;
    this.permissions = access.permissions();
    this.history = history;
    this.clock = clock;
  }

  public Permissions permissions() {
    return permissions;
  }

  /** A namespace as its admins see it: who holds which role, its robots, and whether anyone may pull. */
  public record Namespace(String name, boolean isPublic, Map<String, String> members,
      List<AccessStore.RobotRecord> robots) {}

  public Namespace namespace(Principal actor, String namespace) {
    requireManage(actor, namespace);
    Users.requireValidNamespace(namespace);
    return new Namespace(namespace, store.isPublic(namespace), store.membersOf(namespace),
        store.listRobots().stream().filter(r -> r.namespace().equals(namespace)).toList());
  }

  /**
   * The namespaces the principal belongs to, with its role there; for a system administrator every
   * namespace known to access control or named in {@code holdingRepositories}, with no role.
   */
  public SortedMap<String, Optional<Role>> namespacesOf(Principal actor, Collection<String> holdingRepositories) {
    SortedMap<String, Optional<Role>> namespaces = new TreeMap<>();
    if (permissions.administersRegistry(actor)) {
      store.namespaces().forEach(ns -> namespaces.put(ns, Optional.empty()));
      holdingRepositories.forEach(ns -> namespaces.put(ns, Optional.empty()));
    }
    actor.roles().forEach((ns, role) -> namespaces.put(ns, Optional.of(role)));
    return namespaces;
  }

  /** Every change below is audited, named by the actor's principal. */
  public void grant(Principal actor, String user, String namespace, String role) {
    requireManage(actor, namespace);
    users.grant(user, namespace, role);
    audit(actor, AuditAction.ROLE_SET, namespace, Optional.of(namespace), user + " is " + role);
  }

  /** False when the user held no role there. */
  public boolean revoke(Principal actor, String user, String namespace) {
    requireManage(actor, namespace);
    boolean removed = store.removeRole(namespace, user);
    if (removed) {
      audit(actor, AuditAction.ROLE_REMOVE, namespace, Optional.of(namespace), user + " holds no role any more");
    }
    return removed;
  }

  public void setPublic(Principal actor, String namespace, boolean open) {
    requireManage(actor, namespace);
    Users.requireValidNamespace(namespace);
    store.setPublic(namespace, open);
    audit(actor, AuditAction.NAMESPACE_PUBLIC, namespace, Optional.of(namespace),
        open ? "public: anyone may pull" : "private: members only");
  }

  /** Empty when a robot of that name exists. */
  public Optional<Users.NewRobot> createRobot(Principal actor, String namespace, String name, String role,
      Optional<Duration> lifetime) {
    requireManage(actor, namespace);
    Optional<Users.NewRobot> robot = users.createRobot(namespace, name, role, actor.name(), lifetime);
    robot.ifPresent(r -> audit(actor, AuditAction.ROBOT_CREATE, r.login(), Optional.of(namespace),
        "role " + role + lifetime.map(l -> ", expires in " + l.toDays() + " days").orElse(", no expiry")));
    return robot;
  }

  /**
   * False when there is no such active robot. The namespace is read from the login, not from the
   * store, so whether a robot exists in a namespace the actor may not know of stays unsaid.
   */
  public boolean revokeRobot(Principal actor, String login) {
    int plus = login.indexOf('+');
    String namespace = login.startsWith(AccessControl.ROBOT_PREFIX) && plus > 0
        ? login.substring(AccessControl.ROBOT_PREFIX.length(), plus) : "";
    requireManage(actor, namespace);
    boolean revoked = users.revokeRobot(login);
    if (revoked) {
      audit(actor, AuditAction.ROBOT_REVOKE, login, Optional.of(namespace), "secret no longer accepted");
    }
    return revoked;
  }

  /** False when the name is taken. */
  public boolean addUser(Principal actor, String name, String password, boolean systemAdmin) {
    requireSystemAdmin(actor);
    boolean added = users.add(name, password, systemAdmin);
    if (added) {
      audit(actor, AuditAction.USER_CREATE, name, Optional.empty(), systemAdmin ? "system administrator" : "user");
    }
    return added;
  }

  /** False when there is no such user. Nobody removes themselves: the last administrator could lock everyone out. */
  public boolean removeUser(Principal actor, String name) {
    requireSystemAdmin(actor);
    if (name.equals(actor.name())) {
      throw new IllegalArgumentException("you cannot remove yourself; ask another system administrator");
    }
    boolean removed = store.removeUser(name);
    if (removed) {
      audit(actor, AuditAction.USER_REMOVE, name, Optional.empty(), "with their roles and sessions");
    }
    return removed;
  }

  public List<AccessStore.UserRecord> listUsers(Principal actor) {
    requireSystemAdmin(actor);
    return store.listUsers();
  }

  public List<AccessStore.RobotRecord> listRobots(Principal actor) {
    requireSystemAdmin(actor);
    return store.listRobots();
  }

  public Map<String, String> rolesOf(Principal actor, String user) {
    requireSystemAdmin(actor);
    return store.rolesOf(user);
  }

  /**
   * Users change their own password by giving the current one (checked, and throttled, as a
   * login); system administrators may set anyone else's.
   *
   * @return false when there is no such user
   */
  public boolean changePassword(Principal actor, String user, Optional<String> currentPassword, String newPassword,
      String remoteAddress) {
    boolean self = actor.kind() == Principal.Kind.USER && actor.name().equals(user);
    if (self) {
      String current = currentPassword.orElseThrow(
          () -> new IllegalArgumentException("give your current password to change it"));
      Users.requireStrongEnough(newPassword);
      if (access.login(user, current, remoteAddress).isEmpty()) {
        throw new NotPermittedException("the current password is wrong", false);
      }
    } else {
      requireSystemAdmin(actor);
    }
    boolean changed = users.changePassword(user, newPassword);
    if (changed) {
      audit(actor, AuditAction.PASSWORD_CHANGE, user, Optional.empty(), self ? "their own" : "set by an administrator");
    }
    return changed;
  }

  /** After the change: an entry never names a change that was refused. */
  private void audit(Principal actor, AuditAction action, String target, Optional<String> namespace, String detail) {
    history.audit(AuditEntry.of(clock.instant(), actor.name(), action, target, namespace, detail));
  }

  private void requireSystemAdmin(Principal actor) {
    if (!permissions.administersRegistry(actor)) {
      throw new NotPermittedException("only system administrators manage users", false);
    }
  }

  /**
   * Refuses an actor who may not manage the namespace (its members, robots, public access and
   * policy): with 403 for who knows the namespace is there, as missing for anyone else.
   */
  public void requireManage(Principal actor, String namespace) {
    if (!permissions.mayManage(actor, namespace)) {
      boolean hidden = !permissions.knowsNamespace(actor, namespace);
      throw new NotPermittedException(hidden ? "no such namespace" : "only admins of " + namespace + " manage it",
          hidden);
    }
  }
}
