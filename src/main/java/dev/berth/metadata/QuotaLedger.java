package dev.berth.metadata;

import java.util.Optional;

/**
 * The quota check of a push, inside its transaction, before the manifest is written: lock the
 * namespace, see what the manifest adds, compare, and count the new usage.
 *
 * <p>The count on the namespace's row only ever overstates the usage (pushes add to it, deletions
 * leave it), so a push that keeps it within the quota is within the quota; one statement does that
 * common case ({@link #addToCount}), and only a push the count would refuse is weighed exactly.
 */
public interface QuotaLedger extends UsageStore {

  /**
   * Locks the namespace as {@link #hold} does and adds what the manifest {@linkplain #adds adds} to
   * the namespace's count, in one statement. Empty, changing and locking nothing, when the namespace
   * has no policy or its usage was not counted since the policy was set.
   */
  Optional<Counted> addToCount(ManifestRecord manifest);

  /**
   * @param document the policy document, read under the lock
   * @param usage the count with the manifest added, never below the true usage once it is written
   */
  record Counted(String document, long usage) {}

  /**
   * The namespace's policy document as it is now, locked until the transaction ends: pushes into
   * one namespace that hold it run one after another, also across processes on PostgreSQL. Empty
   * when the namespace has no policy.
   */
  Optional<String> hold(String namespace);

  /**
   * The bytes the manifest would add to its namespace's usage: its blobs no manifest of the
   * namespace references yet, and its own size unless the namespace holds it already.
   */
  long adds(ManifestRecord manifest);

  /** Records the namespace's usage for the next push to start from. */
  void count(String namespace, long usage);
}
