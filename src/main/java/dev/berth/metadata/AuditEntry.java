package dev.berth.metadata;

import dev.berth.oci.InvalidNameException;
import dev.berth.oci.RepositoryName;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Who changed what, and when; {@code namespace} is the one the change concerns, empty for the
 * deployment as a whole (a GC run, a user).
 */
public record AuditEntry(String id, Instant at, String actor, String action, String target, String detail,
    Optional<String> namespace) {

  /**
   * An entry whose target is a repository's tag or manifest ({@code team/app:1.0},
   * {@code team/app@sha256:…}), as every delete names it: its namespace is the repository's.
   */
  public AuditEntry(String id, Instant at, String actor, String action, String target, String detail) {
    this(id, at, actor, action, target, detail, namespaceOfRepositoryTarget(target));
  }

  public static AuditEntry of(Instant at, String actor, AuditAction action, String target, Optional<String> namespace,
      String detail) {
    return new AuditEntry(UUID.randomUUID().toString(), at, actor, action.wire(), target, detail, namespace);
  }

  private static Optional<String> namespaceOfRepositoryTarget(String target) {
    int end = target.indexOf('@') >= 0 ? target.indexOf('@') : target.lastIndexOf(':');
    if (end <= 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(RepositoryName.of(target.substring(0, end)).namespace());
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
  }
}
