package dev.berth.metadata;

import dev.berth.oci.InvalidNameException;
import dev.berth.oci.RepositoryName;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Namespaces' policies, each kept as its document (validated by {@code dev.berth.policy} before it
 * is stored), shared by every process on the database.
 */
public interface PolicyStore {

  /** A namespace's policy document, when and by whom it was last set. */
  record StoredPolicy(String namespace, String document, Instant updatedAt, String updatedBy) {
    public StoredPolicy {
      Objects.requireNonNull(namespace, "namespace");
      // A namespace is a repository name's first component: a valid name without a slash.
      if (!RepositoryName.of(namespace).namespace().equals(namespace)) {
        throw new InvalidNameException("invalid namespace: " + namespace);
      }
      Objects.requireNonNull(document, "document");
      Objects.requireNonNull(updatedAt, "updatedAt");
      Objects.requireNonNull(updatedBy, "updatedBy");
    }
  }

  /** Sets the namespace's policy, replacing the one it had. */
  void put(StoredPolicy policy);

  Optional<StoredPolicy> find(String namespace);

  /** Every namespace's policy, by namespace: what a scheduled run goes through. */
  List<StoredPolicy> all();

  /** Removes the namespace's policy; false when it had none. */
  boolean remove(String namespace);
}
