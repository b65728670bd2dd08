package dev.berth.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.auth.Users;
import dev.berth.metadata.AccessStore;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Users, their namespace roles and robot accounts, under {@code /api/v1/users} and
 * {@code /api/v1/robots}: what {@code berth user} does, for scripts and the console alike.
 * Generated passwords and robot secrets are in the response once and stored only as hashes.
 */
final class UserEndpoints {
  private static final Pattern ROLE = Pattern.compile("^/api/v1/users/([^/]+)/roles/([^/]+)$");
  private static final Pattern REVOKE = Pattern.compile("^/api/v1/robots/([^/]+)/revoke$");

  private final Users users;
  private final AccessStore store;

  UserEndpoints(Users users, AccessStore store) {
    this.users = users;
    this.store = store;
  }

  /** Handles the request when it is one of these endpoints; false otherwise. */
  boolean handle(Exchange ex, String path, String actor) throws IOException {
    Matcher role = ROLE.matcher(path);
    Matcher revoke = REVOKE.matcher(path);
    try {
      if (path.equals("/api/v1/users") && "GET".equals(ex.method())) {
        ex.route("admin_users");
        ex.json(200, Map.of("users", store.listUsers().stream().map(this::describe).toList(),
            "robots", store.listRobots().stream().map(UserEndpoints::describe).toList()));
      } else if (path.equals("/api/v1/users") && "POST".equals(ex.method())) {
        addUser(ex);
      } else if (role.matches() && "PUT".equals(ex.method())) {
        ex.route("admin_user_role");
        users.grant(role.group(1), role.group(2), AdminError.readBody(ex).path("role").asText(""));
        ex.empty(204);
      } else if (role.matches() && "DELETE".equals(ex.method())) {
        ex.route("admin_user_role");
        ex.empty(store.removeRole(role.group(2), role.group(1)) ? 204 : 404);
      } else if (path.equals("/api/v1/robots") && "POST".equals(ex.method())) {
        createRobot(ex, actor);
      } else if (revoke.matches() && "POST".equals(ex.method())) {
        ex.route("admin_robot_revoke");
        ex.empty(users.revokeRobot(revoke.group(1)) ? 204 : 404);
      } else {
        return false;
      }
    } catch (IllegalArgumentException e) {
      throw new AdminError(400, e.getMessage());
    }
    return true;
  }

  /** {@code {"name", "password"?, "systemAdmin"?}}; without a password one is generated and returned. */
  private void addUser(Exchange ex) throws IOException {
    ex.route("admin_user_add");
    JsonNode body = AdminError.readBody(ex);
    String name = body.path("name").asText("");
    Optional<String> given = body.hasNonNull("password") ? Optional.of(body.get("password").asText()) : Optional.empty();
    String password = given.orElseGet(Users::generatePassword);
    if (!users.add(name, password, body.path("systemAdmin").asBoolean(false))) {
      throw new AdminError(409, "user " + name + " exists");
    }
    Map<String, Object> created = new LinkedHashMap<>();
    created.put("name", name);
    if (given.isEmpty()) {
      created.put("password", password);
    }
    ex.json(201, created);
  }

  /** {@code {"namespace", "name", "role"?, "expiresInDays"?}}; the secret is in the answer, once. */
  private void createRobot(Exchange ex, String actor) throws IOException {
    ex.route("admin_robot_add");
    JsonNode body = AdminError.readBody(ex);
    Optional<Duration> lifetime = body.hasNonNull("expiresInDays")
        ? Optional.of(Duration.ofDays(body.get("expiresInDays").asLong())) : Optional.empty();
    Users.NewRobot robot = users.createRobot(body.path("namespace").asText(""), body.path("name").asText(""),
            body.path("role").asText("developer"), actor, lifetime)
        .orElseThrow(() -> new AdminError(409, "that robot exists"));
    ex.json(201, Map.of("login", robot.login(), "role", robot.role(), "secret", robot.secret()));
  }

  private Map<String, Object> describe(AccessStore.UserRecord user) {
    return Map.of("name", user.name(), "systemAdmin", user.systemAdmin(), "createdAt", user.createdAt().toString(),
        "roles", store.rolesOf(user.name()));
  }

  private static Map<String, Object> describe(AccessStore.RobotRecord robot) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("login", robot.name());
    body.put("namespace", robot.namespace());
    body.put("role", robot.role());
    body.put("createdBy", robot.createdBy());
    body.put("createdAt", robot.createdAt().toString());
    robot.expiresAt().ifPresent(at -> body.put("expiresAt", at.toString()));
    robot.revokedAt().ifPresent(at -> body.put("revokedAt", at.toString()));
    return body;
  }
}
