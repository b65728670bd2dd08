package dev.berth.registry;

import dev.berth.metadata.ManifestRecord;
import dev.berth.metadata.QuotaLedger;
import dev.berth.policy.ByteSize;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Namespaces' storage quotas, checked by a manifest PUT inside its transaction.
 *
 * <p>The check holds the namespace's policy row until the push commits, so the pushes into one
 * namespace with a quota check and write one after another, on every process sharing the
 * database. Each adds what it brings to the usage counted on that row; deletions and GC do not
 * subtract, so the count only ever overstates the usage, and it is counted again from the
 * manifests (a query proportional to the namespace's size) only when a push would exceed the quota
 * by it. Namespaces without a quota never take the lock.
 */
final class Quotas {
  private final PolicyLookup policies;

  Quotas(PolicyLookup policies) {
    this.policies = policies;
  }

  /** What a push brings to a namespace with a quota, held until the push's manifest is written. */
  interface Charge {
    /** Refuses the push when it would take the usage over the quota; counts the new usage otherwise. */
    void settle();

    Charge FREE = () -> {};
  }

  /**
   * Takes the namespace's lock and weighs the manifest against the quota, before it is written
   * (after, it would add nothing and be counted in the usage). Free when the namespace has no quota
   * now, or the manifest adds nothing.
   */
  Charge charge(QuotaLedger ledger, ManifestRecord manifest) {
    String namespace = manifest.repository().namespace();
    Optional<QuotaLedger.Held> held = ledger.hold(namespace);
    Optional<ByteSize> quota = held.flatMap(h -> policies.parse(h.document()).quota());
    if (quota.isEmpty()) {
      return Charge.FREE;
    }
    long adds = ledger.adds(manifest);
    if (adds == 0) {
      return Charge.FREE;
    }
    long limit = quota.get().bytes();
    OptionalLong counted = held.get().counted();
    long usage = counted.isPresent() ? counted.getAsLong() : ledger.usage(namespace);
    if (usage + adds > limit && counted.isPresent()) {
      // The count may still hold what was deleted since it was made.
      usage = ledger.usage(namespace);
    }
    long before = usage;
    if (before + adds > limit) {
      // Refused once the manifest's own checks have run, so a manifest naming unknown blobs is told so.
      return () -> {
        throw new RegistryException(ErrorCode.DENIED, "the push would take namespace " + namespace
            + " over its quota: it uses " + ByteSize.readableExact(before) + ", this manifest adds "
            + ByteSize.readableExact(adds) + ", the quota is " + ByteSize.readableExact(limit)
            + " (policy of namespace " + namespace + ", quota: " + quota.get() + ")");
      };
    }
    return () -> ledger.count(namespace, before + adds);
  }
}
