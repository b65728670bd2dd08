package dev.berth.metadata;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * The quota check of a push, inside its transaction: hold the namespace, see what the manifest
 * adds, compare, and count the new usage, all before the manifest is written.
 */
public interface QuotaLedger extends UsageStore {

  /**
   * The namespace's policy as it is now, locked until the transaction ends: pushes into one
   * namespace that hold it run one after another, also across processes on PostgreSQL. Empty when
   * the namespace has no policy.
   */
  Optional<Held> hold(String namespace);

  /**
   * @param document the policy document, read under the lock
   * @param counted the usage last {@linkplain #count counted}, never below the true usage (pushes
   *     add to it, deletions leave it); empty when not counted since the policy was set
   */
  record Held(String document, OptionalLong counted) {}

  /**
   * The bytes the manifest would add to its namespace's usage: its blobs no manifest of the
   * namespace references yet, and its own size unless the namespace holds it already.
   */
  long adds(ManifestRecord manifest);

  /** Records the namespace's usage for the next push to start from. */
  void count(String namespace, long usage);
}
