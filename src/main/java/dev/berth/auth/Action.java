package dev.berth.auth;

import java.util.Locale;
import java.util.Optional;

/** What a caller may do to a repository, as named in token scopes. */
public enum Action {
  PULL,
  PUSH,
  DELETE;

  public String scopeName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Action> fromScope(String name) {
    for (Action a : values()) {
      if (a.scopeName().equals(name)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}
