package dev.berth.auth;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** A user's role in a namespace, as in Harbor's projects. */
public enum Role {
  /** Everything, and managing the namespace's members. */
  ADMIN(EnumSet.allOf(Action.class)),
  MAINTAINER(EnumSet.allOf(Action.class)),
  DEVELOPER(EnumSet.of(Action.PULL, Action.PUSH)),
  GUEST(EnumSet.of(Action.PULL));

  private final Set<Action> actions;

  Role(Set<Action> actions) {
    this.actions = actions;
  }

  public Set<Action> actions() {
    return actions;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> parse(String id) {
    for (Role r : values()) {
      if (r.id().equals(id)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
