package dev.berth.metadata;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Users, namespace roles, public namespaces and robot accounts. Hashes only; never a password. */
public interface AccessStore {

  record UserRecord(String name, String passwordHash, boolean systemAdmin, Instant createdAt) {}

  record RobotRecord(String name, String secretHash, String namespace, String role, String createdBy,
      Instant createdAt, Optional<Instant> expiresAt, Optional<Instant> revokedAt) {}

  long userCount();

  Optional<UserRecord> findUser(String name);

  /** False when the name is taken. */
  boolean addUser(UserRecord user);

  boolean setPassword(String name, String passwordHash);

  boolean removeUser(String name);

  List<UserRecord> listUsers();

  /** The user's role in each namespace it belongs to. */
  Map<String, String> rolesOf(String username);

  void setRole(String namespace, String username, String role);

  boolean removeRole(String namespace, String username);

  /** Every namespace someone holds a role in, that is public, or that has a robot account; sorted. */
  List<String> namespaces();

  /** Who holds a role in the namespace, and which, by user name. */
  Map<String, String> membersOf(String namespace);

  boolean isPublic(String namespace);

  void setPublic(String namespace, boolean open);

  boolean addRobot(RobotRecord robot);

  Optional<RobotRecord> findRobot(String name);

  List<RobotRecord> listRobots();

  boolean revokeRobot(String name, Instant at);
}
