package dev.berth.registry;

import dev.berth.metadata.AuditAction;
import dev.berth.metadata.AuditEntry;
import dev.berth.metadata.HistoryStore;
import dev.berth.oci.RepositoryName;
import java.time.Clock;
import java.util.Optional;

/**
 * What every delete endpoint shares: like Docker Registry, deletes are off unless enabled; and
 * every delete that happens is written to the audit log with who asked, in the delete's own
 * transaction.
 */
final class Deletes {
  private final RegistrySettings settings;
  private final Clock clock;

  Deletes(RegistrySettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  void requireEnabled() {
    if (!settings.deleteEnabled()) {
      throw new RegistryException(ErrorCode.UNSUPPORTED, "deletes are disabled (storage.delete.enabled)");
    }
  }

  /** Writes the entry through {@code history}, the one of the transaction that made the change. */
  void audit(HistoryStore history, String actor, AuditAction action, RepositoryName repository, String target,
      String detail) {
    history.audit(AuditEntry.of(clock.instant(), actor, action, target, Optional.of(repository.namespace()), detail));
  }
}
