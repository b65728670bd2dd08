package dev.berth.auth;

import dev.berth.metadata.AccessStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import java.util.regex.Pattern;

/** Managing users and robot accounts: the rules the CLI, the admin API and start-up share. */
public final class Users {
  public static final String FIRST_ADMIN = "admin";
  /** Ten years: a longer "expiry" is a typo, or a robot that should simply not expire. */
  public static final int MAX_ROBOT_DAYS = 3650;
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final AccessStore store;
  private final Clock clock;

  public Users(AccessStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  public static void requireValidName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("user names are 1-64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
    }
  }

  public static void requireStrongEnough(String password) {
    if (password.length() < 8) {
      throw new IllegalArgumentException("passwords need at least 8 characters");
    }
  }

  /** 24 random characters from an alphabet without look-alikes. */
  public static String generatePassword() {
    String alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    StringBuilder password = new StringBuilder();
    for (int i = 0; i < 24; i++) {
      password.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return password.toString();
  }

  public boolean add(String name, String password, boolean systemAdmin) {
    requireValidName(name);
    requireStrongEnough(password);
    return store.addUser(new AccessStore.UserRecord(name, Passwords.hash(password), systemAdmin, clock.instant()));
  }

  public boolean changePassword(String name, String password) {
    requireStrongEnough(password);
    return store.setPassword(name, Passwords.hash(password));
  }

  /** Gives the user a role in a namespace, replacing the one it had there. */
  public void grant(String user, String namespace, String role) {
    Role parsed = Role.parse(role).orElseThrow(() -> new IllegalArgumentException("unknown role " + role));
    requireValidNamespace(namespace);
    if (store.findUser(user).isEmpty()) {
      throw new IllegalArgumentException("no user " + user);
    }
    store.setRole(namespace, user, parsed.id());
  }

  /** A robot account just created: the name it logs in with, and its secret, which is shown once. */
  public record NewRobot(String login, String role, String secret) {}

  /**
   * Creates a robot account for CI in one namespace. Empty when a robot of that name exists.
   *
   * @param lifetime revoked automatically after this long, when given: 1 to {@link #MAX_ROBOT_DAYS}
   *     days
   */
  public Optional<NewRobot> createRobot(String namespace, String name, String role, String createdBy,
      Optional<java.time.Duration> lifetime) {
    Role parsed = Role.parse(role).filter(r -> r != Role.ADMIN)
        .orElseThrow(() -> new IllegalArgumentException("robot roles: maintainer, developer, guest"));
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "robot names are 1-64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
    }
    requireValidNamespace(namespace);
    if (lifetime.isPresent() && (lifetime.get().compareTo(java.time.Duration.ofDays(1)) < 0
        || lifetime.get().compareTo(java.time.Duration.ofDays(MAX_ROBOT_DAYS)) > 0)) {
      throw new IllegalArgumentException("robot expiry is 1 to " + MAX_ROBOT_DAYS + " days, or none");
    }
    String login = AccessControl.ROBOT_PREFIX + namespace + "+" + name;
    String secret = generatePassword();
    java.time.Instant now = clock.instant();
    boolean added = store.addRobot(new AccessStore.RobotRecord(login, Passwords.hash(secret), namespace, parsed.id(),
        createdBy, now, lifetime.map(now::plus), Optional.empty()));
    return added ? Optional.of(new NewRobot(login, parsed.id(), secret)) : Optional.empty();
  }

  /** Revokes a robot account; its secret stops working at once. False when there is no such robot. */
  public boolean revokeRobot(String login) {
    return store.revokeRobot(login, clock.instant());
  }

  static void requireValidNamespace(String namespace) {
    // A namespace is the first component of repository names: the same grammar as a user name is a
    // safe subset of it.
    if (!NAME.matcher(namespace).matches()) {
      throw new IllegalArgumentException("namespaces are 1-64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
    }
  }

  /**
   * On a first start with access control on, creates the {@code admin} user. Returns the
   * password when it was generated, so the caller can show it once.
   */
  public Optional<String> ensureFirstAdmin(Optional<String> configuredPassword) {
    if (store.userCount() > 0) {
      return Optional.empty();
    }
    String password = configuredPassword.orElseGet(Users::generatePassword);
    add(FIRST_ADMIN, password, true);
    return configuredPassword.isPresent() ? Optional.empty() : Optional.of(password);
  }
}
