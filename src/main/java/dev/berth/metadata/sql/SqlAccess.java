package dev.berth.metadata.sql;

import dev.berth.metadata.AccessStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Users, namespace roles, public namespaces and robot accounts. */
final class SqlAccess implements AccessStore {

  private static final String ROBOT_COLUMNS =
      "name, secret_hash, namespace, role, created_by, created_at, expires_at, revoked_at";

  private final SqlTransactions tx;

  SqlAccess(SqlTransactions tx) {
    this.tx = tx;
  }

  @Override
  public long userCount() {
    return tx.read(h -> h.createQuery("SELECT COUNT(*) FROM users").mapTo(Long.class).one());
  }

  @Override
  public Optional<UserRecord> findUser(String name) {
    return tx.read(h -> h.createQuery("SELECT name, password_hash, system_admin, created_at FROM users WHERE name = :name")
        .bind("name", name)
        .map((rs, ctx) -> new UserRecord(rs.getString(1), rs.getString(2), rs.getInt(3) != 0,
            Instant.ofEpochMilli(rs.getLong(4))))
        .findOne());
  }

  @Override
  public boolean addUser(UserRecord user) {
    return tx.write(h -> h.createUpdate("""
            INSERT INTO users (name, password_hash, system_admin, created_at)
            VALUES (:name, :hash, :admin, :createdAt) ON CONFLICT (name) DO NOTHING""")
        .bind("name", user.name())
        .bind("hash", user.passwordHash())
        .bind("admin", user.systemAdmin() ? 1 : 0)
        .bind("createdAt", user.createdAt().toEpochMilli())
        .execute() > 0);
  }

  @Override
  public boolean setPassword(String name, String passwordHash) {
    return tx.write(h -> h.createUpdate("UPDATE users SET password_hash = :hash WHERE name = :name")
        .bind("name", name)
        .bind("hash", passwordHash)
        .execute() > 0);
  }

  @Override
  public boolean removeUser(String name) {
    return tx.write(h -> h.createUpdate("DELETE FROM users WHERE name = :name").bind("name", name).execute() > 0);
  }

  @Override
  public List<UserRecord> listUsers() {
    return tx.read(h -> h.createQuery("SELECT name, password_hash, system_admin, created_at FROM users ORDER BY name")
        .map((rs, ctx) -> new UserRecord(rs.getString(1), rs.getString(2), rs.getInt(3) != 0,
            Instant.ofEpochMilli(rs.getLong(4))))
        .list());
  }

  @Override
  public java.util.Map<String, String> rolesOf(String username) {
    return sortedPairs("SELECT namespace, role FROM memberships WHERE username = :value", username);
  }

  /** The rows of a two-column query with one parameter, {@code :value}, as a map sorted by the first column. */
  private java.util.Map<String, String> sortedPairs(String sql, String value) {
    return tx.read(h -> {
      java.util.Map<String, String> pairs = new java.util.TreeMap<>();
      h.createQuery(sql)
          .bind("value", value)
          .map((rs, ctx) -> pairs.put(rs.getString(1), rs.getString(2)))
          .forEach(ignored -> { });
      return pairs;
    });
  }

  @Override
  public void setRole(String namespace, String username, String role) {
    tx.use(h -> h.createUpdate("""
            INSERT INTO memberships (namespace, username, role) VALUES (:namespace, :username, :role)
            ON CONFLICT (namespace, username) DO UPDATE SET role = excluded.role""")
        .bind("namespace", namespace)
        .bind("username", username)
        .bind("role", role)
        .execute());
  }

  @Override
  public boolean removeRole(String namespace, String username) {
    return tx.write(h -> h.createUpdate(
            "DELETE FROM memberships WHERE namespace = :namespace AND username = :username")
        .bind("namespace", namespace)
        .bind("username", username)
        .execute() > 0);
  }

  @Override
  public List<String> namespaces() {
    return tx.read(h -> h.createQuery("""
            SELECT namespace FROM memberships UNION SELECT namespace FROM public_namespaces
            UNION SELECT namespace FROM robots ORDER BY 1""")
        .mapTo(String.class)
        .list());
  }

  @Override
  public java.util.Map<String, String> membersOf(String namespace) {
    return sortedPairs("SELECT username, role FROM memberships WHERE namespace = :value", namespace);
  }

  @Override
  public boolean isPublic(String namespace) {
    return tx.read(h -> h.createQuery("SELECT EXISTS (SELECT 1 FROM public_namespaces WHERE namespace = :namespace)")
        .bind("namespace", namespace)
        .mapTo(Boolean.class)
        .one());
  }

  @Override
  public void setPublic(String namespace, boolean open) {
    tx.use(h -> h.createUpdate(open
            ? "INSERT INTO public_namespaces (namespace) VALUES (:namespace) ON CONFLICT (namespace) DO NOTHING"
            : "DELETE FROM public_namespaces WHERE namespace = :namespace")
        .bind("namespace", namespace)
        .execute());
  }

  @Override
  public boolean addRobot(RobotRecord robot) {
    return tx.write(h -> h.createUpdate("""
            INSERT INTO robots (name, secret_hash, namespace, role, created_by, created_at, expires_at)
            VALUES (:name, :hash, :namespace, :role, :createdBy, :createdAt, :expiresAt)
            ON CONFLICT (name) DO NOTHING""")
        .bind("name", robot.name())
        .bind("hash", robot.secretHash())
        .bind("namespace", robot.namespace())
        .bind("role", robot.role())
        .bind("createdBy", robot.createdBy())
        .bind("createdAt", robot.createdAt().toEpochMilli())
        .bind("expiresAt", robot.expiresAt().map(Instant::toEpochMilli).orElse(null))
        .execute() > 0);
  }

  @Override
  public Optional<RobotRecord> findRobot(String name) {
    return tx.read(h -> h.createQuery("SELECT " + ROBOT_COLUMNS + " FROM robots WHERE name = :name")
        .bind("name", name)
        .map(Rows::robot)
        .findOne());
  }

  @Override
  public List<RobotRecord> listRobots() {
    return tx.read(h -> h.createQuery("SELECT " + ROBOT_COLUMNS + " FROM robots ORDER BY name").map(Rows::robot).list());
  }

  @Override
  public boolean revokeRobot(String name, Instant at) {
    return tx.write(h -> h.createUpdate(
            "UPDATE robots SET revoked_at = :at WHERE name = :name AND revoked_at IS NULL")
        .bind("name", name)
        .bind("at", at.toEpochMilli())
        .execute() > 0);
  }
}
