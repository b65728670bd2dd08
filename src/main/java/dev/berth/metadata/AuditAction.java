package dev.berth.metadata;

import java.util.Arrays;
import java.util.Optional;

/** What an audit entry records; {@link #wire} is how the log, the API and the console name it. */
public enum AuditAction {
  MANIFEST_PUSH("manifest.push"),
  MANIFEST_DELETE("manifest.delete"),
  TAG_DELETE("tag.delete"),
  BLOB_UNLINK("blob.unlink"),
  GC_START("gc.start"),
  GC_RUN("gc.run"),
  GC_SCHEDULE("gc.schedule"),
  RETENTION_START("retention.start"),
  POLICY_SET("policy.set"),
  POLICY_REMOVE("policy.remove"),
  USER_CREATE("user.create"),
  USER_REMOVE("user.remove"),
  PASSWORD_CHANGE("user.password"),
  LOGIN_FAILED("login.failed"),
  ROLE_SET("role.set"),
  ROLE_REMOVE("role.remove"),
  ROBOT_CREATE("robot.create"),
  ROBOT_REVOKE("robot.revoke"),
  NAMESPACE_PUBLIC("namespace.public");

  private final String wire;

  AuditAction(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static Optional<AuditAction> fromWire(String wire) {
    return Arrays.stream(values()).filter(a -> a.wire.equals(wire)).findFirst();
  }
}
