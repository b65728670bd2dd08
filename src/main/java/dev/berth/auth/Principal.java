package dev.berth.auth;

import java.util.Map;

/**
 * Who is calling: a user, a robot account or nobody, with what they may do where. A principal
 * built from a bearer token carries exactly the grants the token names.
 */
public record Principal(String name, Kind kind, boolean systemAdmin, Map<String, Role> roles) {

  public enum Kind {
    ANONYMOUS,
    USER,
    ROBOT
  }

  public static final Principal ANONYMOUS = new Principal("anonymous", Kind.ANONYMOUS, false, Map.of());

  public Principal {
    roles = Map.copyOf(roles);
  }

  public boolean isAnonymous() {
    return kind == Kind.ANONYMOUS;
  }
}
