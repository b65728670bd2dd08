package dev.berth.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.auth.Administration;
import dev.berth.auth.Principal;
import dev.berth.auth.Users;
import dev.berth.metadata.AccessStore;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Request;

/**
 * Users, namespaces (members, robots, public access) and robot accounts, under
 * {@code /api/v1/users}, {@code /api/v1/namespaces} and {@code /api/v1/robots}: what
 * {@code berth user} does, for scripts and the console alike, with {@link Administration}'s rule
 * for who may do each. Generated passwords and robot secrets are in the response once and stored
 * only as hashes.
 */
final class UserEndpoints {
  private static final Pattern USER = Pattern.compile("^/api/v1/users/([^/]+)$");
  private static final Pattern PASSWORD = Pattern.compile("^/api/v1/users/([^/]+)/password$");
  private static final Pattern ROLE = Pattern.compile("^/api/v1/users/([^/]+)/roles/([^/]+)$");
  private static final Pattern NAMESPACE = Pattern.compile("^/api/v1/namespaces/([^/]+)$");
  private static final Pattern PUBLIC = Pattern.compile("^/api/v1/namespaces/([^/]+)/public$");
  private static final Pattern REVOKE = Pattern.compile("^/api/v1/robots/([^/]+)/revoke$");

  private final Administration administration;

  UserEndpoints(Administration administration) {
    this.administration = administration;
  }

  /** Handles the request when it is one of these endpoints; false otherwise. */
  boolean handle(Exchange ex, String path, Principal actor) throws IOException {
    Matcher user = USER.matcher(path);
    Matcher password = PASSWORD.matcher(path);
    Matcher role = ROLE.matcher(path);
    Matcher namespace = NAMESPACE.matcher(path);
    Matcher open = PUBLIC.matcher(path);
    Matcher revoke = REVOKE.matcher(path);
    String method = ex.method();
    try {
      if (path.equals("/api/v1/users") && "GET".equals(method)) {
        ex.route("admin_users");
        ex.json(200, Map.of("users", administration.listUsers(actor).stream().map(u -> describe(actor, u)).toList(),
            "robots", administration.listRobots(actor).stream().map(UserEndpoints::describe).toList()));
      } else if (path.equals("/api/v1/users") && "POST".equals(method)) {
        addUser(ex, actor);
      } else if (user.matches() && "DELETE".equals(method)) {
        ex.route("admin_user_remove");
        ex.empty(administration.removeUser(actor, user.group(1)) ? 204 : 404);
      } else if (password.matches() && "PUT".equals(method)) {
        ex.route("admin_user_password");
        JsonNode body = AdminError.readBody(ex);
        Optional<String> current = body.hasNonNull("currentPassword")
            ? Optional.of(body.get("currentPassword").asText()) : Optional.empty();
        ex.empty(administration.changePassword(actor, password.group(1), current, body.path("password").asText(""),
            Request.getRemoteAddr(ex.request)) ? 204 : 404);
      } else if (role.matches() && "PUT".equals(method)) {
        ex.route("admin_user_role");
        administration.grant(actor, role.group(1), role.group(2), AdminError.readBody(ex).path("role").asText(""));
        ex.empty(204);
      } else if (role.matches() && "DELETE".equals(method)) {
        ex.route("admin_user_role");
        ex.empty(administration.revoke(actor, role.group(1), role.group(2)) ? 204 : 404);
      } else if (namespace.matches() && "GET".equals(method)) {
        ex.route("admin_namespace");
        ex.json(200, describe(administration.namespace(actor, namespace.group(1))));
      } else if (open.matches() && "PUT".equals(method)) {
        ex.route("admin_namespace_public");
        JsonNode body = AdminError.readBody(ex);
        if (!body.path("public").isBoolean()) {
          throw new AdminError(400, "send {\"public\": true} or {\"public\": false}");
        }
        administration.setPublic(actor, open.group(1), body.get("public").asBoolean());
        ex.empty(204);
      } else if (path.equals("/api/v1/robots") && "POST".equals(method)) {
        createRobot(ex, actor);
      } else if (revoke.matches() && "POST".equals(method)) {
        ex.route("admin_robot_revoke");
        ex.empty(administration.revokeRobot(actor, revoke.group(1)) ? 204 : 404);
      } else {
        return false;
      }
    } catch (IllegalArgumentException e) {
      throw new AdminError(400, e.getMessage());
    }
    return true;
  }

  /** {@code {"name", "password"?, "systemAdmin"?}}; without a password one is generated and returned. */
  private void addUser(Exchange ex, Principal actor) throws IOException {
    ex.route("admin_user_add");
    JsonNode body = AdminError.readBody(ex);
    String name = body.path("name").asText("");
    Optional<String> given = body.hasNonNull("password") ? Optional.of(body.get("password").asText()) : Optional.empty();
    String password = given.orElseGet(Users::generatePassword);
    if (!administration.addUser(actor, name, password, body.path("systemAdmin").asBoolean(false))) {
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
  private void createRobot(Exchange ex, Principal actor) throws IOException {
    ex.route("admin_robot_add");
    JsonNode body = AdminError.readBody(ex);
    Optional<Duration> lifetime = Optional.empty();
    if (body.hasNonNull("expiresInDays")) {
      if (!body.get("expiresInDays").canConvertToInt() || body.get("expiresInDays").asInt() < 1) {
        throw new AdminError(400, "expiresInDays is a whole number of days, at least 1");
      }
      lifetime = Optional.of(Duration.ofDays(body.get("expiresInDays").asInt()));
    }
    Users.NewRobot robot = administration.createRobot(actor, body.path("namespace").asText(""),
            body.path("name").asText(""), body.path("role").asText("developer"), lifetime)
        .orElseThrow(() -> new AdminError(409, "that robot exists"));
    ex.json(201, Map.of("login", robot.login(), "role", robot.role(), "secret", robot.secret()));
  }

  private Map<String, Object> describe(Principal actor, AccessStore.UserRecord user) {
    return Map.of("name", user.name(), "systemAdmin", user.systemAdmin(), "createdAt", user.createdAt().toString(),
        "roles", administration.rolesOf(actor, user.name()));
  }

  private static Map<String, Object> describe(Administration.Namespace namespace) {
    return Map.of("name", namespace.name(), "public", namespace.isPublic(), "members", namespace.members(),
        "robots", namespace.robots().stream().map(UserEndpoints::describe).toList());
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
