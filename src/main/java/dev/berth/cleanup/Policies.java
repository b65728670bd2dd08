package dev.berth.cleanup;

import dev.berth.metadata.PolicyStore;
import dev.berth.metadata.PolicyStore.StoredPolicy;
import dev.berth.policy.NamespacePolicy;
import dev.berth.policy.PolicyDocument;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Namespaces' policies as the admin API and {@code berth policy} set, show and remove them: a
 * document is read whole before it is stored, so an invalid one changes nothing and every reader
 * of the store finds a document that parses. The document is kept as written (a YAML file's
 * comments survive a {@code show}).
 */
public final class Policies {
  private final PolicyStore store;
  private final Clock clock;

  public Policies(PolicyStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** A namespace's policy with the document it was read from. */
  public record Current(NamespacePolicy policy, StoredPolicy stored) {}

  /**
   * Validates and stores the namespace's policy, replacing the one it had.
   *
   * @throws dev.berth.policy.InvalidPolicyException with every problem of the document
   * @throws dev.berth.oci.InvalidNameException when the namespace is not a valid one
   */
  public NamespacePolicy set(String namespace, String document, String setBy) {
    NamespacePolicy policy = PolicyDocument.read(document);
    store.put(new StoredPolicy(namespace, document, clock.instant(), setBy));
    return policy;
  }

  public Optional<Current> find(String namespace) {
    return store.find(namespace).map(stored -> new Current(PolicyDocument.read(stored.document()), stored));
  }

  /** Every namespace's policy, by namespace. */
  public List<Current> all() {
    return store.all().stream().map(stored -> new Current(PolicyDocument.read(stored.document()), stored)).toList();
  }

  /** False when the namespace had no policy. */
  public boolean remove(String namespace) {
    return store.remove(namespace);
  }
}
