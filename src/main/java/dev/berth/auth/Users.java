package dev.berth.auth;

import dev.berth.metadata.AccessStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import java.util.regex.Pattern;

/** Managing users and robot accounts: the rules the CLI, the admin API and start-up share. */
public final class Users {
  public static final String FIRST_ADMIN = "admin";
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
