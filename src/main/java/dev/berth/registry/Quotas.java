package dev.berth.registry;

import dev.berth.metadata.ManifestRecord;
import dev.berth.metadata.QuotaLedger;
import dev.berth.policy.ByteSize;
import java.util.Optional;

/**
 * Namespaces' storage quotas, checked by a manifest PUT inside its transaction.
 *
 * <p>The check locks the namespace's policy row until the push commits, so the pushes into one
 * namespace with a quota check and write one after another, on every process sharing the
 * database. Each adds what it brings to the usage counted on that row; deletions and GC do not
 * subtract, so the count only ever overstates the usage. A push the count keeps within the quota
 * costs one statement; the usage is counted again from the manifests (a query proportional to the
 * namespace's size) only when the count would refuse the push, or was never made. Namespaces
 * without a quota never take the lock.
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
   * Locks the namespace and weighs the manifest against the quota, before it is written (after, it
   * would add nothing and be counted in the usage). Free when the namespace has no quota now; a manifest
   * that adds nothing is never refused.
   */
  Charge charge(QuotaLedger ledger, ManifestRecord manifest) {
    String namespace = manifest.repository().namespace();
    Optional<QuotaLedger.Counted> counted = ledger.addToCount(manifest);
    Optional<ByteSize> quota = counted.isPresent()
        ? policies.parse(counted.get().document()).quota()
        : ledger.hold(namespace).flatMap(document -> policies.parse(document).quota());
    if (quota.isEmpty() || counted.isPresent() && counted.get().usage() <= quota.get().bytes()) {
      return Charge.FREE;
    }
    // The count may still hold what was deleted since it was made, or was never made.
    long adds = ledger.adds(manifest);
    long limit = quota.get().bytes();
    long before = ledger.usage(namespace);
    if (adds > 0 && before + adds > limit) {
      // Refused once the manifest's own checks have run, so a manifest naming unknown blobs is told so.
      // The refusal abandons the transaction, with what addToCount added.
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
