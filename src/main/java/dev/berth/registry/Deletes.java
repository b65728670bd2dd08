package dev.berth.registry;

import dev.berth.metadata.AuditEntry;
import dev.berth.metadata.HistoryStore;
import java.time.Clock;
import java.util.UUID;

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
  void audit(HistoryStore history, String actor, String action, String target, String detail) {
    history.audit(new AuditEntry(UUID.randomUUID().toString(), clock.instant(), actor, action, target, detail));
  }
}
